"""Whole screenings through the form's validation and questions, without Rasa: what a person types,
read by the NLU's extraction, becomes the household the estimate is asked for."""
from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.household import build_household
from actions.recap import recap_text
from actions.screening import ActionAskAge, ValidateScreeningForm
from tests.bot.conftest import make_tracker, sent, slot_events

NANCY = "54395"


class Person:
    """Plays a screening: each reply goes through ValidateScreeningForm, then the question asked."""

    def __init__(self, slots: dict[str, Any] | None = None):
        self.slots: dict[str, Any] = {"consent": True, **(slots or {})}
        self.asked: list[str] = []
        self.said: list[dict[str, Any]] = []
        dispatcher = CollectingDispatcher()
        self._apply(slot_events(_run(ActionAskAge(), dispatcher, make_tracker(self.slots))), dispatcher)

    def _apply(self, events: dict[str, Any], dispatcher: CollectingDispatcher) -> None:
        self.slots.update(events)
        self.said += sent(dispatcher)
        asks = [m["ask"] for m in sent(dispatcher) if m.get("ask")]
        if asks:
            self.asked.append(asks[-1])

    @property
    def question(self) -> str | None:
        return self.slots.get("requested_slot")

    def says(self, text: str, intent: str = "inform") -> "Person":
        assert self.question is not None, "the questions are over"
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(self.slots, text=text, intent=intent, active_loop="screening_form")
        events = slot_events(_run(ValidateScreeningForm(), dispatcher, tracker))
        self.slots.update(events)
        if self.question:   # the form asks the next question (Rasa calls action_ask_<slot>)
            from actions.screening import ActionAskQuestion
            ask = next(c for c in _subclasses(ActionAskQuestion) if c.question == self.question)()
            events.update(slot_events(_run(ask, dispatcher, make_tracker(self.slots))))
        self._apply(events, dispatcher)
        return self

    def household(self) -> dict[str, Any]:
        return build_household(self.slots)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _run(action, dispatcher, tracker):
    import asyncio
    return asyncio.run(action.run(dispatcher, tracker, {}))


def test_a_single_mother_in_social_housing():
    person = Person()
    for text in ["29 ans", "seule avec mes 2 enfants", "2 ans et 6 ans", "non rien du tout", "non",
                 "vaulx en velin", "hlm", "380 euros", "au chomage", "820"]:
        person.says(text)
    assert person.question == "recap"
    recap = person.said[-1]["text"]
    assert "29 ans" in recap and "2 enfants de 2 et 6 ans" in recap and "loyer 380 €" in recap
    person.says("oui")
    assert person.question is None
    household = person.household()
    assert household["commune"] == "69256" and household["housing"]["status"] == "logement_social"
    assert [c["age"] for c in household["children"]] == [2, 6]
    assert household["adults"][0]["incomes"]["unemployment"] == 820 and household["unknown"] == []


def test_several_facts_at_once_skip_their_questions():
    person = Person()
    person.says("j'ai 41 ans, mariés, 3 enfants de 2, 5 et 9 ans, on habite Nancy")
    assert "couple" not in person.asked[1:] and "children" not in person.asked
    assert person.slots["couple"] is True and person.slots["children_ages"] == [2, 5, 9]
    assert person.slots["commune"]["code"] == NANCY


def test_a_correction_at_the_recap_changes_the_household_and_the_recap_comes_again():
    person = Person()
    for text in ["35", "seul sans enfant", "non", "Nancy", "je loue", "580", "je travaille", "1200"]:
        person.says(text)
    assert person.question == "recap"
    person.says("le loyer c'est 850 pas 580")
    assert person.question == "recap" and "loyer 850 €" in person.said[-1]["text"]
    person.says("oui")
    assert person.household()["housing"]["rent"] == 850


def test_not_understood_twice_goes_to_unknown_and_the_estimate_gives_a_range():
    person = Person()
    for text in ["35", "seul sans enfant", "non", "Nancy", "je loue"]:
        person.says(text)
    assert person.question == "rent"
    person.says("beaucoup trop")
    assert person.question == "rent" and "par exemple" in person.said[-1]["text"]
    person.says("bof")
    assert person.slots["rent"] == "unknown"
    assert "rent" in person.household()["unknown"]


def test_the_recap_fits_in_two_sms():
    slots = {"age": 41, "couple": True, "couple_type": "marie", "partner_age": 39, "children": 3,
             "children_ages": [2, 5, 9], "pregnant": False, "commune": {"code": NANCY, "name": "Nancy"},
             "housing_status": "logement_social", "rent": 650, "charges": 80, "activity": "salarie",
             "occupation": "aide-soignante", "salary": 1450, "partner_income": 820, "partner_activity": "chomeur"}
    text = recap_text(slots)
    assert "41 ans" in text and "3 enfants de 2, 5 et 9 ans" in text and "chômage 820 €" in text
    assert len(text) <= 300


def test_lyon_asks_the_arrondissement_then_goes_on():
    person = Person()
    for text in ["35", "seul sans enfant", "non", "j'habite à lyon"]:
        person.says(text)
    assert person.question == "commune" and "arrondissement" in person.said[-1]["text"]
    person.says("le 7eme")
    assert person.slots["commune"]["code"] == "69387" and person.question == "housing_status"


def test_a_town_nobody_knows_goes_on_to_a_national_estimate():
    person = Person()
    for text in ["35", "seul sans enfant", "non", "je sais pas"]:
        person.says(text)
    assert person.question == "housing_status"
    assert person.household()["unknown"] == ["commune"] or "commune" in person.household()["unknown"]


def test_trades_and_the_partner_are_understood():
    person = Person()
    for text in ["43", "mariés avec 2 enfants de 10 et 13 ans", "40", "non", "Laxou", "hlm", "520",
                 "je suis aide-soignante", "1350", "mon mari est au chômage, il touche 800"]:
        person.says(text)
    assert person.slots["partner_activity"] == "chomeur" and person.slots["partner_income"] == 800
    assert person.question == "recap"
    household = person.household()
    assert household["adults"][0]["activity"] == "salarie" and household["couple_type"] == "marie"


def test_facts_given_out_of_turn_are_acknowledged_then_the_question_comes_again():
    person = Person()
    person.says("je suis seule avec mes 2 enfants de 4 et 9 ans, on habite vandoeuvre")
    assert person.question == "age"
    assert person.said[-1]["text"].startswith("C'est noté. ") and person.said[-1]["ask"] == "age"
    assert person.slots["couple"] is False and person.slots["children_ages"] == [4, 9]
    person.says("euh attendez")   # not understood: the re-ask, without « C'est noté »
    assert person.question == "age" and not person.said[-1]["text"].startswith("C'est noté")
    person.says("34")
    assert person.question != "age"
