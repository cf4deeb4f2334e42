"""Outreach actions through the real app (../shared/spec/staff.md): creation and its contract, territories
and sessions, French refusals, counts, the QR code, poster and cards read back from the files, and the
three ways in (web /c/<code>, Telegram /start <code>, the SMS keyword)."""
from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from sqlmodel import select

from api.models import ACTION_KINDS, Conversation, OutreachAction
from api.staff import actions, posters
from api.territories import Territories
from knowledge import load
from knowledge.french import PARIS
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.app import PUBLIC, Running, make_settings, running, twiml_messages
from tests.fakes.rasa import FakeRasa
from tests.fakes.telegram import message_update
from tests.svc import support
from tests.svc.staff.support import member

TODAY = datetime.now(PARIS).date()
MARCHE = {"territory": "grand_nancy", "place": "Marché de Saint-Max", "date": TODAY.isoformat(),
          "kind": "marche", "hours": "9h-12h", "team": ["Awa", "Jules"]}
CONTRACT = {"code", "chat_url", "qr_svg_url", "poster_url", "telegram_link", "sms_keyword"}
NUMBER = "+33612345678"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Running]:
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    try:
        rasa = FakeRasa()
        async with running(make_settings(tmp_path, twilio, telegram), rasa) as started:
            started.rasa = rasa
            started.telegram_stand_in = telegram
            yield started
    finally:
        twilio.stop()
        telegram.stop()


class _Nowhere:
    url = "http://127.0.0.1:9"


def french(key: str) -> str:
    return " ".join(str(load("staff")[key]).split()).format(kinds=", ".join(ACTION_KINDS))


async def create(api: Running, territory: str = "grand_nancy", **fields: Any) -> dict[str, Any]:
    async with member(api.app, "agent", territory) as client:
        response = await client.post("/api/staff/actions", json={**MARCHE, "territory": territory, **fields})
    assert response.status_code == 201, response.text
    return response.json()


# -- creation, listing, counts ----------------------------------------------------------------------------
@pytest.mark.parametrize("database", support.BOTH)
async def test_an_agent_creates_an_action_and_gets_its_links(tmp_path, database):
    twilio, telegram = tw.FakeTwilio().start(), tg.FakeTelegram().start()
    try:
        with support.database_url(database, tmp_path, "tzn_actions") as url:
            settings = make_settings(tmp_path, twilio, telegram, database_url=url)
            async with (running(settings, FakeRasa()) as api,
                        member(api.app, "agent", "grand_nancy") as client):
                response = await client.post("/api/staff/actions", json=MARCHE)
                assert response.status_code == 201, response.text
                body = response.json()
                code = body["code"]
                assert CONTRACT <= body.keys()
                assert re.fullmatch(r"[a-z0-9-]{3,32}", code) and code.startswith("marche-de-saint-max-")
                assert body["chat_url"] == f"{PUBLIC}/c/{code}"
                assert body["qr_svg_url"] == f"{PUBLIC}/api/staff/actions/{code}/qr.svg"
                assert body["poster_url"] == f"{PUBLIC}/api/staff/actions/{code}/poster.pdf"
                assert body["telegram_link"] == f"https://t.me/VosDroitsBot?start={code}"
                assert re.fullmatch(r"DROITS[A-HJKMNP-Z2-9]{3}", body["sms_keyword"])
                stored = ("territory", "place", "date", "kind", "hours", "team")
                assert {name: body[name] for name in stored} == {**MARCHE, "place": "Marché de Saint-Max"}

                again = (await client.post("/api/staff/actions", json=MARCHE)).json()
                assert again["code"] != code and again["sms_keyword"] != body["sms_keyword"]
                assert (await client.get(f"/api/staff/actions/{code}")).json() == body

                counts = await client.put(f"/api/staff/actions/{code}/counts",
                                          json={"people_met": 41, "rights_checks_on_site": 12})
                assert counts.status_code == 200, counts.text
                read = (await client.get(f"/api/staff/actions/{code}")).json()
                assert (read["people_met"], read["rights_checks_on_site"]) == (41, 12)

                day = TODAY.isoformat()
                listed = (await client.get("/api/staff/actions", params={"from": day, "to": day})).json()
                assert {a["code"] for a in listed["actions"]} == {code, again["code"]}
                assert listed["territory"] == "grand_nancy"
                later = (TODAY + timedelta(days=1)).isoformat()
                after = await client.get("/api/staff/actions", params={"from": later})
                assert after.json()["actions"] == []
    finally:
        twilio.stop()
        telegram.stop()


