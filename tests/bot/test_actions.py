"""Action unit tests on tracker fixtures: screening form, questions, objections, welcome, estimate."""
from __future__ import annotations

import pytest

from actions import results
from actions.conversation import ActionConsentGiven, ActionLifeEvent, ActionRefuseOffer, ActionRestart, ActionWelcome
from actions.results import ActionBenefitInfo, ActionEstimate
from actions.screening import ActionAskRent, ValidateScreeningForm
from actions.topics import ActionAnswerObjection
from actions.screening_plan import UNKNOWN
from tests.bot.conftest import controls, make_tracker, sent, slot_events

DOMAIN: dict = {}


async def test_an_answer_fills_its_slot_and_requests_the_next_question(dispatcher):
    tracker = make_tracker({"requested_slot": "age"}, text="j'ai 35 ans", active_loop="screening_form")
    events = slot_events(await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))
    assert events["age"] == 35
    assert events["requested_slot"] == "couple"


ANSWERED_UP_TO_RENT = {"age": 30, "couple": False, "children": 0, "pregnant": False, "commune": {"code": "54395"},
                      "housing_status": "locataire"}


async def test_an_invalid_answer_is_reasked_once_then_skipped_as_unknown(dispatcher):
    tracker = make_tracker({"requested_slot": "rent", **ANSWERED_UP_TO_RENT}, text="beaucoup trop",
                           active_loop="screening_form")
    first = slot_events(await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))
    assert "rent" not in first and first["attempts"] == {"rent": 1} and first["requested_slot"] == "rent"
    again = make_tracker({"requested_slot": "rent", **ANSWERED_UP_TO_RENT, "attempts": {"rent": 1}}, text="bof",
                         active_loop="screening_form")
    second = slot_events(await ValidateScreeningForm().run(dispatcher, again, DOMAIN))
    assert second["rent"] == UNKNOWN
    assert any("fourchette" in m["text"] for m in sent(dispatcher))


async def test_dont_know_becomes_unknown(dispatcher):
    tracker = make_tracker({"requested_slot": "salary"}, text="jsp", intent="dont_know", active_loop="screening_form")
    assert slot_events(await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))["salary"] == UNKNOWN


async def test_an_interruption_is_left_to_the_rules(dispatcher):
    tracker = make_tracker({"requested_slot": "rent"}, text="je veux parler à quelqu'un",
                           intent="ask_human", active_loop="screening_form")
    assert await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN) == []


async def test_stop_always_interrupts_even_mid_question(dispatcher):
    tracker = make_tracker({"requested_slot": "age"}, text="STOP", intent="stop", active_loop="screening_form")
    assert await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN) == []


async def test_the_reask_carries_an_example_and_the_ask_field(dispatcher):
    tracker = make_tracker({"requested_slot": "rent", "attempts": {"rent": 1}, **ANSWERED_UP_TO_RENT})
    events = slot_events(await ActionAskRent().run(dispatcher, tracker, DOMAIN))
    message = sent(dispatcher)[0]
    assert message["ask"] == "rent" and "par exemple" in message["text"].lower()
    assert events["requested_slot"] == "rent"


async def test_an_ask_action_asks_what_the_plan_says_after_a_digression(dispatcher):
    # The form falls back on its domain order (here: rent) but the plan knows age comes first.
    tracker = make_tracker({"housing_status": "locataire"})
    events = slot_events(await ActionAskRent().run(dispatcher, tracker, DOMAIN))
    assert events["requested_slot"] == "age" and sent(dispatcher)[0]["ask"] == "age"


async def test_the_welcome_answers_the_doubt_then_asks_consent(dispatcher):
    tracker = make_tracker(text="de toute façon j'ai droit à rien", intent="doute_droits")
    events = slot_events(await ActionWelcome().run(dispatcher, tracker, DOMAIN))
    messages = sent(dispatcher)
    assert "Bonjour" in messages[0]["text"]
    assert any("une personne sur trois" in m["text"].lower() for m in messages)
    assert any("SUPPRIMER" in m["text"] and "STOP" in m["text"] for m in messages)
    assert messages[-1]["ask"] == "consent" and events["offer"] == "consent"
    # nothing about the person is stored before a yes: only the anonymous count of the doubt
    assert controls(dispatcher) == [{"type": "topic", "kind": "doubt", "key": "doute_droits"}]


async def test_consent_is_signalled_to_the_api(dispatcher):
    events = slot_events(await ActionConsentGiven().run(dispatcher, make_tracker(text="oui", intent="affirm"), DOMAIN))
    assert events["consent"] is True
    assert controls(dispatcher) == [{"type": "consent", "kind": "privacy", "given": True}]


