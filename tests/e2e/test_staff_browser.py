"""The staff pages in a real browser: Playwright drives Debian's chromium against the real API (served in
a thread, SQLite, the territories of knowledge/; no Rasa is needed). A day at the market on a phone: sign
in, create an action, download its poster (its text layer holds the chat address), open the agenda and a
shared summary, call back; the coordinator's dashboard on a laptop; axe-core (WCAG 2.1 A and AA) on
every staff page at 375 px and 1280 px, with nothing wider than the screen.
"""
from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from api.core.config import Settings
from api.core.db import Database
from api.main import create_app
from api.models import EstimateRecord, Visit, VisitFact
from api.staff.accounts import create_user
from knowledge.french import PARIS
from tests.e2e.served import listening, served
from tests.e2e.test_browser import AXE_TAGS, browser  # noqa: F401  (the module's chromium)

pytestmark = pytest.mark.browser

INTERNAL = {"Authorization": "Bearer test-internal-token"}
PASSWORD = "un mot de passe assez long"
ADMIN, COORDINATOR, AGENT = "admin@tzn.example.fr", "coordination@nancy.example.fr", "agent@nancy.example.fr"
PHONE = 375
LAPTOP = 1280
WORRY = "Peur des contrôles, ou de devoir rembourser."
CALLBACK_NUMBER = "+33612345678"
# as the action server sends them with the estimate (actions/household.py `summary`, actions/results.py)
HOUSEHOLD = {"age": 34, "couple": False, "children_ages": [4, 9], "commune": "Nancy", "housing_status": "locataire",
             "activity": "salarie", "unknown": ["rent"]}
BENEFITS = [{"id": "prime_activite", "status": "eligible", "monthly_amount": 212.5, "yearly_amount": None},
            {"id": "rsa", "status": "not_eligible", "monthly_amount": None, "yearly_amount": None}]


@dataclass
class StaffSite:
    url: str
    day: date            # the day of the booked appointments (Paris)


def viewport(width: int) -> dict[str, Any]:
    mobile = width < 600
    return {"viewport": {"width": width, "height": 800 if mobile else 900}, "locale": "fr-FR",
            "device_scale_factor": 2 if mobile else 1, "is_mobile": mobile, "has_touch": mobile}


def quiet_rasa(request: httpx.Request) -> httpx.Response:
    """Rasa is up and says nothing: the staff pages never talk to it."""
    return httpx.Response(200, json={"model_file": "x"} if request.url.path == "/status" else [])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffSite]:
    workdir = tmp_path_factory.mktemp("staff")
    database_url = f"sqlite:///{workdir / 'staff.db'}"
    with listening() as (sock, url):
        settings = Settings(_env_file=None, database_url=database_url, public_base_url=url,
                            pseudonym_key="k" * 32, data_encryption_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
                            internal_api_token="test-internal-token", rasa_url="http://rasa.test",
                            rasa_ready_wait_seconds=0.5, eligibility_load=False, rate_limits_enabled=False,
                            tracker_store_url="memory")
        database = Database(database_url)
        database.migrate()
        known = {path.stem for path in settings.territories_dir.glob("*.yml")}
        with database.session() as session:
            create_user(session, ADMIN, PASSWORD, "admin", None, known)
            create_user(session, COORDINATOR, PASSWORD, "coordinator", "grand_nancy", known)
            create_user(session, AGENT, PASSWORD, "agent", "grand_nancy", known)
            session.add(EstimateRecord(person_id="shared-person", household=HOUSEHOLD, benefits=BENEFITS,
                                       monthly_total=212.5))
            for n, channel in enumerate(["sms"] * 7 + ["web"] * 6 + ["telegram"] * 2):
                started = datetime.now(timezone.utc) - timedelta(days=n * 9)
                visit = Visit(channel=channel, territory_id="grand_nancy", started_at=started,
                              screened_at=started if n % 2 == 0 else None)
                session.add(visit)
                session.flush()
                if n % 2 == 0:
                    session.add(VisitFact(visit_id=visit.id, kind="benefit", key="prime_activite", monthly_euros=200))
            session.commit()
        database.dispose()
        app = create_app(settings, rasa_transport=httpx.MockTransport(quiet_rasa))
        with served(app, sock), httpx.Client(base_url=url, headers=INTERNAL, timeout=30) as internal:
            slot = internal.get("/internal/slots", params={"commune": "54395"}).json()["slots"][0]
            for person, share in (("shared-person", True), ("other-person", False)):
                booked = internal.post("/internal/appointments", json={
                    "person_id": person, "channel": "web", "slot_id": slot["id"], "share_summary": share,
                    "notes": {"worries": [WORRY]}})
                assert booked.status_code == 201, booked.text
            asked = internal.post("/internal/callbacks", json={
                "person_id": "caller", "channel": "web", "commune": "54395", "preferred_times": "le matin",
                "phone": CALLBACK_NUMBER})
            assert asked.status_code == 201, asked.text
            day = datetime.fromisoformat(slot["start"]).astimezone(PARIS).date()
            yield StaffSite(url, day)


