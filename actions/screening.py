"""The screening form: ask only the questions the answers make necessary, accept « je ne sais
pas », re-ask once with an example, let the person ask something in the middle."""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import Answer, interpret
from actions.forms import REQUESTED_SLOT, QuestionForm
from actions.messages import say, say_text, texts
from actions.screening_plan import QUESTIONS, needed_questions, next_question


def current_answers(tracker: Tracker) -> dict[str, Any]:
    return {question: tracker.get_slot(question) for question in QUESTIONS}


def screening_reset() -> list[EventType]:
    """Forget every answer (« recommencer »)."""
    return [SlotSet(q, None) for q in QUESTIONS] + [
        SlotSet("attempts", None), SlotSet("estimate", None), SlotSet(REQUESTED_SLOT, None)]


class ValidateScreeningForm(QuestionForm):
    questions = QUESTIONS

    def name(self) -> str:
        return "validate_screening_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return needed_questions(current_answers(tracker), tracker.get_slot("life_event"))

    def next_question(self, tracker: Tracker, answers: dict[str, Any]) -> str | None:
        return next_question(answers, tracker.get_slot("life_event"))

    def interpret(self, question: str, tracker: Tracker) -> Answer:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        return interpret(question, message.get("text") or "", message.get("entities"), intent)


class ActionAskQuestion(Action):
    """Asks the question the plan says is next (which is the requested one, except when the form
    comes back after a question asked in the middle), and makes it the requested slot."""

    @property
    @abstractmethod
    def question(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.question}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        question = next_question(current_answers(tracker), tracker.get_slot("life_event")) or self.question
        ask_question(dispatcher, tracker, question)
        return [SlotSet(REQUESTED_SLOT, question)]


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> None:
    entry = texts()[f"question_{question}"]
    attempts = tracker.get_slot("attempts") or {}
    if attempts.get(question):
        say_text(dispatcher, entry["reask"], buttons=entry.get("buttons"), ask=entry["ask"])
    else:
        say(dispatcher, f"question_{question}")


for _question in QUESTIONS:
    globals()[f"ActionAsk_{_question}"] = type(f"ActionAsk_{_question}", (ActionAskQuestion,),
                                               {"question": _question, "__module__": __name__})


class ActionStartScreening(Action):
    """Start the questions, or take them up again where they stopped."""

    def name(self) -> str:
        return "action_start_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        answered = any(v is not None for v in current_answers(tracker).values())
        if answered and tracker.get_slot("estimate") is None:
            say(dispatcher, "resume_screening")
        elif tracker.get_slot("estimate") is not None:
            return screening_reset() + [SlotSet("offer", None)]
        return [SlotSet("offer", None), SlotSet(REQUESTED_SLOT, None)]


class ActionRestart(Action):
    """« recommencer » (overrides Rasa's action_restart): forget the answers, keep the consent.
    Without consent there is nothing to forget: the welcome starts again."""

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("consent"):
            say(dispatcher, "restarted")
        else:
            from actions.conversation import ActionWelcome
            await ActionWelcome().run(dispatcher, tracker, domain)
            return [SlotSet("offer", "consent"), SlotSet("life_event", None)]
        return screening_reset() + [SlotSet("offer", None), SlotSet("life_event", None)]