async def test_another_territory_is_403_and_an_admin_sees_every_one(api):
    venissieux = await create(api, "venissieux", place="Pied d'immeuble, Minguettes", kind="pied_immeuble")
    code = venissieux["code"]
    async with member(api.app, "agent", "grand_nancy") as nancy:
        refused = await nancy.post("/api/staff/actions", json={**MARCHE, "territory": "venissieux"})
        assert refused.status_code == 403 and refused.json()["detail"] == french("forbidden_territory")
        for path in ("", "/qr.svg", "/qr.png", "/poster.pdf", "/cards.pdf"):
            assert (await nancy.get(f"/api/staff/actions/{code}{path}")).status_code == 403, path
        counts = await nancy.put(f"/api/staff/actions/{code}/counts",
                                 json={"people_met": 1, "rights_checks_on_site": 0})
        assert counts.status_code == 403
        assert (await nancy.get("/api/staff/actions", params={"territory": "venissieux"})).status_code == 403
        assert (await nancy.get("/api/staff/actions")).json()["actions"] == []       # its own: none yet
    async with member(api.app, "coordinator", "venissieux") as coordinator:
        assert (await coordinator.get(f"/api/staff/actions/{code}")).status_code == 200
    async with member(api.app, "admin", None) as admin:
        seen = (await admin.get(f"/api/staff/actions/{code}")).json()
        assert seen["place"] == "Pied d'immeuble, Minguettes"
        mine = await admin.post("/api/staff/actions", json=MARCHE)
        assert mine.status_code == 201
        every = (await admin.get("/api/staff/actions")).json()["actions"]
        assert {a["territory"] for a in every} == {"venissieux", "grand_nancy"}
        nowhere = await admin.post("/api/staff/actions", json={**MARCHE, "territory": None})
        assert nowhere.status_code == 422 and nowhere.json()["detail"] == french("action_territory_missing")
        unknown = await admin.post("/api/staff/actions", json={**MARCHE, "territory": "atlantide"})
        assert unknown.status_code == 422 and unknown.json()["en"] == "territory_unknown"


async def test_every_route_needs_a_session(api):
    code = (await create(api))["code"]
    routes = [("POST", "/api/staff/actions", MARCHE), ("GET", "/api/staff/actions", None),
              ("GET", f"/api/staff/actions/{code}", None),
              ("PUT", f"/api/staff/actions/{code}/counts", {"people_met": 1, "rights_checks_on_site": 1})]
    routes += [("GET", f"/api/staff/actions/{code}/{name}", None)
               for name in ("qr.svg", "qr.png", "poster.pdf", "cards.pdf")]
    for method, path, body in routes:
        response = await api.client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
        assert response.json()["detail"] == french("login_required")


REFUSED = [
    ({"kind": "brocante"}, "action_kind_invalid"),
    ({"date": "02/12/2026"}, "action_date_invalid"),
    ({"date": "2026-02-30"}, "action_date_invalid"),
    ({"date": (TODAY + timedelta(days=400)).isoformat()}, "action_date_out_of_range"),
    ({"date": "9999-12-31"}, "action_date_out_of_range"),
    ({"place": "  "}, "action_place_invalid"),
    ({"place": "x" * 201}, "action_place_invalid"),
    ({"hours": "midi"}, "action_hours_invalid"),
    ({"hours": "14h-9h"}, "action_hours_invalid"),
    ({"hours": "25h-26h"}, "action_hours_invalid"),
    ({"team": [f"Personne {n}" for n in range(13)]}, "action_team_invalid"),
]


