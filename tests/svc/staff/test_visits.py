"""The anonymous visits behind the indicators (api/visits.py), recorded through the real app: opened
with each conversation, screened by the estimate signal, doubts and life moments counted once, the
booking, and erasure that cuts the link but keeps the row."""
from __future__ import annotations

from datetime import timedelta

from api.core.security import Pseudonymiser
from api.models import Conversation
from api.visits import likely_benefits
from tests.fakes import telegram as tg
from tests.fakes.app import PSEUDONYM_KEY
from tests.svc.staff.visits_app import all_visits, chat, facts, send, visits_api

INTERNAL = {"Authorization": "Bearer internal-secret"}
BENEFITS = [
    {"id": "rsa", "status": "eligible", "monthly_amount": 573.49, "yearly_amount": None, "range": None},
    {"id": "cheque_energie", "status": "eligible", "monthly_amount": None, "yearly_amount": 194.0, "range": None},
    {"id": "complementaire_sante_solidaire", "status": "eligible", "monthly_amount": 0, "yearly_amount": None},
    {"id": "local.test_ville.fonds_solidarite_logement", "status": "eligible", "monthly_amount": None,
     "yearly_amount": None},
    {"id": "aide_logement", "status": "uncertain", "monthly_amount": None, "range": [100, 260]},
    {"id": "aspa", "status": "not_eligible", "monthly_amount": 0},
]


def test_likely_benefits_are_the_eligible_ones_with_their_monthly_euros():
    assert likely_benefits(BENEFITS) == {"rsa": 573.49, "cheque_energie": 16.17,
                                         "complementaire_sante_solidaire": None,
                                         "local.test_ville.fonds_solidarite_logement": None}
    assert likely_benefits([{"id": "Rsa; drop", "status": "eligible"}, "rsa", {"status": "eligible"}]) == {}


async def test_a_web_visit_keeps_a_known_action_and_its_territory_only(tmp_path):
    async with visits_api(tmp_path) as (api, _):
        known = await chat(api, "marche-lyon")
        await chat(api, "jean-dupont-06")             # typed in a URL: not an action's code
        await chat(api)
        rows = await all_visits(api)
    assert [(v.conversation_id, v.channel, v.source, v.territory_id) for v in rows] == [
        (known, "web", "marche-lyon", "autre_ville"), (rows[1].conversation_id, "web", None, None),
        (rows[2].conversation_id, "web", None, None)]
    assert rows[1].conversation_id and rows[1].screened_at is None and rows[1].booked_at is None


async def test_the_estimate_sets_the_commune_s_territory_and_the_likely_benefits(tmp_path):
    async with visits_api(tmp_path) as (api, bot):
        conversation = await chat(api, "marche-lyon")
        bot.controls["calcul"] = [{"type": "estimate", "household": {}, "benefits": BENEFITS, "monthly_total": 573.49,
                                   "commune": "54395"}]
        await send(api, conversation, "calcul")       # no consent: the visit is counted all the same
        first = (await all_visits(api))[0]
        assert (first.territory_id, first.screened_at is not None) == ("test_ville", True)
        assert await facts(api, "benefit") == likely_benefits(BENEFITS)

        bot.controls["encore"] = [{"type": "estimate", "benefits": BENEFITS[:1], "commune": "13055"}]
        await send(api, conversation, "encore")       # a correction, for a commune without a team
        again = (await all_visits(api))[0]
    assert again.screened_at == first.screened_at      # the first estimate stays the moment of screening
    assert again.territory_id == "test_ville"          # no team for that commune: the territory stays
    assert await facts(api, "benefit") == {"rsa": 573.49}


async def test_doubts_and_life_moments_are_counted_once_per_visit(tmp_path):
    async with visits_api(tmp_path) as (api, bot):
        conversation = await chat(api)
        bot.controls["peur"] = [{"type": "topic", "kind": "doubt", "key": "objection_controle"}]
        bot.controls["retraite"] = [{"type": "topic", "kind": "life_event", "key": "senior"},
                                    {"type": "topic", "kind": "opinion", "key": "senior"},
                                    {"type": "topic", "kind": "doubt", "key": "Je ne veux pas"}]
        for text in ("peur", "peur", "retraite"):
            await send(api, conversation, text)
        assert await facts(api, "doubt") == {"objection_controle": None}
        assert await facts(api, "life_event") == {"senior": None}
        assert len(await facts(api)) == 2


async def test_telegram_opens_a_visit_on_first_contact_and_again_through_another_action(tmp_path):
    async with visits_api(tmp_path) as (api, _):
        for text in ("/start marche-nancy", "bonjour", "/start marche-nancy", "/start marche-lyon", "/start nope"):
            assert (await api.telegram(tg.message_update(4242, text))).status_code == 200
        rows = await all_visits(api)
        conversations = await api.conversations()
    assert [(v.channel, v.source, v.territory_id) for v in rows] == [
        ("telegram", "marche-nancy", "test_ville"), ("telegram", "marche-lyon", "autre_ville")]
    assert {v.conversation_id for v in rows} == {c.id for c in conversations}


async def test_an_sms_visit_starts_from_the_action_s_code(tmp_path):
    async with visits_api(tmp_path) as (api, _):
        for text in ("marche-lyon", "bonjour"):
            assert (await api.sms("+33612345678", text)).status_code == 200
        rows = await all_visits(api)
    assert [(v.channel, v.source, v.territory_id) for v in rows] == [("sms", "marche-lyon", "autre_ville")]


async def test_a_booking_marks_the_visit_once_and_erasure_cuts_the_link_only(tmp_path):
    async with visits_api(tmp_path) as (api, bot):
        conversation = await chat(api)
        bot.controls["peur"] = [{"type": "topic", "kind": "doubt", "key": "doute_droits"}]
        bot.controls["effacer"] = [{"type": "erase"}]
        await send(api, conversation, "peur")
        person = Pseudonymiser(PSEUDONYM_KEY).pseudonym("web", conversation)
        clock = api.app.state.booking.clock
        slot = (await api.client.get("/internal/slots", params={"commune": "54395"}, headers=INTERNAL)).json()
        booked = await api.client.post("/internal/appointments", headers=INTERNAL, json={
            "person_id": person, "channel": "web", "slot_id": slot["slots"][0]["id"]})
        assert booked.status_code == 201, booked.text
        visit = (await all_visits(api))[0]
        assert visit.territory_id == "test_ville" and visit.booked_at is not None
        assert abs(visit.booked_at - clock()) < timedelta(seconds=5)

        await send(api, conversation, "effacer")
        rows = await all_visits(api)
        assert await api.db(lambda s: s.get(Conversation, conversation)) is None
    assert [(v.conversation_id, v.channel, v.territory_id, v.booked_at) for v in rows] == [
        (None, "web", "test_ville", visit.booked_at)]
    assert await facts(api, "doubt") == {"doute_droits": None}