async def test_the_bot_never_argues_twice(dispatcher):
    first = make_tracker({"consent": True}, text="trop de papiers", intent="objection_complexite")
    events = slot_events(await ActionAnswerObjection().run(dispatcher, first, DOMAIN))
    assert events["offer"] == "screening" and events["refusals"] == 1
    dispatcher.messages.clear()
    refused = make_tracker({"consent": True, "refusals": 1.0, "offer": "screening"}, text="non", intent="deny")
    await ActionRefuseOffer().run(dispatcher, refused, DOMAIN)
    last = sent(dispatcher)[-1]
    assert "Parler à quelqu'un" in [b["title"] for b in last["buttons"]]
    assert "revenir" in last["text"]


@pytest.mark.parametrize("slots", [{}, {"consent": True}, {"consent": True, "refusals": 1.0}])
async def test_an_objection_is_counted_by_its_intent_once_per_answer(dispatcher, slots):
    tracker = make_tracker(slots, text="j'ai peur des contrôles", intent="objection_controle")
    await ActionAnswerObjection().run(dispatcher, tracker, DOMAIN)
    assert controls(dispatcher) == [{"type": "topic", "kind": "doubt", "key": "objection_controle"}]


async def test_a_doubt_after_the_result_is_a_question_about_it_not_counted(dispatcher):
    estimate = {"lines": ["Le RSA : environ 300 € par mois."], "total": 300.0, "missing": [], "benefits": []}
    tracker = make_tracker({"consent": True, "estimate": estimate}, text="donc j'ai droit à rien ?",
                           intent="doute_droits")
    await ActionAnswerObjection().run(dispatcher, tracker, DOMAIN)
    assert controls(dispatcher) == [] and sent(dispatcher)


@pytest.mark.parametrize("event,counted", [("senior", True), ("pas_un_moment_connu", False)])
async def test_a_life_moment_is_counted_when_it_is_answered(dispatcher, event, counted):
    tracker = make_tracker({"consent": True}, text="", intent="life_event",
                           entities=[{"entity": "life_event", "value": event}])
    await ActionLifeEvent().run(dispatcher, tracker, DOMAIN)
    expected = [{"type": "topic", "kind": "life_event", "key": event}] if counted else []
    assert controls(dispatcher) == expected


async def test_restart_forgets_answers_but_keeps_consent(dispatcher):
    tracker = make_tracker({"consent": True, "age": 40, "rent": 500})
    events = slot_events(await ActionRestart().run(dispatcher, tracker, DOMAIN))
    assert events["age"] is None and events["rent"] is None and "consent" not in events


ESTIMATE = {
    "period": "2026-11",
    "benefits": [
        {"id": "rsa", "name": "Revenu de solidarité active (RSA)", "status": "eligible", "monthly_amount": 120.4,
         "yearly_amount": None, "range": None, "why": "ok", "how_to_claim": {"who": "CAF"}},
        {"id": "prime_activite", "name": "Prime d'activité", "status": "eligible", "monthly_amount": 250.0,
         "yearly_amount": None, "range": None, "why": "ok", "how_to_claim": {"who": "CAF"}},
        {"id": "aide_logement", "name": "Aide au logement", "status": "uncertain", "monthly_amount": None,
         "yearly_amount": None, "range": [100.0, 260.0], "why": "selon le loyer", "how_to_claim": {"who": "CAF"}},
        {"id": "aspa", "name": "ASPA", "status": "not_eligible", "monthly_amount": 0, "yearly_amount": None,
         "range": None, "why": "Il faut avoir au moins 65 ans.", "how_to_claim": {"who": "Carsat"}},
    ],
    "assumptions": [],
    "computed_with": {"engine": "openfisca-france", "version": "176"},
}


async def test_estimate_tells_likely_aids_first_then_ranges_then_the_total(dispatcher, monkeypatch):
    async def fake_estimate(household, conversation=None):
        assert household["unknown"] == ["rent"]
        return ESTIMATE

    monkeypatch.setattr(results.api, "estimate", fake_estimate)
    tracker = make_tracker({"consent": True, "age": 35, "couple": False, "children": 0,
                            "commune": {"code": "54395", "name": "Nancy"}, "housing_status": "locataire",
                            "rent": UNKNOWN, "activity": "salarie", "salary": 900})
    events = slot_events(await ActionEstimate().run(dispatcher, tracker, DOMAIN))
    texts = [m["text"] for m in sent(dispatcher)]
    joined = "\n".join(texts)
    assert "pas une décision" in texts[0]
    assert joined.index("250 €") < joined.index("120 €") < joined.index("entre 100 et 260")
    assert "370 €" in joined  # the monthly total of the likely aids
    assert "OpenFisca" in joined
    assert sent(dispatcher)[-1]["buttons"][0]["payload"] == "/book_appointment"
    assert events["offer"] == "appointment"
    kept = controls(dispatcher)[0]
    assert kept["type"] == "estimate" and {b["id"] for b in kept["benefits"]} == {"rsa", "prime_activite", "aide_logement"}
    assert kept["commune"] == "54395"        # the INSEE code: the API finds the team's territory