async def test_refused_fields_get_a_french_422(api):
    async with member(api.app, "agent", "grand_nancy") as client:
        for change, key in REFUSED:
            response = await client.post("/api/staff/actions", json={**MARCHE, **change})
            assert response.status_code == 422, change
            assert (response.json()["en"], response.json()["detail"]) == (key, french(key)), change
        for body in ({"place": "Marché", "kind": "marche"}, {**MARCHE, "team": "Awa"},
                     {**MARCHE, "date": 20261202}):
            response = await client.post("/api/staff/actions", json=body)
            assert response.status_code == 422 and "demande" in response.json()["detail"], body
        assert (await client.get("/api/staff/actions")).json()["actions"] == []


async def test_counts_are_whole_numbers_within_bounds(api):
    code = (await create(api))["code"]
    async with member(api.app, "agent", "grand_nancy") as client:
        for people, checks in ((-1, 0), (0, 10_001), (2.5, 0), ("3", 0), (True, 0), (3, "absent")):
            counts = {"people_met": people, "rights_checks_on_site": checks}
            if checks == "absent":
                del counts["rights_checks_on_site"]
            response = await client.put(f"/api/staff/actions/{code}/counts", json=counts)
            assert response.status_code == 422 and response.json()["detail"], counts
        assert (await client.get(f"/api/staff/actions/{code}")).json()["people_met"] is None
        edge = await client.put(f"/api/staff/actions/{code}/counts",
                                json={"people_met": 10_000, "rights_checks_on_site": 0})
        assert edge.status_code == 200 and edge.json()["people_met"] == 10_000


async def test_an_unknown_code_or_a_reversed_period_is_answered_in_french(api):
    async with member(api.app, "agent", "grand_nancy") as client:
        for path in ("/api/staff/actions/nope-abc", "/api/staff/actions/NOPE!/poster.pdf"):
            response = await client.get(path)
            assert response.status_code == 404 and response.json()["detail"] == french("action_unknown")
        reversed_period = await client.get("/api/staff/actions",
                                           params={"from": "2026-12-31", "to": "2026-12-01"})
        assert reversed_period.status_code == 422
        assert reversed_period.json()["detail"] == french("action_period_invalid")


# -- QR code, poster, cards ------------------------------------------------------------------------------
def expected_modules(url: str) -> list[list[bool]]:
    code = segno.make(url, error="m", boost_error=False, micro=False)
    return [[bool(cell) for cell in row] for row in code.matrix]


def drawn_qr(page: Any) -> tuple[list[list[bool]], float]:
    """The squares a PDF page draws (`re` operators), read back as a module matrix, and its width in points
    with the quiet zone of 4 modules."""
    rects = [[float(value) for value in operands] for operands, operator in page.get_contents().operations
             if operator == b"re"]
    module = min(height for *_, height in rects)
    left, top = min(x for x, *_ in rects), max(y + height for _, y, _, height in rects)
    size = round((max(x + width for x, _, width, _ in rects) - left) / module)
    grid = [[False] * size for _ in range(size)]
    for x, y, width, height in rects:
        row, column = round((top - y - height) / module), round((x - left) / module)
        for cell in range(column, column + round(width / module)):
            grid[row][cell] = True
    return grid, (size + 8) * module


def svg_modules(svg: bytes) -> list[list[bool]]:
    """segno's SVG path (« M4 4.5h7m2 0h1... », one unit a module, rows at y + 0.5) as a matrix."""
    path = re.search(rb' d="([^"]+)"', svg).group(1).decode()
    dark, x, y = set(), 0.0, 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark |= {(int(y - 0.5) - 4, int(x) + n - 4) for n in range(int(float(first)))}
            x += float(first)
    size = max(max(cell) for cell in dark) + 1
    return [[(row, column) in dark for column in range(size)] for row in range(size)]


