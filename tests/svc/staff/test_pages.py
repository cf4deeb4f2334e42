"""The staff pages (/staff/) through the real app, without a browser: sessions and redirects, roles,
CSRF, the login form's own protection, lockout and rate limit, the invitation from end to end, the
agenda (audited summaries, marking, a cancellation told to the person), the call-backs."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from api.core.security import Pseudonymiser
from api.models import Appointment, AuditEntry, CallbackRequest, OutreachAction, StaffInvite, Visit, VisitFact
from api.staff.pages import CSP
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PSEUDONYM_KEY, Running, make_settings, running
from tests.fakes.rasa import FakeRasa
from tests.svc.booking.conftest import MONDAY, TERRITORY
from tests.svc.staff.support import PASSWORD, account, member
from tests.svc.support import Clock

INTERNAL = {"Authorization": "Bearer internal-secret"}
NUMBER = "+33612345678"
SMS_PERSON = Pseudonymiser(PSEUDONYM_KEY).pseudonym("sms", NUMBER)
THURSDAY_14 = "test_ville:marche_jeudi:2026-12-03T14:00"
OTHER = TERRITORY.replace("id: test_ville", "id: autre_ville").replace("name: Test-Ville", "name: Autre-Ville") \
    .replace('"54395"   # Nancy', '"57463"   # Metz')
PAGES = ["/staff/", "/staff/agenda", "/staff/rappels", "/staff/actions", "/staff/actions/nouvelle",
         "/staff/tableau-de-bord", "/staff/equipe", "/staff/journal"]
COORDINATION_PAGES = ["/staff/tableau-de-bord", "/staff/equipe", "/staff/journal"]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[Running, Clock, Any]]:
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(TERRITORY, encoding="utf-8")
    (folder / "autre_ville.yml").write_text(OTHER, encoding="utf-8")
    settings = make_settings(tmp_path, twilio, telegram, territories_dir=folder, internal_api_token="internal-secret",
                             rate_limit_staff_logins="7/minute")
    clock = Clock(MONDAY)
    try:
        async with running(settings, FakeRasa()) as started:
            started.app.state.booking.clock = clock
            started.outbox.clock = clock
            yield started, clock, twilio
    finally:
        twilio.stop()
        telegram.stop()


def anonymous(app) -> httpx.AsyncClient:  # noqa: ANN001
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver")


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


async def csrf(client: httpx.AsyncClient) -> str:
    return hidden((await client.get("/staff/")).text, "csrf")


def text(page: httpx.Response) -> str:
    """The page's text, tags removed, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


async def book(client: httpx.AsyncClient, person: str, share: bool = False, notes: dict | None = None) -> dict:
    body = {"person_id": person, "channel": "sms", "slot_id": THURSDAY_14, "share_summary": share,
            "notes": notes or {}}
    answer = await client.post("/internal/appointments", json=body, headers=INTERNAL)
    assert answer.status_code == 201, answer.text
    return answer.json()["appointment"]


async def audit_rows(running_api: Running) -> list[AuditEntry]:
    return await running_api.db(lambda s: list(s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()))


# -- sessions, roles, CSRF -----------------------------------------------------------------------------------
async def test_without_a_session_every_page_sends_to_the_login_page(api):
    running_api, _, _ = api
    async with anonymous(running_api.app) as client:
        for path in PAGES:
            answer = await client.get(path, params={"day": "2026-12-03"} if path == "/staff/agenda" else None)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/staff/login?next=" + path.replace("/", "%2F")), path
        posted = await client.post("/staff/rappels/x/fait", data={"csrf": "x"})
        assert (posted.status_code, posted.headers["location"]) == (303, "/staff/login")
        login = await client.get("/staff/login?next=/staff/agenda")
        assert login.status_code == 200 and 'name="next" value="/staff/agenda"' in login.text


async def test_the_pages_are_french_accessible_and_under_a_strict_csp(api):
    running_api, _, _ = api
    async with member(running_api.app, "coordinator", "test_ville") as client:
        for path in PAGES:
            page = await client.get(path)
            assert page.status_code == 200, path
            assert page.headers["content-security-policy"] == CSP and "script-src" not in CSP
            assert page.headers["cache-control"] == "no-store"
            assert '<html lang="fr">' in page.text and 'href="#contenu"' in page.text and '<main id="contenu"' in page.text
            assert "<script" not in page.text and "style=" not in page.text, path   # nothing the CSP would block
        sheet = await client.get("/staff/static/staff.css")
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
        assert (await client.get("/staff/static/../pages.py")).status_code == 404


