"""Faults on the real stack: Rasa frozen (SIGSTOP), the action server killed (a closed port) and
frozen, the simulation process frozen. The person gets the fault message promptly on the web chat
and by SMS, kept SMS are answered in order after SIGCONT or a restart, and the breaker closes again.

Time bounds are generous (« no 30-second wait »: < 15 s with probes of 1 s); measured figures are in
docs/benchmarks.md (bench/faults.py). Needs a trained model (`make model`).
"""
from __future__ import annotations

import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from channels.sms.console import SmsPhone
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio
from tests.stack import MODEL, Stack, start_stack

pytestmark = pytest.mark.stack
FAULT_ENV = {"DEPENDENCY_PROBE_SECONDS": "1", "DEPENDENCY_PROBE_TIMEOUT_SECONDS": "1.5",
             "BREAKER_FAILURES": "2", "BREAKER_RESET_SECONDS": "3", "INBOUND_RETRY_SECONDS": "1",
             "SMS_SYNC_REPLY_SECONDS": "10", "ELIGIBILITY_SIMULATION_TIMEOUT_SECONDS": "4",
             "DEFAULT_TERRITORY": "grand_nancy"}
PHONE_OF_TERRITORY = "03 53 01 10 54"
PROMPT = 15.0


@pytest.fixture(scope="module")
def faulty() -> Iterator[tuple[Stack, FakeTwilio, str]]:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    token = secrets.token_urlsafe(24)
    twilio = FakeTwilio(auth_token=token).start()
    started = start_stack(extra_env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token,
                                     "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url,
                                     **FAULT_ENV})
    yield started, twilio, token
    for name in started.processes:
        try:
            started.signal(name, signal.SIGCONT)
        except ProcessLookupError:
            pass
    started.stop()
    twilio.stop()


def new_phone(faulty: tuple[Stack, FakeTwilio, str]) -> SmsPhone:
    started, twilio, token = faulty
    return SmsPhone(started.api_url, started.api_url, token, f"+336{secrets.randbelow(10**8):08d}", twilio)


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def rasa_breaker(stack: Stack) -> str:
    return httpx.get(f"{stack.api_url}/health", timeout=10).json()["breakers"]["rasa"]


def healthy_turn(stack: Stack) -> bool:
    """A web message answered normally (200): Rasa and the action server are back."""
    opened = httpx.post(f"{stack.api_url}/api/chat", json={"source": None}, timeout=30)
    return opened.status_code == 200


def test_a_frozen_rasa_gets_the_notice_promptly_on_web_and_sms_and_kept_sms_are_answered_in_order(faulty):
    stack, twilio, _ = faulty
    web = httpx.post(f"{stack.api_url}/api/chat", json={"source": None}, timeout=30).json()
    phone = new_phone(faulty)
    assert "Répondez 1, 2 ou 3." in " ".join(phone.send("Bonjour"))
    stack.signal("rasa", signal.SIGSTOP)
    try:
        response, seconds = timed(lambda: httpx.post(
            f"{stack.api_url}/api/chat/{web['conversation_id']}/messages", json={"text": "bonjour"}, timeout=60))
        assert seconds < PROMPT and response.status_code == 503
        assert PHONE_OF_TERRITORY in response.json()["detail"]
        notice, seconds = timed(lambda: phone.send("1"))           # « Oui, d'accord »
        assert seconds < PROMPT and "technique" in " ".join(notice) and PHONE_OF_TERRITORY in " ".join(notice)
        assert phone.send("j'ai 35 ans") == []                       # kept, behind the first one
    finally:
        stack.signal("rasa", signal.SIGCONT)
    wait_for(lambda: len(phone.rest_messages()) >= 2, 90, "the kept SMS answered after SIGCONT")
    answers = " ".join(phone.rest_messages())
    assert answers.index("Quel age avez-vous ?") < len(answers)      # « 1 » was answered first...
    wait_for(lambda: rasa_breaker(stack) == "closed" and healthy_turn(stack), 60, "the breaker closed")


def test_the_action_server_killed_is_a_failure_not_silence_then_a_restart_recovers(faulty):
    stack, twilio, _ = faulty
    phone = new_phone(faulty)
    phone.send("Bonjour")
    stack.kill("actions")                                            # its port is now closed
    try:
        notice, seconds = timed(lambda: phone.send("1"))
        assert seconds < PROMPT and "technique" in " ".join(notice)
        opened, seconds = timed(lambda: httpx.post(f"{stack.api_url}/api/chat", json={"source": None}, timeout=60))
        assert seconds < PROMPT and opened.status_code == 503
    finally:
        stack.restart("actions")
    # The kept « 1 » is answered once the action server is back. Rasa's own loop guard (« Circuit
    # breaker tripped » in its log) may still leave that retried turn empty: the person then gets
    # the « L'assistant redémarre » text rather than the next question (see docs/channels.md).
    wait_for(lambda: len(phone.rest_messages()) >= 1, 120, "the kept SMS answered")
    wait_for(lambda: healthy_turn(stack), 60, "a normal turn again")
    fresh = new_phone(faulty)
    fresh.send("Bonjour")
    assert "Quel age avez-vous ?" in " ".join(fresh.send("1"))      # a new conversation goes normally


def test_a_frozen_action_server_does_not_hold_the_turn(faulty):
    stack, _, _ = faulty
    phone = new_phone(faulty)
    phone.send("Bonjour")
    stack.signal("actions", signal.SIGSTOP)                          # Rasa would wait 5 minutes for it
    try:
        notice, seconds = timed(lambda: phone.send("1"))
        assert seconds < PROMPT and "technique" in " ".join(notice)
    finally:
        stack.signal("actions", signal.SIGCONT)
    wait_for(lambda: any("Quel age" in m for m in phone.rest_messages()), 120, "the kept SMS answered")


def test_a_frozen_simulation_process_answers_503_promptly_then_comes_back(faulty):
    stack, _, _ = faulty
    api_pid = stack.processes["api"].pid
    children = subprocess.run(["pgrep", "-P", str(api_pid)], capture_output=True, text=True).stdout.split()
    assert children, "the simulation process is a child of the API"
    household = {"commune": "54395", "housing": {"status": "locataire", "rent": 450, "charges": 50},
                 "adults": [{"age": 35, "activity": "salarie", "incomes": {"salary": 900}}], "children": []}
    before = httpx.post(f"{stack.api_url}/api/eligibility", json=household, timeout=60)
    assert before.status_code == 200, before.text
    for child in children:
        subprocess.run(["kill", "-STOP", child], check=False)
    try:
        frozen, seconds = timed(lambda: httpx.post(f"{stack.api_url}/api/eligibility", json=household, timeout=60))
        assert seconds < PROMPT and frozen.status_code == 503
        assert "fr" in frozen.json()["detail"]
    finally:
        for child in children:
            subprocess.run(["kill", "-CONT", child], check=False)
    wait_for(lambda: httpx.post(f"{stack.api_url}/api/eligibility", json=household,
                                timeout=60).status_code == 200, 240, "the simulation process back")
