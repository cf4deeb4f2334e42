"""Staff accounts and access: the contract's command, sign-in and lockout, the session cookie, roles and
territories (an agent of Nancy cannot see Vénissieux), volunteers without summaries, the audit log, and
401 on every staff route without a session."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from api.models import Appointment, AuditEntry, StaffUser
from api.staff.access import COOKIE
from knowledge.french import PARIS
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import Running, make_settings, running
from tests.fakes.rasa import FakeRasa
from tests.svc.staff.support import PASSWORD, account, member

ROOT = Path(__file__).resolve().parents[3]
START = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Running]:
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    try:
        async with running(make_settings(tmp_path, twilio, telegram), FakeRasa()) as started:
            yield started
    finally:
        twilio.stop()
        telegram.stop()


def appointment(running_api: Running, territory: str, shared: bool = True) -> str:
    """An appointment in `territory`, with a shared summary, written straight into the database."""
    row = Appointment(id=f"rdv-{territory}"[:32], person_id="p" * 40, channel="web", territory_id=territory,
                      place_id="somewhere", slot_id=f"{territory}:x:{START.isoformat()}", seat=0, start=START,
                      end=START + timedelta(minutes=30), share_summary=shared,
                      summary={"household": {"age": 67}, "worries": ["Peur des contrôles."]} if shared else None)
    with running_api.app.state.db.session() as session:
        session.add(row)
        session.commit()
    return row.id


# -- the command of the contract ------------------------------------------------------------------------
def create_user(tmp_path: Path, *args: str, password: str | None = "mot de passe solide") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "PYTHONPATH": str(ROOT)}
    env.pop("STAFF_PASSWORD", None)
    if password is not None:
        env["STAFF_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "api.staff", "create-user", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_creates_an_account_and_refuses_in_french_what_is_wrong(tmp_path: Path):
    created = create_user(tmp_path, "--email", "Agent@Nancy.fr", "--role", "agent", "--territory", "grand_nancy")
    assert created.returncode == 0, created.stderr
    again = create_user(tmp_path, "--email", "agent@nancy.fr", "--role", "coordinator", "--territory", "grand_nancy")
    assert again.returncode != 0 and "existe déjà" in again.stderr
    no_territory = create_user(tmp_path, "--email", "b@nancy.fr", "--role", "agent")
    assert no_territory.returncode != 0 and "territoire" in no_territory.stderr
    unknown = create_user(tmp_path, "--email", "c@nancy.fr", "--role", "agent", "--territory", "atlantide")
    assert unknown.returncode != 0 and "n'existe pas" in unknown.stderr
    no_password = create_user(tmp_path, "--email", "d@nancy.fr", "--role", "admin", password=None)
    assert no_password.returncode != 0 and "STAFF_PASSWORD" in no_password.stderr
    short = create_user(tmp_path, "--email", "e@nancy.fr", "--role", "admin", password="court")
    assert short.returncode != 0 and "12 caractères" in short.stderr
    assert create_user(tmp_path, "--email", "admin@tzn.fr", "--role", "admin").returncode == 0


# -- signing in ----------------------------------------------------------------------------------------
async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(api):
    email = await account(api.app, "agent", "grand_nancy")
    wrong = await api.client.post("/api/staff/session", json={"email": email, "password": "pas le bon mot de passe"})
    unknown = await api.client.post("/api/staff/session", json={"email": "x@y.fr", "password": "pas le bon mot de passe"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and "set-cookie" not in wrong.headers


async def test_the_session_cookie_is_httponly_lax_and_secure_over_https_and_logout_ends_it(api):
    email = await account(api.app, "coordinator", "grand_nancy")
    signed = await api.client.post("/api/staff/session", json={"email": email.upper(), "password": PASSWORD})
    assert signed.status_code == 200 and signed.json()["role"] == "coordinator"
    cookie = signed.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    token = signed.cookies[COOKIE]
    headers = {"Cookie": f"{COOKIE}={token}"}
    assert (await api.client.get("/api/staff/me", headers=headers)).json()["territory"] == "grand_nancy"
    assert (await api.client.delete("/api/staff/session", headers=headers)).status_code == 200
    assert (await api.client.get("/api/staff/me", headers=headers)).status_code == 401
    with api.app.state.db.session() as session:      # only a digest of the token is stored
        assert token not in str(session.exec(select(StaffUser)).all())


async def test_five_wrong_passwords_lock_the_account_for_a_while(api):
    email = await account(api.app, "agent", "grand_nancy")
    for _ in range(5):
        await api.client.post("/api/staff/session", json={"email": email, "password": "toujours pas le bon"})
    locked = await api.client.post("/api/staff/session", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 401                            # even the right password, while locked
    with api.app.state.db.session() as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == email)).one()
        assert user.locked_until is not None
        user.locked_until = datetime.now(timezone.utc) - timedelta(seconds=1)     # 15 minutes later
        session.add(user)
        session.commit()
    assert (await api.client.post("/api/staff/session", json={"email": email, "password": PASSWORD})).status_code == 200


# -- roles and territories -----------------------------------------------------------------------------
async def test_every_staff_route_needs_a_session(api):
    checked = 0
    for path, operations in api.app.openapi()["paths"].items():
        if not path.startswith("/api/staff/"):
            continue
        for method in sorted(operation.upper() for operation in operations):
            if (method, path) == ("POST", "/api/staff/session"):
                continue
            concrete = path.replace("{", "").replace("}", "")
            answer = await api.client.request(method, concrete, params={"day": "2026-12-01"}, json={})
            assert answer.status_code == 401, f"{method} {path}: {answer.status_code}"
            checked += 1
    assert checked >= 8


async def test_an_agent_of_nancy_cannot_see_venissieux(api):
    theirs = appointment(api, "venissieux")
    async with member(api.app, "agent", "grand_nancy") as agent:
        day = {"day": START.astimezone(PARIS).date().isoformat()}   # the agenda is by Paris day
        assert (await agent.get("/api/staff/appointments", params={**day, "territory": "venissieux"})).status_code == 403
        assert (await agent.get("/api/staff/appointments", params=day)).json()["appointments"] == []
        assert (await agent.get("/api/staff/callbacks", params={"territory": "venissieux"})).status_code == 403
        assert (await agent.get(f"/api/staff/appointments/{theirs}/summary")).status_code == 403
        marked = await agent.post(f"/api/staff/appointments/{theirs}/status", json={"status": "honoured"})
        assert marked.status_code == 403 and "territoire" in marked.json()["detail"]
        assert (await agent.get("/api/staff/audit")).status_code == 403                  # coordinators only
    async with member(api.app, "agent", "venissieux") as colleague:
        listed = (await colleague.get("/api/staff/appointments", params=day)).json()["appointments"]
        assert [a["id"] for a in listed] == [theirs]
    async with member(api.app, "admin", None) as admin:
        assert (await admin.get("/api/staff/appointments", params={**day, "territory": "venissieux"})).status_code == 200


async def test_each_summary_view_is_audited_and_volunteers_see_none(api):
    shared = appointment(api, "grand_nancy")
    async with member(api.app, "agent", "grand_nancy", volunteer=True) as volunteer:
        assert (await volunteer.get(f"/api/staff/appointments/{shared}/summary")).status_code == 403
    async with member(api.app, "agent", "grand_nancy", email="agent.nancy@example.fr") as agent:
        seen = await agent.get(f"/api/staff/appointments/{shared}/summary")
        assert seen.status_code == 200 and seen.json()["summary"]["worries"] == ["Peur des contrôles."]
    with api.app.state.db.session() as session:
        entries = session.exec(select(AuditEntry)).all()
    assert [(e.email, e.action, e.appointment_id) for e in entries] == \
        [("agent.nancy@example.fr", "view_summary", shared)]
    async with member(api.app, "coordinator", "grand_nancy") as coordinator:
        log = (await coordinator.get("/api/staff/audit")).json()["entries"]
        assert [(e["email"], e["appointment"]) for e in log] == [("agent.nancy@example.fr", shared)]
        assert (await coordinator.get("/api/staff/audit", params={"territory": "venissieux"})).status_code == 403
    async with member(api.app, "coordinator", "venissieux") as elsewhere:
        assert (await elsewhere.get("/api/staff/audit")).json()["entries"] == []


async def test_a_change_asked_from_another_site_is_refused(api):
    shared = appointment(api, "grand_nancy")
    async with member(api.app, "agent", "grand_nancy") as agent:
        forged = await agent.post(f"/api/staff/appointments/{shared}/status", json={"status": "missed"},
                                  headers={"Origin": "https://ailleurs.example.com", "Sec-Fetch-Site": "cross-site"})
        assert forged.status_code == 403
        ours = await agent.post(f"/api/staff/appointments/{shared}/status", json={"status": "missed"},
                                headers={"Origin": api.settings.public_base_url, "Sec-Fetch-Site": "same-origin"})
        assert ours.status_code == 200 and ours.json()["appointment"]["status"] == "missed"
