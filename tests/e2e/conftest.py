"""The real stack (Rasa, action server, API on OpenFisca), started once for the end-to-end tests."""
from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio
from tests.stack import MODEL, Stack, start_stack
from tests.svc.eligibility.eligibility_reference import PERIOD


@pytest.fixture(scope="session")
def stack() -> Stack:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    # The month estimated is fixed, so that amounts compare with the hand-written references.
    started = start_stack(extra_env={"ESTIMATE_PERIOD": PERIOD})
    yield started
    started.stop()


@pytest.fixture
def client(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.api_url, timeout=60) as http:
        yield http


def sms_stack() -> Iterator[tuple[Stack, FakeTwilio, str]]:
    """A stack of its own whose SMS go to a local stand-in for Twilio: (stack, stand-in, auth token).
    For a module's fixture: `yield from sms_stack()`."""
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model`")
    token = secrets.token_urlsafe(24)
    twilio = FakeTwilio(auth_token=token).start()
    started = start_stack(extra_env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token,
                                     "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url})
    yield started, twilio, token
    started.stop()
    twilio.stop()