@pytest.fixture
def context(browser: Browser):  # noqa: F811
    opened: list[Any] = []

    def open_context(width: int) -> Any:
        context = browser.new_context(**viewport(width), accept_downloads=True)
        context.set_default_timeout(20_000)
        # every violation of the pages' CSP is kept, to be asserted empty
        context.add_init_script("""
            window.__violations = [];
            document.addEventListener('securitypolicyviolation',
                e => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));
        """)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def sign_in(page: Page, site: StaffSite, email: str, start: str = "/staff/") -> None:
    page.goto(site.url + start)
    expect(page.get_by_role("heading", name="Connexion à l'espace de l'équipe")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def no_csp_violation(page: Page) -> None:
    assert page.evaluate("window.__violations") == [], page.url


def big_enough(page: Page, *names: str) -> None:
    for name in names:
        box = page.get_by_role("button", name=name).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)


# -- a day at the market, on a phone -------------------------------------------------------------------------
def test_an_agent_on_a_phone_creates_an_action_and_prints_its_poster(context, site: StaffSite, tmp_path: Path):
    page = context(PHONE).new_page()
    sign_in(page, site, AGENT, "/staff/actions")
    assert page.url == site.url + "/staff/actions"                    # back where the login was asked
    page.get_by_role("link", name="Créer une action", exact=True).first.click()
    page.get_by_label("Lieu").fill("Marché de Saint-Max, devant la pharmacie")
    page.get_by_label("Date").fill((site.day - timedelta(days=1)).isoformat())
    page.get_by_label("Horaires").fill("9h - 12h")
    page.get_by_label("Type d'action").select_option(label="Marché")
    page.get_by_label("Équipe").fill("Awa, Louis")
    page.get_by_role("button", name="Créer l'action").click()
    expect(page.get_by_role("status")).to_have_text("L'action est créée. Voici son affiche et ses liens.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Marché de Saint-Max, devant la pharmacie")
    chat_url = page.locator("dl.ways a").first.inner_text()
    assert chat_url.startswith(site.url + "/c/")
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    fits(page, PHONE)
    big_enough(page, "Enregistrer les chiffres")

    with page.expect_download() as download:
        page.get_by_role("link", name="Affiche A4 (PDF)").click()
    saved = tmp_path / "affiche.pdf"
    download.value.save_as(saved)
    words = "".join(p.extract_text() for p in PdfReader(saved).pages)
    assert chat_url in words.replace("\n", "")

    page.get_by_label("Personnes rencontrées").fill("trente")
    page.get_by_label("Droits vérifiés sur place").fill("4")
    page.get_by_role("button", name="Enregistrer les chiffres").click()
    field = page.get_by_label("Personnes rencontrées")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "Un nombre entier, de 0 à 10 000. Les nombres doivent être des nombres entiers, de 0 à 10 000.")
    field.fill("30")
    page.get_by_role("button", name="Enregistrer les chiffres").click()
    expect(page.get_by_role("status")).to_have_text("Les chiffres de l'action sont enregistrés.")
    expect(page.get_by_label("Personnes rencontrées")).to_have_value("30")
    no_csp_violation(page)