async def test_why_not_explains_a_non_eligibility(dispatcher):
    estimate = {"benefits": [{"id": "aspa", "status": "not_eligible", "why": "Il faut avoir au moins 65 ans.",
                              "name": "ASPA"}]}
    tracker = make_tracker({"estimate": estimate}, text="pourquoi pas l'aspa ?", intent="ask_benefit_info",
                           entities=[{"entity": "benefit", "value": "aspa"}])
    await ActionBenefitInfo().run(dispatcher, tracker, DOMAIN)
    assert "65 ans" in sent(dispatcher)[0]["text"]


@pytest.mark.parametrize("benefit", ["rsa", "aspa", "prime_activite", "aide_logement"])
async def test_what_is_an_aid(dispatcher, benefit):
    tracker = make_tracker(text="c'est quoi ?", intent="ask_benefit_info", entities=[{"entity": "benefit", "value": benefit}])
    await ActionBenefitInfo().run(dispatcher, tracker, DOMAIN)
    assert "À demander à" in sent(dispatcher)[0]["text"]


async def test_a_question_in_the_middle_is_answered_then_the_same_question_comes_again(dispatcher):
    tracker = make_tracker({"requested_slot": "rent", **ANSWERED_UP_TO_RENT}, text="c'est quoi la prime d'activité ?",
                           intent="ask_benefit_info", entities=[{"entity": "benefit", "value": "prime_activite"}],
                           active_loop="screening_form")
    events = slot_events(await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))
    assert "travaillent" in sent(dispatcher)[0]["text"]  # what the prime d'activité is
    assert events["requested_slot"] == "rent" and "rent" not in events
    assert events["attempts"] == {}  # a question is not a wrong answer


async def test_an_answer_wins_over_a_digression_intent(dispatcher):
    tracker = make_tracker({"requested_slot": "couple", "age": 29}, text="seule avec 2 enfants", intent="life_event",
                           active_loop="screening_form")
    events = slot_events(await ValidateScreeningForm().run(dispatcher, tracker, DOMAIN))
    assert events["couple"] is False and events["children"] == 2



def test_local_aids_without_an_amount_are_named_after_the_amounts():
    from actions.results import result_lines
    claim = {"who": "Ville de Strasbourg", "where": "", "documents": [], "url": "https://example.org"}
    result = {"benefits": [
        {"id": "local.strasbourg.carte_atout_voir", "name": "Carte Atout'voir", "status": "eligible",
         "monthly_amount": None, "yearly_amount": None, "range": None, "how_to_claim": claim},
        {"id": "local.strasbourg.other", "name": "Autre aide", "status": "uncertain",
         "monthly_amount": None, "yearly_amount": None, "range": None, "how_to_claim": claim},
        {"id": "local.strasbourg.no", "name": "Non", "status": "not_eligible",
         "monthly_amount": None, "yearly_amount": None, "range": None, "how_to_claim": claim},
        {"id": "rsa", "name": "RSA", "status": "eligible", "monthly_amount": 400.0, "yearly_amount": None,
         "range": None, "how_to_claim": claim},
    ]}
    lines, total = result_lines(result, {"unknown": []})
    assert total == 400.0 and lines[0].startswith("Le RSA")
    assert lines[1].startswith("Carte Atout'voir : une aide de votre ville") and "Ville de Strasbourg" in lines[1]
    assert "peut-être" in lines[2] and len(lines) == 3


async def test_a_town_the_service_does_not_cover_is_said_with_a_person_to_talk_to(dispatcher, monkeypatch):
    async def not_covered(household, conversation=None):
        raise results.api.TownNotCovered("Ce simulateur ne couvre pas encore la Polynésie française.")

    monkeypatch.setattr(results.api, "estimate", not_covered)
    tracker = make_tracker({"consent": True, "age": 21, "couple": False, "children": 0, "pregnant": False,
                            "commune": {"code": "98719", "name": "Taiarapu-Est"}, "housing_status": "heberge",
                            "activity": "inactif", "other_income": 0, "disability": 0.0})
    events = slot_events(await ActionEstimate().run(dispatcher, tracker, DOMAIN))
    texts = [m["text"] for m in sent(dispatcher)]
    assert "Polynésie" in texts[0] and "parler" in texts[-1] and events["offer"] == "human"
    assert "pas marché" not in " ".join(texts)
