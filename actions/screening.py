"""The screening form: ask only the questions the answers make necessary, accept « je ne sais
pas », re-ask once with an example, let the person ask something in the middle."""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import interpret
from actions.messages import say, say_text, texts
from actions.screening_plan import QUESTIONS, UNKNOWN, needed_questions, next_question

REQUESTED_SLOT = "requested_slot"
# Intents that, when a message is not an answer, are a question asked in the middle: answered
# here, then the pending question is asked again (see digressions.py).
DIGRESSIONS = {"ask_benefit_info", "help", "privacy_question", "thanks", "doute_droits", "objection_controle",
               "objection_complexite", "objection_autonomie", "objection_pas_la_peine", "life_event"}
# Intents that leave the questions, whatever the message looks like: the rules of
# bot/data/rules/screening.yml take over (keep both lists in step).
INTERRUPTIONS = {"stop", "delete_data", "ask_human", "book_appointment", "cancel_appointment", "bot_challenge",
                 "goodbye", "restart"}


def current_answers(tracker: Tracker) -> dict[str, Any]:
    return {question: tracker.get_slot(question) for question in QUESTIONS}


def screening_reset() -> list[EventType]:
    """Forget every answer (« recommencer »)."""
    return [SlotSet(q, None) for q in QUESTIONS] + [
        SlotSet("attempts", None), SlotSet("estimate", None), SlotSet(REQUESTED_SLOT, None)]


class ValidateScreeningForm(FormValidationAction):
    def name(self) -> str:
        return "validate_screening_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return needed_questions(current_answers(tracker), tracker.get_slot("life_event"))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        answers = current_answers(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        events: list[EventType] = []
        if requested in QUESTIONS and answers.get(requested) is None:
            outcome = await self._read_answer(requested, answers, dispatcher, tracker, domain)
            if outcome is None:
                return []  # an interruption: Rasa rejects the form and the rules take over
            events += outcome
        answers.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        events.append(SlotSet(REQUESTED_SLOT, next_question(answers, tracker.get_slot("life_event"))))
        return events

    async def _read_answer(self, question: str, answers: dict[str, Any], dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> list[EventType] | None:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        if intent in INTERRUPTIONS:
            return None
        answer = interpret(question, message.get("text") or "", message.get("entities"), intent)
        attempts = dict(tracker.get_slot("attempts") or {})
        if not answer.understood and intent in DIGRESSIONS:
            from actions.digressions import answer_digression
            events = await answer_digression(intent, dispatcher, tracker, domain)
            return events + [SlotSet("attempts", attempts)]  # the same question comes next
        if answer.understood:
            attempts.pop(question, None)
            events: list[EventType] = [SlotSet(question, UNKNOWN if answer.unknown else answer.value)]
            events += [SlotSet(k, v) for k, v in answer.also.items() if answers.get(k) is None]
            return events + [SlotSet("attempts", attempts)]
        attempts[question] = attempts.get(question, 0) + 1
        if attempts[question] >= 2:
            say(dispatcher, "skipped_as_unknown")
            return [SlotSet(question, UNKNOWN), SlotSet("attempts", attempts)]
        return [SlotSet("attempts", attempts)]


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
