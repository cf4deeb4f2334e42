"""What every question-asking form does (screening, booking, callback): read the answer to the
requested question, answer a question asked in the middle, re-ask once with an example, then give
up on that question — and leave interruptions (STOP, a person, SUPPRIMER...) to the rules."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.digressions import answer_digression
from actions.messages import say
from actions.screening_plan import UNKNOWN

REQUESTED_SLOT = "requested_slot"
# Intents that, when a message is not an answer, are a question asked in the middle: answered
# here (actions/digressions.py), then the pending question is asked again.
DIGRESSIONS = {"ask_benefit_info", "help", "privacy_question", "thanks", "doute_droits", "objection_controle",
               "objection_complexite", "objection_autonomie", "objection_pas_la_peine", "life_event",
               "start_screening"}
# Intents that leave the questions, whatever the message looks like: the rules of bot/data/rules/
# take over (keep both in step).
INTERRUPTIONS = {"stop", "delete_data", "ask_human", "book_appointment", "cancel_appointment", "bot_challenge",
                 "goodbye", "restart"}


@dataclass
class Answer:
    """A message read as the answer to one question: a value, « je ne sais pas », or neither."""

    value: Any = None
    unknown: bool = False

    @property
    def understood(self) -> bool:
        return self.unknown or self.value is not None


def entity(tracker: Tracker, name: str) -> Any:
    """The value of the first entity `name` of the latest message (None when absent)."""
    message = tracker.latest_message or {}
    return next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == name), None)


def yes_or_no(tracker: Tracker) -> bool | None:
    """What the latest message says to a yes/no question (its entity, else its intent)."""
    said = entity(tracker, "yes_no")
    return said if isinstance(said, bool) else {"affirm": True, "deny": False}.get(intent_of(tracker) or "")


def intent_of(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


class QuestionForm(FormValidationAction, ABC):
    questions: tuple[str, ...] = ()
    interruptions: frozenset[str] = frozenset(INTERRUPTIONS)   # each needs a rule for this form

    @abstractmethod
    def next_question(self, tracker: Tracker, answers: dict[str, Any]) -> str | None:
        """The next question to ask given the answers so far, or None when done."""

    @abstractmethod
    def interpret(self, question: str, tracker: Tracker) -> Answer:
        """Read the latest message as the answer to `question`."""

    async def accepted(self, question: str, value: Any, dispatcher: CollectingDispatcher,
                       tracker: Tracker) -> list[EventType]:
        """More events once an answer is taken (a form may check it against a service)."""
        return []

    def give_up(self, question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """After a second answer that is not understood."""
        say(dispatcher, "skipped_as_unknown")
        return [SlotSet(question, UNKNOWN)]

    def answers(self, tracker: Tracker) -> dict[str, Any]:
        return {question: tracker.get_slot(question) for question in self.questions}

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return list(self.questions)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        answers = self.answers(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT)
        events: list[EventType] = []
        if requested in self.questions and answers.get(requested) is None:
            outcome = await self._read(requested, answers, dispatcher, tracker, domain)
            if outcome is None:
                return []  # an interruption: Rasa rejects the form and the rules take over
            events += outcome
        answers.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        events.append(SlotSet(REQUESTED_SLOT, self.next_question(tracker, answers)))
        return events

    async def _read(self, question: str, answers: dict[str, Any], dispatcher: CollectingDispatcher,
                    tracker: Tracker, domain: DomainDict) -> list[EventType] | None:
        intent = intent_of(tracker)
        if intent in self.interruptions:
            return None
        answer = self.interpret(question, tracker)
        attempts = dict(tracker.get_slot("attempts") or {})
        if not answer.understood and intent in DIGRESSIONS:
            events = await answer_digression(intent, dispatcher, tracker, domain)
            return events + [SlotSet("attempts", attempts)]  # the same question comes next
        if answer.understood:
            attempts.pop(question, None)
            value = UNKNOWN if answer.unknown else answer.value
            events: list[EventType] = [SlotSet(question, value)]
            events += await self.accepted(question, value, dispatcher, tracker)
            return events + [SlotSet("attempts", attempts)]
        attempts[question] = attempts.get(question, 0) + 1
        if attempts[question] >= 2:
            attempts.pop(question)
            return self.give_up(question, dispatcher, tracker) + [SlotSet("attempts", attempts)]
        return [SlotSet("attempts", attempts)]
