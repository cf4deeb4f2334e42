"""Staff members for the tests: an account created in the app's database, and a client of its own
(its own cookie jar) signed in through the real `POST /api/staff/session`."""
from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from api.staff.accounts import create_user

PASSWORD = "un mot de passe assez long"
_numbers = itertools.count(1)


async def account(app, role: str, territory: str | None, email: str | None = None,  # noqa: ANN001
                  volunteer: bool = False) -> str:
    """Create an account; returns its email."""
    email = email or f"{role}{next(_numbers)}@{territory or 'national'}.example.fr"
    known = {t.id for t in app.state.territories.all()}

    def create(session):  # noqa: ANN001, ANN202
        return create_user(session, email, PASSWORD, role, territory, known, summaries=not volunteer)

    await app.state.db.run(create)
    return email


@asynccontextmanager
async def member(app, role: str, territory: str | None, email: str | None = None,  # noqa: ANN001
                 volunteer: bool = False) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in staff client (its own cookies) on the app."""
    email = await account(app, role, territory, email, volunteer)
    transport = httpx.ASGITransport(app=app)
    # At the public address: over https (as in tests/fakes/app.py) the cookie is Secure, sent over https only.
    async with httpx.AsyncClient(transport=transport, base_url=app.state.settings.public_base_url) as client:
        answer = await client.post("/api/staff/session", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


