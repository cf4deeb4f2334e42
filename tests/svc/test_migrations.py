"""Migrations apply, revert and apply again on SQLite and on PostgreSQL (skipped with the reason when
no PostgreSQL server answers), and the migrated schema matches the models exactly: 0002 (inbound
deduplication and outbox), 0003 (appointments and call-backs), 0004 (appointment contact), 0005 (pending
tracker erasures, contact pseudonyms), 0006 (inbound messages kept until answered), 0007 (staff
accounts, outreach actions, anonymous visits)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import api.models  # noqa: F401  (registers the tables)
from api.core.db import Database, alembic_config
from tests.svc import support
from tests.svc.support import BOTH


@pytest.fixture(params=BOTH)
def database_url(request, tmp_path) -> Iterator[str]:
    with support.database_url(request.param, tmp_path, "tzn_migrations") as url:
        yield url


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("previous,added,kept", [
    ("0001", {"inboundmessage", "outboxmessage"}, "conversation"),
    ("0002", {"appointment", "callbackrequest"}, "outboxmessage"),
    ("0004", {"pendingerasure"}, "appointment"),
    ("0006", {"staffuser", "staffsession", "staffinvite", "auditentry", "outreachaction", "visit", "visitfact"},
     "appointment"),
])
def test_a_migration_applies_reverts_and_applies_again(database_url, previous, added, kept):
    Database(database_url).migrate()
    assert added | {kept} <= tables(database_url)
    config = alembic_config(database_url)
    command.downgrade(config, previous)
    assert not added & tables(database_url)
    assert kept in tables(database_url)
    command.upgrade(config, "head")
    assert added <= tables(database_url)


def test_the_migrated_schema_matches_the_models(database_url):
    database = Database(database_url)
    database.migrate()
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert differences == []
        inspector = sa.inspect(database.engine)
        unique = {c["name"]: c["column_names"] for c in inspector.get_unique_constraints("outboxmessage")}
        assert unique["uq_outbox_sequence"] == ["channel", "person_id", "sequence"]
        unique = {c["name"]: c["column_names"] for c in inspector.get_unique_constraints("inboundmessage")}
        assert unique["uq_inbound_provider_id"] == ["channel", "provider_id"]
        unique = {c["name"]: c["column_names"] for c in inspector.get_unique_constraints("appointment")}
        assert unique["uq_appointment_seat"] == ["slot_id", "seat"]
    finally:
        database.dispose()