def test_an_agent_opens_the_agenda_a_summary_and_calls_back(context, site: StaffSite):
    page = context(PHONE).new_page()
    sign_in(page, site, AGENT)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Agenda").click()
    page.get_by_label("Jour").fill(site.day.isoformat())
    page.get_by_label("Affichage").select_option("week")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agenda de la semaine du")
    cards = page.locator(".card")
    expect(cards).to_have_count(2)
    fits(page, PHONE)
    big_enough(page, "Venu", "Absent", "Annuler")

    page.get_by_role("button", name="Voir le résumé").click()
    expect(page.get_by_role("heading", name="Résumé avant le rendez-vous")).to_be_visible()
    expect(page.get_by_text("Âge : 34 ans")).to_be_visible()
    expect(page.get_by_text("Activité : travaille")).to_be_visible()
    expect(page.get_by_text("Commune : Nancy")).to_be_visible()
    expect(page.get_by_text("2 enfants à charge (4, 9 ans)")).to_be_visible()
    expect(page.get_by_text("votre loyer")).to_be_visible()                           # not given: said so
    expect(page.get_by_text(re.compile(r"environ 212\s€ par mois")).first).to_be_visible()   # to the euro, as the bot says it
    expect(page.get_by_text("Prime d'activité")).to_be_visible()
    expect(page.get_by_text("Revenu de solidarité active")).to_have_count(0)       # not eligible: left out
    expect(page.get_by_text(WORRY)).to_be_visible()
    page.get_by_role("link", name="Revenir à l'agenda").click()

    # the one without a shared summary: cancelled, after a confirmation
    other = cards.filter(has_text="Pas de résumé partagé.")
    other.get_by_role("button", name="Annuler").click()
    expect(page.get_by_role("heading", name="Annuler ce rendez-vous ?")).to_be_visible()
    page.get_by_role("button", name="Oui, annuler le rendez-vous").click()
    expect(page.get_by_role("status")).to_contain_text("Le rendez-vous est annulé.")
    expect(page.locator(".card .status-cancelled")).to_have_count(1)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Rappels").click()
    call = page.get_by_role("link", name="Appeler le 06 12 34 56 78")
    expect(call).to_have_attribute("href", "tel:" + CALLBACK_NUMBER)
    expect(page.get_by_text("Moments préférés : le matin")).to_be_visible()
    fits(page, PHONE)
    no_csp_violation(page)


