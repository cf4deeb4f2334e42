"""schemathesis against the API: the OpenAPI document of the real app (`create_app` with the real
eligibility engine, a stand-in for Rasa, local Twilio and Telegram stand-ins), served by uvicorn,
and the channel webhooks (not in the public document: described below), each generated request
signed as Twilio or Telegram would sign it. Any 5xx fails (`not_a_server_error`).

A bounded run (FUZZ_EXAMPLES per operation, 30 by default), so that `make test` stays short."""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.main import create_app
from api.staff.access import COOKIE
from api.staff.accounts import create_user
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PUBLIC, TELEGRAM_SECRET, make_settings
from tests.fakes.rasa import FakeRasa
from tests.stack import free_port

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
STAFF_COOKIE: dict[str, str] = {}   # the session of an admin account, to reach the staff handlers
ANSWERED: Counter[tuple[str, int]] = Counter()   # (operation, status) over the whole run
REQUEST_TIMEOUT = 60   # a slow answer on a busy machine is not what this test looks for
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole API on a real port, once every part is ready (the eligibility engine loaded)."""
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    workdir: Path = tmp_path_factory.mktemp("fuzz")
    app_settings = make_settings(workdir, twilio, telegram, eligibility_load=True,
                                 eligibility_simulation_process=False,
                                 internal_api_token="fuzz-internal-token",
                                 rate_limits_enabled=False)   # fuzzing looks for 5xx: a 429 would hide the engine
    app = create_app(app_settings, rasa_transport=FakeRasa().transport)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"{url}/health/ready", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not get ready"
        time.sleep(0.5)
    with app.state.db.session() as session:
        known = {territory.id for territory in app.state.territories.all()}
        create_user(session, "fuzz@example.fr", "un mot de passe de fuzzing", "admin", None, known)
    signed_in = httpx.post(f"{url}/api/staff/session", json={"email": "fuzz@example.fr",
                                                             "password": "un mot de passe de fuzzing"})
    STAFF_COOKIE["Cookie"] = f"{COOKIE}={signed_in.cookies[COOKIE]}"
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        twilio.stop()
        telegram.stop()


# The document describes these bodies loosely (the routes read the raw body themselves, to answer
# every mistake in French): the fuzzing gets their shape from the contracts (../shared/spec/), so
# that most generated households reach the engine.
AMOUNT = {"type": "number", "minimum": 0, "maximum": 20000}
ADULT = {"type": "object", "required": ["age"], "properties": {
    "age": {"type": "integer", "minimum": 0, "maximum": 120},
    "activity": {"enum": ["salarie", "independant", "chomeur", "etudiant", "retraite", "inactif"]},
    "incomes": {"type": "object", "properties": {name: AMOUNT for name in (
        "salary", "unemployment", "pension", "disability_pension", "alimony", "other")}},
    "disability_rate": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]},
    "student": {"type": "boolean"}, "pregnant": {"type": "boolean"}, "student_grant": {"type": "boolean"},
    "work_restriction": {"type": "boolean"},
    "self_employed": {"type": "object", "properties": {
        "turnover": AMOUNT, "kind": {"enum": ["bic_vente", "bic_services", "bnc"]}}}}}
HOUSEHOLD = {"type": "object", "required": ["commune", "adults"], "properties": {
    # the current month (the default) only: the first estimate of another month loads its
    # parameters, seconds each, which would make this run long without testing more of our code
    "period": {"enum": [date.today().strftime("%Y-%m")]},
    "commune": {"enum": ["54395", "54099", "75056", "13055", "2A004", "97411", "97209", "98735", "00000"]},
    "housing": {"type": "object", "properties": {
        "status": {"enum": ["locataire", "locataire_meuble", "logement_social", "proprietaire", "accedant",
                            "heberge", "sans_domicile", "foyer"]},
        "rent": AMOUNT, "charges": AMOUNT}},
    "adults": {"type": "array", "minItems": 1, "maxItems": 2, "items": ADULT},
    "couple_type": {"anyOf": [{"enum": ["marie", "pacse", "union_libre"]}, {"type": "null"}]},
    "children": {"type": "array", "maxItems": 4, "items": {"type": "object", "required": ["age"], "properties": {
        "age": {"type": "integer", "minimum": 0, "maximum": 25},
        "school": {"enum": ["creche", "maternelle", "primaire", "college", "lycee", "superieur", "aucune"]}}}},
    "single_parent_recent": {"type": "boolean"},
    "unknown": {"type": "array", "maxItems": 3, "items": {"enum": [
        "rent", "charges", "adults[0].incomes.salary", "adults[0].incomes.unemployment", "adults[0].disability_rate",
        "adults[1].incomes.salary", "adults[0].pregnant", "adults[0].student_grant"]}}}}
OPEN = {"type": "object", "properties": {
    "source": {"anyOf": [{"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, {"type": "null"}]}}}
MESSAGE_IN = {"type": "object", "properties": {
    "text": {"type": "string", "maxLength": 1000}, "payload": {"type": "string"},
    "client_message_id": {"type": "string", "minLength": 1, "maxLength": 64}}}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


@pytest.fixture(scope="module")
def api_schema(served: str) -> Any:
    document = httpx.get(f"{served}/api/openapi.json").json()
    paths = document["paths"]
    paths["/api/eligibility"]["post"]["requestBody"] = json_body(HOUSEHOLD)
    paths["/api/chat"]["post"]["requestBody"] = json_body(OPEN)
    paths["/api/chat/{conversation_id}/messages"]["post"]["requestBody"] = json_body(MESSAGE_IN)
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=served, request_timeout=REQUEST_TIMEOUT)
    return schema


api = schemathesis.pytest.from_fixture("api_schema")


@api.parametrize()
@BOUNDED
def test_no_documented_route_answers_a_server_error(case: Any) -> None:
    if case.path.startswith("/api/staff/") and (case.method, case.path) != ("DELETE", "/api/staff/session"):
        case.headers = {**(case.headers or {}), **STAFF_COOKIE}        # reach the staff handlers
    response = case.call_and_validate(checks=[not_a_server_error])
    ANSWERED[(f"{case.method} {case.path}", response.status_code)] += 1


# The webhooks as Twilio and Telegram call them: a phone number or any text as sender, any text.
ANY_NUMBER = {"anyOf": [{"type": "string", "pattern": r"^\+33[67][0-9]{8}$"}, {"type": "string"}]}
CHAT = {"type": "object", "required": ["id", "type"],
        "properties": {"id": {"type": "integer"}, "type": {"enum": ["private", "group", "channel"]}}}
MESSAGE = {"type": "object", "required": ["message_id", "date", "chat"],
           "properties": {"message_id": {"type": "integer"}, "date": {"type": "integer"}, "chat": CHAT,
                          "text": {"type": "string"}}}
UPDATE = {"type": "object", "required": ["update_id"], "properties": {
    "update_id": {"type": "integer"}, "message": MESSAGE,
    "callback_query": {"type": "object", "required": ["id", "data"], "properties": {
        "id": {"type": "string"}, "data": {"type": "string"}, "message": MESSAGE,
        "from": {"type": "object", "properties": {"id": {"type": "integer"}}}}}}}


def form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {
        "schema": {"type": "object", "properties": properties, "required": required}}}}


WEBHOOKS = {
    "openapi": "3.0.3",
    "info": {"title": "Channel webhooks", "version": "1"},
    "paths": {
        "/webhooks/twilio": {"post": {"requestBody": form(
            {"MessageSid": {"type": "string"}, "From": ANY_NUMBER, "To": {"type": "string"},
             "Body": {"type": "string"}, "NumMedia": {"type": "string"}}, ["MessageSid", "From", "Body"]),
            "responses": {"200": {"description": "TwiML"}}}},
        "/webhooks/twilio/status": {"post": {"requestBody": form(
            {"MessageSid": {"type": "string"}, "MessageStatus": {"type": "string"},
             "ErrorCode": {"type": "string"}}, ["MessageSid", "MessageStatus"]),
            "responses": {"204": {"description": "recorded"}}}},
        "/webhooks/telegram": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": UPDATE}}},
            "responses": {"200": {"description": "taken"}}}},
    },
}


@pytest.fixture(scope="module")
def webhook_schema(served: str) -> Any:
    schema = schemathesis.openapi.from_dict(WEBHOOKS)
    schema.config.update(base_url=served, request_timeout=REQUEST_TIMEOUT)
    return schema


webhooks = schemathesis.pytest.from_fixture("webhook_schema")


def signed(case: Any) -> dict[str, str]:
    """The headers Twilio or Telegram would send with this request."""
    if case.path.startswith("/webhooks/twilio"):
        params = case.body if isinstance(case.body, dict) else {}
        return {"X-Twilio-Signature": tw.sign(PUBLIC + case.path, params)}
    return {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


@webhooks.parametrize()
@BOUNDED
def test_no_signed_webhook_call_answers_a_server_error(case: Any) -> None:
    if isinstance(case.body, dict) and case.path.startswith("/webhooks/twilio"):
        case.body = {str(k): str(v) for k, v in case.body.items()}    # form fields, as signed
    response = case.call_and_validate(headers=signed(case), checks=[not_a_server_error])
    ANSWERED[(f"{case.method} {case.path}", response.status_code)] += 1
    if case.path == "/webhooks/twilio" and isinstance(case.body, dict):
        assert response.status_code != 403, "the signature of the test is wrong: nothing was fuzzed"


def test_the_fuzzing_reached_the_engine_and_the_bot() -> None:
    """Generated requests that all bounced on validation would prove little: some households were
    estimated, some SMS and Telegram updates were answered."""
    if not ANSWERED:
        pytest.skip("the fuzzing tests above did not run in this session")
    for operation in ("POST /api/eligibility", "POST /webhooks/twilio", "POST /webhooks/telegram",
                      "GET /api/staff/appointments"):
        assert ANSWERED[(operation, 200)] > 0, f"{operation}: {sorted(ANSWERED.items())}"
