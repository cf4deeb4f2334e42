"""Logs carry no personal data: database errors hide the values of their statement, and a 422 that
echoes an amount or a text to its caller is not written to any log."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.core.db import Database
from tests.fakes.app import make_settings, running
from tests.fakes.rasa import FakeRasa
from tests.svc.support import BOTH, database_url

NUMBER = "+33698765431"


class _Nowhere:
    url = "http://127.0.0.1:9"


@pytest.mark.parametrize("kind", BOTH)
def test_a_database_error_does_not_show_the_values_it_was_given(kind: str, tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    with database_url(kind, tmp_path) as url:
        db = Database(url)
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text("CREATE TABLE phones (number VARCHAR(20) UNIQUE)"))
                connection.execute(sa.text("INSERT INTO phones VALUES (:number)"), {"number": NUMBER})
            with pytest.raises(sa.exc.IntegrityError) as raised, db.engine.begin() as connection:
                connection.execute(sa.text("INSERT INTO phones VALUES (:number)"), {"number": NUMBER})
            message = str(raised.value)
            assert "[SQL parameters hidden due to hide_parameters=True]" in message
            assert NUMBER not in caplog.text
            # PostgreSQL itself quotes the refused key (DETAIL): hence errors are logged without message
            assert NUMBER not in message.replace(f"=({NUMBER}) already exists", "")
        finally:
            db.dispose()


async def test_an_unexpected_error_is_logged_without_its_message(tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)

    async def fails() -> None:
        raise RuntimeError(f"duplicate key (number)=({NUMBER})")

    async with running(make_settings(tmp_path, _Nowhere(), _Nowhere()), FakeRasa()) as api:
        api.app.add_api_route("/api/fails", fails)
        answer = await api.client.get("/api/fails")    # raised to the test if it escaped to the server
    assert answer.status_code == 503 and NUMBER not in answer.text
    assert "Unexpected error: RuntimeError" in caplog.text and "fails" in caplog.text   # type and frames
    assert NUMBER not in caplog.text


async def test_a_refused_request_is_answered_to_its_caller_but_never_logged(tmp_path: Path, caplog):
    caplog.set_level(logging.DEBUG)
    wrong_number = NUMBER + "9"
    settings = make_settings(tmp_path, _Nowhere(), _Nowhere(), internal_api_token="internal-token")
    async with running(settings, FakeRasa()) as api:
        refused = await api.client.post(
            "/internal/callbacks", headers={"Authorization": "Bearer internal-token"},
            json={"person_id": "p1", "channel": "web", "commune": "54395", "phone": wrong_number,
                  "preferred_times": "je gagne 1283 euros"})
        assert refused.status_code == 422 and wrong_number in refused.text   # the caller sees what was wrong
        refused = await api.client.post("/api/eligibility", json={"age": 35, "salary": "1283 euros", "phone": NUMBER})
        assert refused.status_code in (422, 503)
        opened = await api.client.post("/api/chat", json={})
        conversation = opened.json()["conversation_id"]
        said = await api.client.post(f"/api/chat/{conversation}/messages", json={"text": f"je gagne 1283 euros {NUMBER}"})
        assert said.status_code == 200 and "1283" in said.text    # the stand-in echoes it: it went through
    assert "HTTP Request: POST" in caplog.text, "the requests were not logged at all: the capture did not work"
    assert "1283" not in caplog.text and NUMBER not in caplog.text