# -- the committee's figures, on a laptop --------------------------------------------------------------------------
def test_a_coordinator_reads_the_dashboard_and_downloads_the_figures(context, site: StaffSite, tmp_path: Path):
    page = context(LAPTOP).new_page()
    sign_in(page, site, COORDINATOR)
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord : Grand Nancy")
    for caption in ("Conversations par mois", "Conversations par canal", "Aides probables, en nombre de personnes"):
        figure = page.get_by_role("figure", name=caption)
        expect(figure.locator("svg.chart")).to_be_visible()
        expect(figure.get_by_role("table")).to_be_visible()
    channels = page.get_by_role("figure", name="Conversations par canal").get_by_role("table")
    expect(channels.get_by_role("row", name="SMS 7")).to_be_visible()
    expect(channels.get_by_role("row", name="Telegram < 5")).to_be_visible()           # 2: hidden
    bars = page.get_by_role("figure", name="Conversations par canal").locator("rect.bar")
    expect(bars).to_have_count(2)                                                        # no bar for « < 5 »
    expect(page.get_by_role("heading", name="Suivi à 7 jours, par semaine")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les chiffres (CSV)").click()
    saved = tmp_path / "chiffres.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "indicator,key,value" and "conversations.by_channel,sms,7" in lines
    assert "conversations.by_channel,telegram,< 5" in lines
    no_csp_violation(page)


# -- axe-core on every page, phone and laptop ---------------------------------------------------------------------
def check(page: Page, width: int, what: str) -> None:
    """axe-core at WCAG 2.1 A and AA, nothing wider than the screen, nothing the CSP blocked."""
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                      "resultTypes": ["violations", "passes"]}).response
    violations = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}"
                  for v in result["violations"]]
    assert violations == [], f"axe-core, {what} at {width} px:\n" + "\n".join(violations)
    assert {"html-has-lang", "color-contrast"} <= {rule["id"] for rule in result["passes"]}, what
    fits(page, width)
    no_csp_violation(page)


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_axe_finds_no_wcag21_aa_violation_on_any_staff_page(context, site: StaffSite, width: int):
    page = context(width).new_page()
    page.goto(site.url + "/staff/login")
    check(page, width, "login")
    page.get_by_label("Adresse e-mail").fill(ADMIN)
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    check(page, width, "login refused")
    sign_in(page, site, ADMIN)
    check(page, width, "today")

    page.goto(f"{site.url}/staff/agenda?day={site.day.isoformat()}&view=week")
    check(page, width, "agenda of the week")
    page.goto(f"{site.url}/staff/agenda?day=demain")
    check(page, width, "agenda with a wrong day")
    page.goto(f"{site.url}/staff/agenda?day={site.day.isoformat()}&territory=grand_nancy")
    page.get_by_role("button", name="Voir le résumé").click()
    check(page, width, "summary")
    page.go_back()
    page.get_by_role("button", name="Annuler").first.click()         # the shared one stays booked
    check(page, width, "cancel confirmation")

    for path, what in (("/staff/rappels", "call-backs"), ("/staff/actions", "actions"),
                       ("/staff/tableau-de-bord", "dashboard, every territory"),
                       ("/staff/tableau-de-bord?territory=grand_nancy", "dashboard of a territory"),
                       ("/staff/tableau-de-bord?from=2026-12-01&to=2026-01-01", "dashboard, period refused"),
                       ("/staff/journal", "audit log"), ("/staff/equipe", "team")):
        page.goto(site.url + path)
        check(page, width, what)

    page.goto(site.url + "/staff/actions/nouvelle")
    page.get_by_role("button", name="Créer l'action").click()
    expect(page.get_by_role("alert").or_(page.locator(".error")).first).to_be_visible()
    check(page, width, "action form with errors")
    page.get_by_label("Territoire", exact=True).select_option("grand_nancy")
    page.get_by_label("Lieu").fill(f"Place du marché {width}")
    page.get_by_role("button", name="Créer l'action").click()
    expect(page.get_by_role("status")).to_be_visible()
    check(page, width, "action")

    page.goto(site.url + "/staff/equipe")
    page.get_by_label("Adresse e-mail de la personne").fill(f"nouvelle-{width}@nancy.example.fr")
    page.get_by_label("Territoire", exact=True).select_option("grand_nancy")
    page.get_by_label("Bénévole").check()
    page.get_by_role("button", name="Créer l'invitation").click()
    link = page.locator(".link-box a").inner_text()
    check(page, width, "team with an invitation link")

    other = context(width).new_page()                            # the invited person, no session
    other.goto(link)
    check(other, width, "invitation")
    other.get_by_label("Choisissez un mot de passe").fill("court")
    other.get_by_label("Tapez le mot de passe une deuxième fois").fill("court")
    other.get_by_role("button", name="Créer mon compte").click()
    expect(other.get_by_label("Choisissez un mot de passe")).to_have_attribute("aria-invalid", "true")
    check(other, width, "invitation refused")
    other.goto(site.url + "/staff/journal")
    expect(other.get_by_role("heading", name="Connexion à l'espace de l'équipe")).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    sign_in(page, site, AGENT)
    page.goto(site.url + "/staff/journal")
    expect(page.get_by_text("Votre rôle ne permet pas cette action.")).to_be_visible()
    check(page, width, "refused page")


def test_keyboard_focus_is_visible_and_the_skip_link_leads_to_the_content(context, site: StaffSite):
    page = context(LAPTOP).new_page()
    sign_in(page, site, AGENT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                         " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert ring[0] != "none" and ring[1] >= 2, ring
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
