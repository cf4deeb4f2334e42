"""Migration 0002 (inbound deduplication and outbox) applies, reverts and applies again on SQLite and
on PostgreSQL (skipped with the reason when no PostgreSQL server answers), and matches the models."""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers the tables)
from api.core.db import Database, alembic_config

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    name = f"tzn_migrations_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES} ({type(error).__name__})")
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_0002_applies_reverts_and_applies_again(database_url):
    Database(database_url).migrate()
    assert {"inboundmessage", "outboxmessage", "conversation"} <= tables(database_url)
    config = alembic_config(database_url)
    command.downgrade(config, "0001")
    assert not {"inboundmessage", "outboxmessage"} & tables(database_url)
    assert "conversation" in tables(database_url)
    command.upgrade(config, "head")
    assert {"inboundmessage", "outboxmessage"} <= tables(database_url)


def test_the_migrated_schema_matches_the_models(database_url):
    database = Database(database_url)
    database.migrate()
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        ours = [d for d in differences if "inboundmessage" in str(d) or "outboxmessage" in str(d)]
        assert ours == []
        inspector = sa.inspect(database.engine)
        unique = {c["name"]: c["column_names"] for c in inspector.get_unique_constraints("outboxmessage")}
        assert unique["uq_outbox_sequence"] == ["channel", "person_id", "sequence"]
        unique = {c["name"]: c["column_names"] for c in inspector.get_unique_constraints("inboundmessage")}
        assert unique["uq_inbound_provider_id"] == ["channel", "provider_id"]
    finally:
        database.dispose()
