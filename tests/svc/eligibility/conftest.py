"""Fixtures: the eligibility service, started once per test session, behind a small app wired like
api/main.py (router + app.state.eligibility), and an HTTP client on it."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi import FastAPI

from api.core.config import Settings
from api.eligibility.service import EligibilityService
from api.routes.eligibility import router

TODAY = dt.date(2026, 11, 22)


class FixedDayService(EligibilityService):
    """The service with a fixed « today », so that tests mean the same thing every day."""

    def today(self) -> dt.date:
        return TODAY


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(eligibility_batch_window_ms=4.0, eligibility_max_batch=256)


@pytest.fixture(scope="session")
def service(settings: Settings):  # noqa: ANN201
    service = FixedDayService(settings)
    service.start()
    if service.engine.tbs is None:  # simulations in their own process: an engine here too, for the
        service.engine.load(TODAY.strftime("%Y-%m"))  # tests that compare with plain OpenFisca
    yield service
    if service.simulator is not None:  # the simulation process, when the settings use one
        service.simulator.close()


@pytest.fixture(scope="session")
def app(service: EligibilityService) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.state.eligibility = service
    return app


@pytest.fixture(scope="session")
async def client(app: FastAPI):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
