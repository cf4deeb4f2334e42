"""What can be answered at any moment, in the questions or outside them: doubts and objections, a
moment of life, AIDE / privacy / thanks, and the consent question they may lead to. Below
conversation.py and digressions.py, so that the forms can answer a question asked in the middle."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import say, signal, texts
from actions.results import recall_estimate
from actions.tracker_info import in_screening, latest_intent, life_event_of


# What a moment of life already says about the household.
LIFE_EVENT_FACTS = {
    "parent_seul": {"couple": False},
    "separation": {"couple": False},
    "deces_conjoint": {"couple": False},
    "perte_emploi": {"activity": "chomeur"},
}
OBJECTIONS = {"doute_droits", "objection_controle", "objection_complexite", "objection_autonomie",
              "objection_pas_la_peine"}


def count_topic(dispatcher: CollectingDispatcher, kind: str, key: str) -> None:
    """A doubt or a life moment, counted (by its key, never the words) for the committee's figures,
    before consent too: api/visits.py."""
    signal(dispatcher, "topic", kind=kind, key=key)


def ask_consent(dispatcher: CollectingDispatcher, with_notice: bool = True) -> list[EventType]:
    if with_notice:
        say(dispatcher, "privacy_notice")
    say(dispatcher, "consent_question")
    return [SlotSet("offer", "consent")]


def life_event_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A moment of life (« je viens de perdre mon travail »): its text, counted, and what it says of
    the household."""
    event = life_event_of(tracker)
    if event and f"life_event_{event}" in texts():
        say(dispatcher, f"life_event_{event}")
        count_topic(dispatcher, "life_event", event)
        return [SlotSet("life_event", event)] + [SlotSet(k, v) for k, v in LIFE_EVENT_FACTS.get(event, {}).items()
                                                 if tracker.get_slot(k) is None]
    return []


class ActionAnswerObjection(Action):
    """A doubt or an objection: a short factual answer, then one invitation. Never argue twice."""

    def name(self) -> str:
        return "action_answer_objection"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        intent = latest_intent(tracker)
        if intent == "doute_droits" and tracker.get_slot("estimate") and not in_screening(tracker):
            return recall_estimate(dispatcher, tracker)   # « donc j'ai droit à rien ? » after the result
        refusals = (tracker.get_slot("refusals") or 0.0) + 1
        doubt = intent if intent in OBJECTIONS else "doute_droits"
        count_topic(dispatcher, "doubt", doubt)
        if in_screening(tracker):
            say(dispatcher, doubt)
            return [SlotSet("refusals", refusals)]
        if refusals >= 2:
            say(dispatcher, "second_refusal")
            return [SlotSet("refusals", refusals), SlotSet("offer", None)]
        say(dispatcher, doubt)
        if not tracker.get_slot("consent"):
            return [SlotSet("refusals", refusals)] + ask_consent(dispatcher, with_notice=False)
        say(dispatcher, "invitation")
        return [SlotSet("refusals", refusals), SlotSet("offer", "screening")]


class ActionHelpPrivacyThanks(Action):
    """AIDE, « vous faites quoi de mes réponses ? » and « merci »: one short text each."""

    def name(self) -> str:
        return "action_help_privacy_thanks"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        text = {"privacy_question": "privacy", "thanks": "thanks"}.get(latest_intent(tracker) or "", "help")
        say(dispatcher, text)
        return []
