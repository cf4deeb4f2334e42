"""The 3-month retention (RETENTION_DAYS): what is older is forgotten, what is recent stays, and a
passed appointment, an old call-back request and a visit stay for the figures without their person."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from api.core.db import Database
from api.models import Appointment, CallbackRequest, ConsentRecord, Conversation, EstimateRecord, Visit
from api.retention import purge
from tests.svc.support import T0

OLD = T0 - timedelta(days=91)
RECENT = T0 - timedelta(days=10)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/retention.db")
    database.migrate()
    yield database
    database.dispose()


def appointment(person: str, end, summary) -> Appointment:
    return Appointment(id=f"a-{person}", person_id=person, channel="sms", territory_id="t", place_id="p",
                       slot_id=f"t:o:{person}", seat=0, start=end - timedelta(minutes=30), end=end,
                       share_summary=summary is not None, summary=summary)


def test_older_than_the_retention_is_forgotten_recent_stays(db):
    with db.session() as session:
        session.add_all([
            Conversation(id="c-old", channel="sms", person_id="old", last_active_at=OLD, created_at=OLD),
            Conversation(id="c-new", channel="sms", person_id="new", last_active_at=RECENT, created_at=OLD),
            ConsentRecord(person_id="old", kind="privacy", given=True, at=OLD),
            ConsentRecord(person_id="new", kind="privacy", given=True, at=OLD),
            EstimateRecord(person_id="old", created_at=RECENT),
            EstimateRecord(person_id="new", created_at=OLD),
            EstimateRecord(person_id="new", created_at=RECENT),
            CallbackRequest(id="cb-old", person_id="new", channel="sms", territory_id="t", preferred_times="x",
                            phone_enc="secret", created_at=OLD, contact_person_id="sms-new"),
            CallbackRequest(id="cb-done", person_id="new", channel="sms", territory_id="t", preferred_times="x",
                            created_at=OLD, status="done", done_at=OLD),
            CallbackRequest(id="cb-new", person_id="new", channel="sms", territory_id="t", preferred_times="x",
                            phone_enc="secret", created_at=RECENT),
            appointment("old", OLD, {"household": {"age": 40}}),
            appointment("new", RECENT, {"household": {"age": 30}}),
            Visit(conversation_id="c-old", channel="sms", started_at=OLD),
            Visit(conversation_id="c-new", channel="sms", started_at=OLD),
        ])
        session.commit()
    counts = db._call(purge, T0, 90)
    assert counts == {"visits": 1, "conversations": 1, "consents": 1, "estimates": 2, "callbacks": 2,
                      "appointments": 1, "contacts": 0}
    with db.session() as session:
        assert [c.person_id for c in session.exec(select(Conversation)).all()] == ["new"]
        assert [(c.person_id, c.at) for c in session.exec(select(ConsentRecord)).all()] == [("new", OLD)]
        assert [e.created_at for e in session.exec(select(EstimateRecord)).all()] == [RECENT]
        callbacks = {c.id: c for c in session.exec(select(CallbackRequest)).all()}
        rows = {a.id: a for a in session.exec(select(Appointment)).all()}
        visits = sorted((v.conversation_id or "") for v in session.exec(select(Visit)).all())
    assert [(c.person_id, c.phone_enc, c.contact_person_id, c.preferred_times, c.status)
            for c in (callbacks["cb-old"], callbacks["cb-done"])] == [("erased", None, None, "", "withdrawn"),
                                                                      ("erased", None, None, "", "done")]
    assert (callbacks["cb-new"].person_id, callbacks["cb-new"].phone_enc) == ("new", "secret")
    assert visits == ["", "c-new"]                             # the old visit stays, unlinked
    assert (rows["a-old"].person_id, rows["a-old"].summary) == ("erased", None)
    assert rows["a-new"].summary == {"household": {"age": 30}}
    assert db._call(purge, T0, 90) == {k: 0 for k in counts}


def test_the_contact_of_an_appointment_is_wiped_once_it_is_over(db):
    over = appointment("over", T0 - timedelta(minutes=1), None)
    ahead = appointment("ahead", T0 + timedelta(days=2), None)
    for row in (over, ahead):
        row.contact_enc, row.contact_person_id = "sealed-number", "sms-pseudonym"
    with db.session() as session:
        session.add_all([over, ahead])
        session.commit()
    assert db._call(purge, T0, 90)["contacts"] == 1
    with db.session() as session:
        rows = {a.id: a for a in session.exec(select(Appointment)).all()}
    assert rows["a-over"].contact_enc is None
    assert rows["a-over"].person_id == "over"                 # the rest waits for the retention
    assert rows["a-ahead"].contact_enc == "sealed-number"