def png_modules(png: bytes, size: int) -> list[list[bool]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    return [[image.getpixel(((4 + column) * 10 + 5, (4 + row) * 10 + 5)) < 128 for column in range(size)]
            for row in range(size)]


async def test_the_qr_codes_encode_the_chat_address(api):
    action = await create(api)
    expected = expected_modules(action["chat_url"])
    async with member(api.app, "agent", "grand_nancy") as client:
        svg = await client.get(f"/api/staff/actions/{action['code']}/qr.svg")
        png = await client.get(f"/api/staff/actions/{action['code']}/qr.png")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.content.lstrip().startswith(b"<?xml")
    assert b"<svg" in svg.content and svg_modules(svg.content) == expected
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png_modules(png.content, len(expected)) == expected
    assert Image.open(io.BytesIO(png.content)).size == ((len(expected) + 8) * 10,) * 2   # the quiet zone


async def test_the_poster_is_an_a4_pdf_with_a_large_qr_code_and_the_ways_in(api):
    action = await create(api)
    async with member(api.app, "agent", "grand_nancy") as client:
        response = await client.get(f"/api/staff/actions/{action['code']}/poster.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="affiche-{action["code"]}.pdf"'
    assert response.content.startswith(b"%PDF")
    [page] = PdfReader(io.BytesIO(response.content)).pages
    assert abs(float(page.mediabox.width) - 595) <= 1 and abs(float(page.mediabox.height) - 842) <= 1
    text = page.extract_text()
    for said in (action["chat_url"], "Vos droits en 5 minutes", action["sms_keyword"], "07 00 00 00 01",
                 action["telegram_link"], "03 53 01 10 54", "Scannez ce code avec votre téléphone."):
        assert said in text, said
    territories = api.app.state.territories
    start = datetime.combine(TODAY, datetime.min.time(), tzinfo=PARIS)
    first = territories.slots("grand_nancy", start, start + timedelta(days=42))[0]
    assert first.place.name in text
    modules, width = drawn_qr(page)
    assert modules == expected_modules(action["chat_url"])
    assert width >= 9 / 2.54 * 72                   # at least 9 cm, quiet zone included


async def test_the_cards_are_eight_on_an_a4_sheet(api):
    action = await create(api)
    async with member(api.app, "agent", "grand_nancy") as client:
        response = await client.get(f"/api/staff/actions/{action['code']}/cards.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    [page] = PdfReader(io.BytesIO(response.content)).pages
    assert abs(float(page.mediabox.width) - 595) <= 1 and abs(float(page.mediabox.height) - 842) <= 1
    text = page.extract_text()
    assert text.count(action["sms_keyword"]) == 8
    assert text.count(action["chat_url"].split("://")[1]) == 8


PERMANENCES = """\
id: test_ville
name: Test-Ville
communes: ["54395"]
phone: "03 83 00 00 00"
contact: Appelez l'équipe du lundi au vendredi, de 9h à 17h.
what_to_bring: [une pièce d'identité]
holidays: france
places:
  centre: {name: Centre social Les Nations, address: "1 rue de la Paix, Nancy", access: Tram 1,
           accessibility: {wheelchair: true}}
  marche: {name: Marché du Haut-du-Lièvre, address: "Place du marché, Nancy", access: Devant la pharmacie,
           accessibility: {wheelchair: true}}
openings:
  - {id: centre_mardi, place: centre, day: mardi, from: "9:00", to: "10:30", slot_minutes: 30, capacity: 1}
  - {id: marche_jeudi, place: marche, day: jeudi, from: "14:00", to: "17:00", slot_minutes: 30, capacity: 2}
closures:
  - {from: 2026-12-08, to: 2026-12-08, reason: Formation, place: centre}
local_aids: []
"""


def territories_from(tmp_path: Path, text: str) -> Territories:
    folder = tmp_path / "territories"
    folder.mkdir()
    (folder / "test_ville.yml").write_text(text, encoding="utf-8")
    return Territories.load(folder)


def poster_text(tmp_path: Path, territories: Territories, day: date, render: Any = posters.poster_pdf,
                **settings: Any) -> str:
    action = OutreachAction(code="marche-abc", keyword="DROITSABC", territory_id="test_ville",
                                    place="Marché", day=day, kind="marche")
    config = make_settings(tmp_path, _Nowhere(), _Nowhere(), **settings)
    pdf = render(posters.gather(config, territories, action))
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_poster_gives_the_next_permanence_after_the_action_day(tmp_path):
    territories = territories_from(tmp_path, PERMANENCES)
    monday_7 = date(2026, 12, 7)                 # Tuesday 8 is closed for the centre: Thursday 10 it is
    text = poster_text(tmp_path, territories, monday_7)
    assert "Jeudi 10 décembre, de 14h à 17h" in text and "Marché du Haut-du-Lièvre" in text
    assert "Place du marché, Nancy" in text and "Centre social" not in text
    text = poster_text(tmp_path, territories, date(2026, 12, 14))
    assert "Mardi 15 décembre, de 9h à 10h30" in text and "Centre social Les Nations" in text


def test_without_a_permanence_the_poster_gives_the_contact_and_phone(tmp_path):
    no_openings = PERMANENCES.split("openings:")[0] + "openings: []\nclosures: []\nlocal_aids: []\n"
    text = poster_text(tmp_path, territories_from(tmp_path, no_openings), date(2026, 12, 7),
                       sms_public_number="38 200", telegram_bot_token=None)
    assert "Appelez l'équipe du lundi au vendredi, de 9h à 17h." in text and "03 83 00 00 00" in text
    assert "38 200" in text and "Telegram" not in text and "Pour rencontrer" not in text


def test_without_an_sms_number_there_is_no_sms_line(tmp_path):
    territories = territories_from(tmp_path, PERMANENCES)
    text = poster_text(tmp_path, territories, date(2026, 12, 7), twilio_from_number=None)
    assert "SMS" not in text and "DROITSABC" not in text
    assert "https://assistant.example.org/c/marche-abc" in text
    cards = poster_text(tmp_path, territories, date(2026, 12, 7), posters.cards_pdf, twilio_from_number=None)
    assert "SMS" not in cards and cards.count("assistant.example.org/c/marche-abc") == 8


def test_with_helvetica_french_letters_survive_in_the_text_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(posters, "fonts", lambda: ("Helvetica", "Helvetica-Bold"))
    text = poster_text(tmp_path, territories_from(tmp_path, PERMANENCES), date(2026, 12, 7))
    assert "Scannez ce code avec votre téléphone." in text and "Pour rencontrer l'équipe" in text
    assert "Jeudi 10 décembre, de 14h à 17h" in text and "https://assistant.example.org/c/marche-abc" in text


def test_a_long_public_address_stays_whole_on_one_line(tmp_path):
    base = "https://vos-droits.territoires-zero-non-recours.example.fr"
    text = poster_text(tmp_path, territories_from(tmp_path, PERMANENCES), date(2026, 12, 7),
                       public_base_url=base)
    assert f"{base}/c/marche-abc" in text.splitlines()


# -- the ways in -------------------------------------------------------------------------------------------
async def conversation_of(api: Running, channel: str) -> Conversation:
    [row] = await api.db(lambda s: s.exec(select(Conversation).where(Conversation.channel == channel)).all())
    return row


@pytest.mark.parametrize("typed", ["keyword", "spaced", "code"])
async def test_the_sms_keyword_or_code_starts_a_conversation_from_the_action(api, typed):
    action = await create(api)
    keyword = action["sms_keyword"]
    message = {"keyword": keyword, "spaced": f" {keyword[:6].lower()} {keyword[6:].lower()} !",
               "code": action["code"].upper()}[typed]
    answer = twiml_messages(await api.sms(NUMBER, message))
    assert "Bonjour ! Je suis l'assistant." in answer[0]
    [(_, sent, metadata)] = api.rasa.received
    assert sent == "/greet" and metadata["source"] == action["code"]
    assert (await conversation_of(api, "sms")).source == action["code"]


async def test_an_unknown_keyword_is_an_ordinary_message(api):
    await create(api)
    answer = twiml_messages(await api.sms(NUMBER, "DROITSZZZ"))
    assert answer == ["Recu : DROITSZZZ"]         # GSM-7: no ç
    assert [m for _, m, _ in api.rasa.received] == ["DROITSZZZ"]
    assert (await conversation_of(api, "sms")).source is None


async def test_telegram_start_with_the_code_sets_the_source(api):
    action = await create(api)
    start = action["telegram_link"].split("?start=")[1]
    await api.telegram(message_update(4242, f"/start {start}"))
    await api.telegram_stand_in.wait_for("sendMessage", 2)
    assert (await conversation_of(api, "telegram")).source == action["code"]


async def test_the_chat_address_opens_the_web_chat_with_the_code_as_source(api):
    action = await create(api)
    path = action["chat_url"].removeprefix(PUBLIC)
    page = await api.client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    opened = await api.client.post("/api/chat", json={"source": path.removeprefix("/c/")})
    assert opened.status_code == 200
    assert (await conversation_of(api, "web")).source == action["code"]


# -- pieces ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,hours", [("9h-12h", "9h-12h"), ("14H30 à 17h", "14h30-17h"),
                                         ("9:00 - 12:00", "9h-12h"), ("", None)])
def test_hours_are_tidied(typed, hours):
    assert actions.tidy_hours(typed) == hours


@pytest.mark.parametrize("text,forms", [
    ("droits 7k2", ("DROITS7K2", "droits-7k2")), ("Droits7K2.", ("DROITS7K2", "droits7k2")),
    ("Marché-de-Saint-Max-7K2", (None, "marche-de-saint-max-7k2")), ("12", (None, None)), ("", (None, None)),
    ("x" * 49, (None, None)),
])
def test_how_a_message_reads_as_a_keyword_or_a_code(text, forms):
    assert actions.outreach_forms(text) == forms


def test_codes_are_readable_and_keywords_have_no_ambiguous_characters():
    draft = actions.Draft("grand_nancy", "Cœur de ville — entrée d’Émile Zola", TODAY, "marche")
    codes = {actions.new_code(draft) for _ in range(50)}
    assert all(re.fullmatch(r"coeur-de-ville-entree-[a-z0-9]{3}", code) for code in codes) and len(codes) > 40
    nameless = actions.Draft("grand_nancy", "!!!", TODAY, "pied_immeuble")
    assert actions.new_code(nameless).startswith("pied-immeuble-")
    keywords = {actions.new_keyword() for _ in range(200)}
    assert all(len(k) == 9 and not set(k[6:]) & set("IL01O") for k in keywords) and len(keywords) > 150


TERRITORIES = Territories.load(Path(__file__).resolve().parents[3] / "knowledge" / "territories")


@settings(max_examples=300, deadline=None)
@given(place=st.text(max_size=300), day=st.text(max_size=12) | st.dates().map(date.isoformat),
       kind=st.sampled_from(ACTION_KINDS) | st.text(max_size=12), hours=st.none() | st.text(max_size=30),
       team=st.lists(st.text(max_size=90), max_size=14))
def test_any_field_is_either_accepted_tidied_or_refused_in_french(place, day, kind, hours, team):
    try:
        draft = actions.check(TERRITORIES, "grand_nancy", place, day, kind, hours, team)
    except actions.ActionError as refusal:
        assert refusal.key in load("staff") and refusal.fr
        return
    assert 0 < len(draft.place) <= 200 and draft.kind in ACTION_KINDS and len(draft.team) <= 12
    assert draft.hours is None or re.fullmatch(r"\d{1,2}h(\d{2})?-\d{1,2}h(\d{2})?", draft.hours)
    assert re.fullmatch(r"[a-z0-9-]{3,32}", actions.new_code(draft, 4))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_message_reads_as_a_keyword_a_code_or_nothing(text):
    keyword, code = actions.outreach_forms(text)
    assert keyword is None or re.fullmatch(r"[A-Z0-9]{3,16}", keyword)
    assert code is None or re.fullmatch(r"[a-z0-9-]{3,32}", code)


def test_the_sms_number_is_printed_in_national_form(tmp_path):
    def shown(**settings: Any) -> str | None:
        return posters.sms_number(make_settings(tmp_path, _Nowhere(), _Nowhere(), **settings))

    assert shown(twilio_from_number="+33612345678") == "06 12 34 56 78"
    assert shown(twilio_from_number="+14155550100") == "+1 415-555-0100"
    assert shown(sms_public_number=" 38 200 ") == "38 200"
    assert shown(twilio_from_number=None) is None
    assert shown(twilio_from_number=None, sms_public_number="") is None
