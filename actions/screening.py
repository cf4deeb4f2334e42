"""The screening form: ask only the questions the answers make necessary, keep every fact of every
message, accept « je ne sais pas », re-ask once differently, take corrections, let the person ask
something in the middle, and sum up before the estimate."""
from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import facts
from actions.digressions import answer_digression
from actions.forms import DIGRESSIONS, INTERRUPTIONS, REQUESTED_SLOT, intent_of
from actions.messages import say, say_text, texts
from actions.questions import question_message
from actions.recap import recap_text
from actions.results import estimate, recall_estimate
from actions.screening_plan import ANSWERS, QUESTIONS, UNKNOWN, needed_questions, next_question, unsettled
from actions.tracker_info import current_answers

MAX_ATTEMPTS = 2
NOTED = "noted"   # in `attempts`: the question whose answer is still awaited after other facts were taken


# Said whatever else the message holds: the rules take over.
ALWAYS_INTERRUPT = frozenset({"stop", "delete_data", "restart"})


def screening_reset() -> list[EventType]:
    """Forget every answer (« recommencer »)."""
    return [SlotSet(name, None) for name in ANSWERS] + [
        SlotSet("attempts", None), SlotSet("estimate", None), SlotSet(REQUESTED_SLOT, None)]


def changes_of(reading: facts.Reading, question: str | None, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers a message changes. A fact fills an empty answer; it replaces one given before
    when the message corrects (« non en fait... »), when it does not answer the question asked (so
    it was said on purpose), or at the recap."""
    deliberate = reading.correction or not reading.answered or question in (None, "recap")
    changes: dict[str, Any] = {}
    for key, value in reading.answers.items():
        current = answers.get(key)
        if key == question or current is None or current == UNKNOWN or (deliberate and value != current):
            if value != current:
                changes[key] = value
    if question == "children_ages" and isinstance(reading.answers.get("children"), int) and \
            len(reading.answers.get("children_ages") or []) == reading.answers["children"]:
        changes["children"] = reading.answers["children"]   # ages and count said together settle both
    count = changes.get("children", answers.get("children"))
    ages = changes.get("children_ages", answers.get("children_ages"))
    if isinstance(ages, list) and isinstance(count, int) and len(ages) != count:
        if "children_ages" in changes and "children" not in changes and answers.get("children") is None:
            changes["children"] = len(ages)
        else:
            changes["children_ages"] = None   # to be asked again
    return changes


def corrected(changes: dict[str, Any], answers: dict[str, Any], question: str | None) -> bool:
    """True when a change replaces an answer the person had given before."""
    return any(k != question and k in QUESTIONS and k != "recap" and answers.get(k) not in (None, UNKNOWN)
               for k in changes)


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
        if requested in QUESTIONS and unsettled(answers, requested):
            outcome = await self._read(requested, answers, dispatcher, tracker, domain)
            if outcome is None:
                return []  # an interruption: Rasa rejects the form and the rules take over
            events += outcome
        answers.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        events.append(SlotSet(REQUESTED_SLOT, next_question(answers, tracker.get_slot("life_event"))))
        return events

    async def _read(self, question: str, answers: dict[str, Any], dispatcher: CollectingDispatcher,
                    tracker: Tracker, domain: DomainDict) -> list[EventType] | None:
        intent = intent_of(tracker)
        if intent in ALWAYS_INTERRUPT:
            return None
        message = tracker.latest_message or {}
        reading = facts.read(message.get("entities") or [], question, answers, intent)
        attempts = dict(tracker.get_slot("attempts") or {})
        attempts.pop(NOTED, None)
        changes = changes_of(reading, question, answers)
        if intent in INTERRUPTIONS and not reading.answered and not changes:
            return None   # « je veux parler à quelqu'un »; but « un petit » read as such is an answer
        if corrected(changes, answers, question):
            say(dispatcher, "corrected")
        events: list[EventType] = [SlotSet(k, v) for k, v in changes.items()]
        if question == "recap":
            events += self._recap(reading, changes, attempts, dispatcher)
        elif reading.answered and not unsettled({**answers, **changes}, question):
            attempts.pop(question, None)
        elif reading.answered and changes.get(question) not in (None, answers.get(question)):
            pass  # a step forward (« lyon »: which arrondissement?): the question comes again, narrower
        elif reading.dont_know:
            attempts.pop(question, None)
            events.append(SlotSet(question, UNKNOWN))
        elif changes and not reading.answered:
            if not corrected(changes, answers, question):
                attempts[NOTED] = question  # other facts, not this answer: « C'est noté. » and the question again
        elif intent in DIGRESSIONS and not reading.answered:
            events += await answer_digression(intent, dispatcher, tracker, domain)
        else:
            attempts[question] = attempts.get(question, 0) + 1
            if attempts[question] >= MAX_ATTEMPTS:
                attempts.pop(question)
                say(dispatcher, "skipped_as_unknown")
                events.append(SlotSet(question, UNKNOWN))
        return events + [SlotSet("attempts", attempts)]

    @staticmethod
    def _recap(reading: facts.Reading, changes: dict[str, Any], attempts: dict[str, int],
               dispatcher: CollectingDispatcher) -> list[EventType]:
        """« C'est bien ça ? »: yes goes on; a correction is taken and the recap said again; « non »
        asks what to correct; anything else twice goes on (the recap never blocks)."""
        said = reading.answers.get("recap")
        if changes.keys() - {"recap"}:
            attempts.pop("recap", None)
            return [SlotSet("recap", None)]
        if said is True or reading.dont_know:
            attempts.pop("recap", None)
            return [SlotSet("recap", True)]
        if said is False and not attempts.get("recap"):
            attempts["recap"] = 1
            say(dispatcher, "recap_what_to_fix")
            return [SlotSet("recap", None)]
        attempts["recap"] = attempts.get("recap", 0) + 1
        if attempts["recap"] >= MAX_ATTEMPTS:
            attempts.pop("recap")
            return [SlotSet("recap", True)]
        return [SlotSet("recap", None)]


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
        answers = current_answers(tracker)
        question = next_question(answers, tracker.get_slot("life_event")) or self.question
        ask_question(dispatcher, tracker, question, answers)
        attempts = tracker.get_slot("attempts") or {}
        if NOTED in attempts:   # said once, with this question only
            return [SlotSet(REQUESTED_SLOT, question), SlotSet("attempts", {k: v for k, v in attempts.items() if k != NOTED})]
        return [SlotSet(REQUESTED_SLOT, question)]


def ask_question(dispatcher: CollectingDispatcher, tracker: Tracker, question: str,
                 answers: dict[str, Any]) -> None:
    attempts = tracker.get_slot("attempts") or {}
    again = bool(attempts.get(question))
    if question == "recap":
        if again:
            say(dispatcher, "recap_reask")
        else:
            entry = texts()["recap"]
            say_text(dispatcher, recap_text(answers, tracker.get_slot("life_event")), buttons=entry["buttons"],
                     ask="recap")
        return
    asked = question_message(question, answers, again)
    if attempts.get(NOTED) == question:
        asked = {**asked, "text": f"{texts()['noted']['text'].strip()} {asked['text']}"}
    dispatcher.utter_message(json_message=asked)


class ActionAskAge(ActionAskQuestion):
    question = "age"


class ActionAskCouple(ActionAskQuestion):
    question = "couple"


class ActionAskPartnerAge(ActionAskQuestion):
    question = "partner_age"


class ActionAskChildren(ActionAskQuestion):
    question = "children"


class ActionAskChildrenAges(ActionAskQuestion):
    question = "children_ages"


class ActionAskAlimony(ActionAskQuestion):
    question = "alimony"


class ActionAskSingleParentRecent(ActionAskQuestion):
    question = "single_parent_recent"


class ActionAskPregnant(ActionAskQuestion):
    question = "pregnant"


class ActionAskCommune(ActionAskQuestion):
    question = "commune"


class ActionAskHousingStatus(ActionAskQuestion):
    question = "housing_status"


class ActionAskRent(ActionAskQuestion):
    question = "rent"


class ActionAskActivity(ActionAskQuestion):
    question = "activity"


class ActionAskSelfEmployed(ActionAskQuestion):
    question = "self_employed"


class ActionAskSelfEmployedKind(ActionAskQuestion):
    question = "self_employed_kind"


class ActionAskStudentGrant(ActionAskQuestion):
    question = "student_grant"


class ActionAskSalary(ActionAskQuestion):
    question = "salary"


class ActionAskUnemployment(ActionAskQuestion):
    question = "unemployment"


class ActionAskPension(ActionAskQuestion):
    question = "pension"


class ActionAskPartnerIncome(ActionAskQuestion):
    question = "partner_income"


class ActionAskPartnerActivity(ActionAskQuestion):
    question = "partner_activity"


class ActionAskOtherIncome(ActionAskQuestion):
    question = "other_income"


class ActionAskDisability(ActionAskQuestion):
    question = "disability"


class ActionAskWorkRestriction(ActionAskQuestion):
    question = "work_restriction"


class ActionAskPartnerDisability(ActionAskQuestion):
    question = "partner_disability"


class ActionAskPartnerWorkRestriction(ActionAskQuestion):
    question = "partner_work_restriction"


class ActionAskCoupleType(ActionAskQuestion):
    question = "couple_type"


class ActionAskRecap(ActionAskQuestion):
    question = "recap"


async def start_questions(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                          answers: dict[str, Any]) -> list[EventType]:
    """`questions_left` true: the rules start the screening form, which asks what the answers still
    need. False: nothing is missing any more, and the estimate is computed at once."""
    if next_question(answers, tracker.get_slot("life_event")) is not None:
        return [SlotSet(REQUESTED_SLOT, None), SlotSet("questions_left", True)]
    return await estimate(dispatcher, tracker, answers) + [SlotSet("questions_left", False)]


class ActionStartScreening(Action):
    """Start the questions, or take them up again where they stopped. After an estimate, « je veux
    connaître mes droits » recalls it (« recommencer » starts again)."""

    def name(self) -> str:
        return "action_start_screening"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("estimate") is not None:
            return recall_estimate(dispatcher, tracker) + [SlotSet("offer", None), SlotSet("questions_left", False)]
        answers = current_answers(tracker)
        if any(v is not None for v in answers.values()):
            say(dispatcher, "resume_screening")
        return [SlotSet("offer", None)] + await start_questions(dispatcher, tracker, domain, answers)
