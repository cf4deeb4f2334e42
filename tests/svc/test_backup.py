"""scripts/backup_postgres.sh and the restore of docs/operations.md, on the PostgreSQL of the test
machine (127.0.0.1:5432, as tests/bot/test_tracker_store.py): the dump of a migrated database with
rows restores into an empty one with the same rows; old dumps are deleted, a failed dump keeps nothing."""
from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.core.db import Database

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup_postgres.sh"
SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture
def databases():
    admin = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    names = [f"tzn_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    try:
        yield names
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def contents(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return {table: connection.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar() for table in tables}
    finally:
        engine.dispose()


def run_backup(directory: Path, source: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), str(directory)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PG_DUMP": f"pg_dump -h 127.0.0.1 -U postgres -d {source}",
                               "PG_RESTORE": "pg_restore", **env})


def test_a_dump_restores_the_schema_and_rows_and_old_dumps_go(databases, tmp_path):
    source, target = databases
    database = Database(f"{SERVER}/{source}")
    database.migrate()
    database.dispose()
    engine = sa.create_engine(f"{SERVER}/{source}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE probe (id serial PRIMARY KEY, label text)"))
        connection.execute(sa.text("INSERT INTO probe (label) SELECT 'row ' || n FROM generate_series(1, 250) n"))
    engine.dispose()
    old, recent = tmp_path / "tzn-20200101T000000Z.dump", tmp_path / "tzn-recent.dump"
    for path, days in ((old, 20), (recent, 2)):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - days * 86400,) * 2)

    result = run_backup(tmp_path, source, BACKUP_KEEP_DAYS="14")

    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.parent == tmp_path and dump.name.startswith("tzn-") and dump.read_bytes()[:5] == b"PGDMP"
    assert oct(dump.stat().st_mode & 0o777) == oct(0o600) and oct(tmp_path.stat().st_mode & 0o777) == oct(0o700)
    assert not old.exists() and recent.exists()
    assert not list(tmp_path.glob(".*partial"))
    # The restore of docs/operations.md (there through the container), into an empty database.
    subprocess.run(["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", target, "--clean", "--if-exists",
                    "--no-owner", "--exit-on-error", str(dump)], check=True, capture_output=True, timeout=120)
    restored = contents(f"{SERVER}/{target}")
    assert restored == contents(f"{SERVER}/{source}")
    assert restored["probe"] == 250 and restored["alembic_version"] == 1 and len(restored) > 5


def test_a_failed_dump_keeps_nothing_and_fails(databases, tmp_path):
    result = run_backup(tmp_path, "no_such_database_here")
    assert result.returncode != 0
    assert list(tmp_path.iterdir()) == []
