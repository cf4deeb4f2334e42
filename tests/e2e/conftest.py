"""The real stack (Rasa, action server, API on OpenFisca), started once for the end-to-end tests."""
from __future__ import annotations

import httpx
import pytest

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