async def test_agents_see_their_menu_and_get_a_french_403_on_coordination_pages(api):
    running_api, _, _ = api
    async with member(running_api.app, "agent", "test_ville") as agent:
        home = await agent.get("/staff/")
        assert 'href="/staff/agenda"' in home.text and 'href="/staff/rappels"' in home.text
        assert all(f'href="{path}"' not in home.text for path in COORDINATION_PAGES)
        for path in COORDINATION_PAGES:
            refused = await agent.get(path)
            assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
            assert "Votre rôle ne permet pas cette action." in text(refused)
        other = await agent.get("/staff/agenda", params={"territory": "autre_ville"})
        assert other.status_code == 403 and "Ce territoire n'est pas le vôtre." in text(other)
    async with member(running_api.app, "coordinator", "test_ville") as coordinator:
        home = await coordinator.get("/staff/")
        assert all(f'href="{path}"' in home.text for path in COORDINATION_PAGES)


async def test_a_form_without_the_session_csrf_token_is_refused(api):
    running_api, _, _ = api
    booked = await book(running_api.client, "p1")
    async with member(running_api.app, "agent", "test_ville") as agent:
        for token in (None, "not-the-token"):
            data = {"status": "honoured"} | ({"csrf": token} if token else {})
            refused = await agent.post(f"/staff/agenda/{booked['id']}/statut", data=data)
            assert refused.status_code == 403 and "Le formulaire a expiré." in text(refused)
        assert (await agent.post("/staff/logout")).status_code == 403
        row = await running_api.db(lambda s: s.get(Appointment, booked["id"]))
        assert row.status == "booked"
        # from another site, even with the token
        token = await csrf(agent)
        cross = await agent.post(f"/staff/agenda/{booked['id']}/statut", data={"status": "honoured", "csrf": token},
                                 headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        logout = await agent.post("/staff/logout", data={"csrf": token})
        assert logout.status_code == 303 and logout.headers["location"] == "/staff/login?note=signed_out"
        assert (await agent.get("/staff/")).status_code == 303                 # the session is closed


# -- login ------------------------------------------------------------------------------------------------------
async def login(client: httpx.AsyncClient, email: str, password: str, **extra: str) -> httpx.Response:
    form = await client.get("/staff/login")
    return await client.post("/staff/login", data={"email": email, "password": password,
                                                   "form_token": hidden(form.text, "form_token"), **extra})


async def test_login_and_logout_through_the_forms(api):
    running_api, _, _ = api
    email = await account(running_api.app, "agent", "test_ville")
    async with anonymous(running_api.app) as client:
        signed = await login(client, email, PASSWORD, next="/staff/rappels")
        assert signed.status_code == 303 and signed.headers["location"] == "/staff/rappels"
        assert "HttpOnly" in signed.headers["set-cookie"] and "Secure" in signed.headers["set-cookie"]
        assert "Aujourd'hui" in text(await client.get("/staff/"))
        assert (await client.get("/staff/login")).headers["location"] == "/staff/"     # already signed in
    async with anonymous(running_api.app) as client:
        away = await login(client, email, PASSWORD, next="https://evil.example/")
        assert away.headers["location"] == "/staff/"


async def test_the_login_form_has_its_own_token_before_any_session(api):
    running_api, _, _ = api
    email = await account(running_api.app, "agent", "test_ville")
    async with anonymous(running_api.app) as client:
        forged = await client.post("/staff/login", data={"email": email, "password": PASSWORD, "form_token": "x"})
        assert forged.status_code == 403 and "Le formulaire a expiré." in text(forged)
        assert "tzn_staff" not in client.cookies
        page = await client.get("/staff/login")
        cookie = client.cookies["tzn_staff_form"]
        assert hidden(page.text, "form_token") == cookie
        assert "samesite=strict" in page.headers["set-cookie"].lower()


async def test_five_wrong_passwords_lock_the_account_with_the_message(api):
    running_api, _, _ = api
    email = await account(running_api.app, "agent", "test_ville")
    message = "Adresse e-mail ou mot de passe incorrect. Après 5 erreurs, le compte est bloqué 15 minutes."
    async with anonymous(running_api.app) as client:
        for _ in range(5):
            wrong = await login(client, email, "pas le bon mot de passe")
            assert wrong.status_code == 401 and message in text(wrong)
            assert 'aria-describedby="form-error"' in wrong.text and 'role="alert"' in wrong.text
            assert f'value="{email}"' in wrong.text                          # the email stays filled in
        locked = await login(client, email, PASSWORD)
        assert locked.status_code == 401 and message in text(locked)
        unknown = await login(client, "personne@test.example.fr", PASSWORD)
        assert unknown.status_code == 401 and message in text(unknown)       # the same answer
        # the address's rate limit (7/minute here), shared with the API's sign-in route
        too_many = await login(client, email, PASSWORD)
        assert too_many.status_code == 429 and "Trop d'essais de connexion" in text(too_many)
        api_refused = await client.post("/api/staff/session", json={"email": email, "password": PASSWORD})
        assert api_refused.status_code == 429


# -- invitation --------------------------------------------------------------------------------------------------
async def test_an_invitation_from_the_team_page_to_the_first_login(api):
    running_api, _, _ = api
    async with member(running_api.app, "admin", None) as admin:
        token = await csrf(admin)
        bad = await admin.post("/staff/equipe/invitations", data={
            "csrf": token, "email": "pas-une-adresse", "role": "agent", "territory": "test_ville"})
        assert bad.status_code == 422 and "Cette adresse e-mail n'est pas valide." in text(bad)
        assert 'aria-describedby="email-error"' in bad.text and 'aria-invalid="true"' in bad.text
        no_territory = await admin.post("/staff/equipe/invitations", data={
            "csrf": token, "email": "benevole@test.example.fr", "role": "agent", "territory": ""})
        assert "Un agent ou un coordinateur doit avoir un territoire." in text(no_territory)
        assert 'aria-describedby="territory-hint territory-error"' in no_territory.text
        made = await admin.post("/staff/equipe/invitations", data={
            "csrf": token, "email": "Benevole@Test.example.fr", "role": "agent", "territory": "test_ville",
            "volunteer": "yes"})
        assert made.status_code == 201
        link = re.search(r'href="(https://assistant\.example\.org/staff/invitation/[^"]+)"', made.text).group(1)
        again = await admin.get("/staff/equipe")
        assert link not in again.text and "benevole@test.example.fr" in text(again)   # shown once; pending
    path = link.removeprefix("https://assistant.example.org")
    async with anonymous(running_api.app) as person:
        form = await person.get(path)
        assert form.status_code == 200 and "benevole@test.example.fr" in text(form)
        fields = {"form_token": hidden(form.text, "form_token")}
        mismatch = await person.post(path, data={**fields, "password": PASSWORD, "password_again": "autre chose"})
        assert mismatch.status_code == 422 and "Les deux mots de passe sont différents." in text(mismatch)
        assert 'aria-describedby="password_again-error"' in mismatch.text
        fields = {"form_token": hidden(mismatch.text, "form_token")}
        short = await person.post(path, data={**fields, "password": "court", "password_again": "court"})
        assert short.status_code == 422 and "au moins 12 caractères" in text(short)
        fields = {"form_token": hidden(short.text, "form_token")}
        done = await person.post(path, data={**fields, "password": PASSWORD, "password_again": PASSWORD})
        assert done.status_code == 303 and done.headers["location"] == "/staff/login?note=account_ready"
        assert "Votre compte est prêt." in text(await person.get(done.headers["location"]))
        assert (await person.get(path)).status_code == 404                 # used: no second account
        signed = await login(person, "benevole@test.example.fr", PASSWORD)
        assert signed.status_code == 303
        me = (await person.get("/api/staff/me")).json()
        assert me == {"email": "benevole@test.example.fr", "role": "agent", "territory": "test_ville",
                      "summaries": False}
    assert [(row.action, row.territory_id) for row in await audit_rows(running_api)] == [
        ("invite", "test_ville"), ("invite_accepted", "test_ville")]


async def test_a_coordinator_invites_only_into_their_territory_and_never_an_admin(api):
    running_api, _, _ = api
    await account(running_api.app, "agent", "autre_ville", email="ailleurs@test.example.fr")
    async with member(running_api.app, "coordinator", "test_ville") as coordinator:
        team = await coordinator.get("/staff/equipe")
        assert "ailleurs@test.example.fr" not in team.text and 'value="admin"' not in team.text
        token = hidden(team.text, "csrf")
        admin = await coordinator.post("/staff/equipe/invitations", data={
            "csrf": token, "email": "chef@test.example.fr", "role": "admin"})
        assert admin.status_code == 422 and "Vous pouvez inviter un agent" in text(admin)
        made = await coordinator.post("/staff/equipe/invitations", data={
            "csrf": token, "email": "nouveau@test.example.fr", "role": "agent", "territory": "autre_ville"})
        assert made.status_code == 201
    invites = await running_api.db(lambda s: [(i.email, i.territory_id) for i in s.exec(select(StaffInvite)).all()])
    assert invites == [("nouveau@test.example.fr", "test_ville")]
    rows = await audit_rows(running_api)
    assert [(r.action, r.territory_id) for r in rows] == [("invite", "test_ville")]    # its own, whatever was sent


# -- agenda, summaries, call-backs ---------------------------------------------------------------------------------
async def test_the_agenda_by_place_and_a_summary_view_written_to_the_audit_log(api):
    running_api, _, _ = api
    shared = await book(running_api.client, "p1", share=True, notes={"worries": ["Peur des contrôles."]})
    await book(running_api.client, "p2")
    async with member(running_api.app, "agent", "test_ville", email="agent@test.example.fr") as agent:
        week = await agent.get("/staff/agenda", params={"day": "2026-12-01", "view": "week"})
        shown = text(week)
        assert "semaine du lundi 30 novembre 2026" in shown and "jeudi 3 décembre 2026" in shown
        assert "Marché du Haut-du-Lièvre" in shown and shown.count("14h – 14h30") == 2
        assert week.text.count("Voir le résumé") == 1                       # the shared one only
        assert "Peur des contrôles." not in shown                           # not in the list itself
        today = await agent.get("/staff/agenda")
        assert "lundi 30 novembre 2026" in text(today) and "Aucun rendez-vous ce jour-là." in text(today)
        back = hidden(week.text, "back")
        assert (await agent.post(f"/staff/agenda/{shared['id']}/resume", data={"back": back})).status_code == 403
        assert await audit_rows(running_api) == []
        summary = await agent.post(f"/staff/agenda/{shared['id']}/resume",
                                   data={"csrf": await csrf(agent), "back": back})
        assert summary.status_code == 200 and "Peur des contrôles." in text(summary)
        assert summary.headers["cache-control"] == "no-store"
    rows = await audit_rows(running_api)
    assert [(r.email, r.action, r.appointment_id) for r in rows] == [
        ("agent@test.example.fr", "view_summary", shared["id"])]
    async with member(running_api.app, "agent", "test_ville", volunteer=True) as volunteer:
        week = await volunteer.get("/staff/agenda", params={"day": "2026-12-03"})
        assert "Voir le résumé" not in week.text and "Votre compte ne permet pas de le lire." in text(week)
        refused = await volunteer.post(f"/staff/agenda/{shared['id']}/resume", data={"csrf": await csrf(volunteer)})
        assert refused.status_code == 403 and "ne donne pas accès aux résumés" in text(refused)
    async with member(running_api.app, "coordinator", "test_ville") as coordinator:
        journal = text(await coordinator.get("/staff/journal"))
        assert "agent@test.example.fr" in journal and "A lu un résumé" in journal
    async with member(running_api.app, "coordinator", "autre_ville") as elsewhere:
        assert "agent@test.example.fr" not in text(await elsewhere.get("/staff/journal"))
        other = await elsewhere.post(f"/staff/agenda/{shared['id']}/resume", data={"csrf": await csrf(elsewhere)})
        assert other.status_code == 403
    assert len(await audit_rows(running_api)) == 1


async def test_marking_and_a_confirmed_cancellation_told_to_the_person(api):
    running_api, _, twilio = api
    await running_api.sms(NUMBER, "bonjour")
    booked = await book(running_api.client, SMS_PERSON)
    other = await book(running_api.client, "p2")
    async with member(running_api.app, "agent", "test_ville") as agent:
        page = await agent.get("/staff/agenda", params={"day": "2026-12-03"})
        token, back = hidden(page.text, "csrf"), hidden(page.text, "back")
        assert back == "/staff/agenda?day=2026-12-03&view=day&territory=test_ville"
        honoured = await agent.post(f"/staff/agenda/{other['id']}/statut",
                                    data={"csrf": token, "back": back, "status": "honoured"})
        assert honoured.status_code == 303 and honoured.headers["location"] == back + "&note=marked_honoured"
        assert "Le rendez-vous est noté « venu »." in text(await agent.get(honoured.headers["location"]))
        before = len(twilio.bodies(NUMBER))
        asked = await agent.post(f"/staff/agenda/{booked['id']}/statut",
                                 data={"csrf": token, "back": back, "status": "cancelled"})
        assert asked.status_code == 200 and "Annuler ce rendez-vous ?" in text(asked)
        assert (await running_api.db(lambda s: s.get(Appointment, booked["id"]))).status == "booked"
        done = await agent.post(f"/staff/agenda/{booked['id']}/statut",
                                data={"csrf": hidden(asked.text, "csrf"), "back": hidden(asked.text, "back"),
                                      "confirm": "yes", "status": "cancelled"})
        assert done.headers["location"] == back + "&note=marked_cancelled_told"
        wrong = await agent.post(f"/staff/agenda/{booked['id']}/statut", data={"csrf": token, "status": "perdu"})
        assert wrong.status_code == 400
        unknown = await agent.post("/staff/agenda/inconnu/statut", data={"csrf": token, "status": "missed"})
        assert unknown.status_code == 404 and "Ce rendez-vous est introuvable." in text(unknown)
    await running_api.outbox.drain()
    told = twilio.bodies(NUMBER)[before:]
    assert len(told) == 1 and "l'équipe doit annuler" in told[0]
    rows = await running_api.db(lambda s: {a.id: a.status for a in s.exec(select(Appointment)).all()})
    assert rows == {booked["id"]: "cancelled", other["id"]: "honoured"}


async def test_call_backs_with_a_tel_link_and_done(api):
    running_api, _, _ = api
    await running_api.sms(NUMBER, "bonjour")
    created = await running_api.client.post("/internal/callbacks", headers=INTERNAL, json={
        "person_id": SMS_PERSON, "channel": "sms", "commune": "54395", "preferred_times": "le matin"})
    assert created.status_code == 201
    async with member(running_api.app, "agent", "autre_ville") as elsewhere:
        assert "06 12 34 56 78" not in (await elsewhere.get("/staff/rappels")).text
    async with member(running_api.app, "agent", "test_ville") as agent:
        page = await agent.get("/staff/rappels")
        assert 'href="tel:+33612345678"' in page.text and "Appeler le 06 12 34 56 78" in text(page)
        assert "le matin" in text(page)
        callback_id = (await running_api.db(lambda s: s.exec(select(CallbackRequest)).one())).id
        done = await agent.post(f"/staff/rappels/{callback_id}/fait",
                                data={"csrf": hidden(page.text, "csrf"), "back": hidden(page.text, "back")})
        assert done.headers["location"] == "/staff/rappels?note=callback_done"
        after = await agent.get(done.headers["location"])
        assert "Le numéro est effacé." in text(after) and "06 12 34 56 78" not in text(after)
    row = await running_api.db(lambda s: s.get(CallbackRequest, callback_id))
    assert (row.status, row.phone_enc) == ("done", None)


async def test_odd_requests_get_a_french_page_never_a_500(api):
    running_api, _, _ = api
    async with member(running_api.app, "agent", "test_ville") as agent:
        bad_day = await agent.get("/staff/agenda", params={"day": "demain", "view": "n'importe"})
        assert bad_day.status_code == 200 and "La date doit avoir la forme AAAA-MM-JJ." in text(bad_day)
        assert 'aria-describedby="day-error"' in bad_day.text
        broken = await agent.post("/staff/rappels/x/fait", content=b"--x\r\nnot multipart",
                                  headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert broken.status_code in (400, 403) and broken.headers["content-type"].startswith("text/html")
        missing = await agent.post("/staff/rappels/inconnu/fait", data={"csrf": await csrf(agent)})
        assert missing.status_code == 404 and "Cette demande de rappel est introuvable." in text(missing)
        assert (await agent.get("/staff/invitation/pas-une-invitation")).status_code == 404


# -- outreach actions ----------------------------------------------------------------------------------------
async def test_an_action_created_from_the_form_with_its_links_and_counts(api):
    running_api, _, _ = api
    async with member(running_api.app, "agent", "test_ville") as agent:
        form = await agent.get("/staff/actions/nouvelle")
        token = hidden(form.text, "csrf")
        assert "Marché du Haut-du-Lièvre" in text(form)                        # the territory's usual places
        refused = await agent.post("/staff/actions", data={
            "csrf": token, "territory": "autre_ville", "place": "", "day": "2026-12-05", "hours": "9h-25h",
            "kind": "marche", "team": "Awa, Louis"})
        assert refused.status_code == 422
        assert 'aria-describedby="place-hint place-error"' in refused.text and "Indiquez le lieu" in text(refused)
        assert 'value="2026-12-05"' in refused.text and 'value="Awa, Louis"' in refused.text   # kept
        made = await agent.post("/staff/actions", data={
            "csrf": token, "territory": "autre_ville", "place": "Marché de Saint-Max", "day": "2026-12-05",
            "hours": "9h-12h", "kind": "marche", "team": "Awa, Louis"})
        assert made.status_code == 303 and made.headers["location"].endswith("?note=action_created")
        code = made.headers["location"].removeprefix("/staff/actions/").split("?")[0]
        action = await running_api.db(lambda s: s.get(OutreachAction, code))
        assert (action.territory_id, action.team, action.hours) == ("test_ville", ["Awa", "Louis"], "9h-12h")
        page = await agent.get(made.headers["location"])
        shown = text(page)
        assert "L'action est créée." in shown and "Marché de Saint-Max" in shown and action.keyword in shown
        assert f'href="https://assistant.example.org/c/{code}"' in page.text
        for link in ("poster.pdf", "cards.pdf", "qr.svg"):
            assert f'href="/api/staff/actions/{code}/{link}"' in page.text
        assert f"https://t.me/VosDroitsBot?start={code}" in page.text          # a Telegram bot is set
        listed = text(await agent.get("/staff/actions"))
        assert "Marché de Saint-Max" in listed and "samedi 5 décembre 2026" in listed
        assert "Marché de Saint-Max" in text(await agent.get("/staff/"))       # within the next 14 days

        token = hidden(page.text, "csrf")
        wrong = await agent.post(f"/staff/actions/{code}/chiffres",
                                 data={"csrf": token, "people_met": "beaucoup", "rights_checks_on_site": "3"})
        assert wrong.status_code == 422 and 'aria-describedby="people_met-hint people_met-error"' in wrong.text
        assert "rights_checks_on_site-error" not in wrong.text and 'value="beaucoup"' in wrong.text
        saved = await agent.post(f"/staff/actions/{code}/chiffres",
                                 data={"csrf": token, "people_met": "42", "rights_checks_on_site": "7"})
        assert saved.headers["location"] == f"/staff/actions/{code}?note=counts_saved"
    action = await running_api.db(lambda s: s.get(OutreachAction, code))
    assert (action.people_met, action.rights_checks_on_site) == (42, 7)
    async with member(running_api.app, "agent", "autre_ville") as elsewhere:
        assert (await elsewhere.get(f"/staff/actions/{code}")).status_code == 403
        assert "Marché de Saint-Max" not in (await elsewhere.get("/staff/actions")).text
        assert (await elsewhere.get("/staff/actions/inconnue")).status_code == 404


# -- dashboard ---------------------------------------------------------------------------------------------------
def seed_visits(session) -> None:  # noqa: ANN001
    """November 2026 in Test-Ville: 7 SMS conversations and 2 on the web; 6 screened, 6 with the RSA and
    2 with the prime d'activité; one elsewhere."""
    for n in range(9):
        started = datetime(2026, 11, 2 + n, 10, tzinfo=timezone.utc)
        visit = Visit(channel="sms" if n < 7 else "web", territory_id="test_ville", started_at=started,
                      screened_at=started + timedelta(minutes=5) if n < 6 else None, source="marche-test" if n < 3 else None)
        session.add(visit)
        session.flush()
        if n < 6:
            session.add(VisitFact(visit_id=visit.id, kind="benefit", key="rsa", monthly_euros=500.0))
        if n < 2:
            session.add(VisitFact(visit_id=visit.id, kind="benefit", key="prime_activite", monthly_euros=200.0))
            session.add(VisitFact(visit_id=visit.id, kind="life_event", key="senior"))
    session.add(Visit(channel="telegram", territory_id="autre_ville", started_at=datetime(2026, 11, 3, tzinfo=timezone.utc)))
    session.commit()


async def test_the_dashboard_draws_its_charts_with_tables_and_hides_small_counts(api):
    running_api, _, _ = api
    await running_api.db(seed_visits)
    async with member(running_api.app, "coordinator", "test_ville") as coordinator:
        page = await coordinator.get("/staff/tableau-de-bord", params={"from": "2026-10-01", "to": "2026-11-30"})
        assert page.status_code == 200
        shown = text(page)
        assert "Du jeudi 1 octobre 2026 au lundi 30 novembre 2026" in shown
        assert page.text.count("<figure") == 4 and page.text.count('<svg class="chart"') == 4
        assert page.text.count("<figcaption") == 4 and page.text.count("<table") >= 5
        # by month: October 0, November 9; by channel: 7 SMS, the others hidden or zero
        assert re.search(r"<th scope=\"row\">octobre 2026</th><td class=\"number\">0</td>", page.text)
        assert re.search(r"<th scope=\"row\">novembre 2026</th><td class=\"number\">9</td>"
                         r"<td class=\"number\">6</td>", page.text)
        assert re.search(r"<th scope=\"row\">SMS</th><td class=\"number\">7</td>", page.text)
        assert re.search(r"<th scope=\"row\">Site web</th><td class=\"number\">&lt; 5</td>", page.text)
        assert re.search(r"<th scope=\"row\">Telegram</th><td class=\"number\">0</td>", page.text)  # not ours
        assert re.search(r"Revenu de solidarité active \(RSA\)</th><td class=\"number\">6</td>"
                         r"<td class=\"number\">3\u202f000</td>", page.text)
        assert "Prime d'activité < 5 –" in shown                           # 2 people: no euros either
        assert "65 ans et plus < 5" in shown and "marche-test < 5" in shown
        csv_link = html.unescape(re.search(r'href="(/api/staff/indicators\?[^"]+)"', page.text).group(1))
        assert "format=csv" in csv_link and "territory=test_ville" in csv_link
        csv = await coordinator.get(csv_link)
        assert csv.headers["content-type"].startswith("text/csv") and "conversations.by_channel,sms,7" in csv.text
        reversed_period = await coordinator.get("/staff/tableau-de-bord", params={"from": "2026-11-30", "to": "2026-11-01"})
        assert reversed_period.status_code == 422 and 'aria-describedby="to-error"' in reversed_period.text
        assert "<figure" not in reversed_period.text
        assert (await coordinator.get("/staff/tableau-de-bord", params={"territory": "autre_ville"})).status_code == 403
    async with member(running_api.app, "admin", None) as admin:
        everything = text(await admin.get("/staff/tableau-de-bord", params={"from": "2026-11-01", "to": "2026-11-30"}))
        assert "Tous les territoires" in everything


def test_benefits_are_named_as_people_read_them_local_aids_included():
    from types import SimpleNamespace

    from api.staff.pages import benefit_name
    from api.territories import Territories
    from api.core.config import Settings
    state = SimpleNamespace(territories=Territories.load(Settings(_env_file=None).territories_dir))
    assert benefit_name(state, "aspa") == "Allocation de solidarité aux personnes âgées (ASPA)"
    assert benefit_name(state, "local.grand_nancy.fonds_solidarite_logement") == \
        "Fonds de solidarité pour le logement (FSL)"
    assert benefit_name(state, "inconnue") == "inconnue"
