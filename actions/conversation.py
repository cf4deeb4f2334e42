"""Opening, consent, doubts and objections, and what can be said at any moment: a human is always
one step away."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import facts
from actions.booking import contact_for, wants_callback
from actions.messages import say, signal, texts
from actions.results import ActionBenefitInfo, recall_estimate
from actions.screening import REQUESTED_SLOT, changes_of, screening_reset, start_questions
from actions.screening_plan import ANSWERS
from actions.topics import OBJECTIONS, ActionHelpPrivacyThanks, ask_consent, count_topic, life_event_answer
from actions.tracker_info import commune_code, current_answers, first_turn, latest_intent


async def human_contact(tracker: Tracker) -> str:
    """The local team's phone when the person's town has a team, else the national contacts."""
    _, contact = await contact_for(commune_code(tracker))
    return contact


def earlier_facts(tracker: Tracker) -> dict[str, object]:
    """The facts a person gave before agreeing to the privacy notice (« j'ai 19 ans, je fais rien,
    y a des aides ? »), read from the entities of their messages, so nothing is asked twice."""
    answers: dict[str, object] = {}
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        data = event.get("parse_data") or {}
        intent = (data.get("intent") or {}).get("name")
        reading = facts.read(data.get("entities") or [], None, answers, intent)
        answers.update(changes_of(reading, None, answers))
    return answers


async def topic_answer(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                       intent: str | None) -> list[EventType]:
    """What an opening message was about, answered before (or instead of) the consent question."""
    if intent in OBJECTIONS:
        say(dispatcher, intent)
        count_topic(dispatcher, "doubt", intent)
        return []
    if intent == "life_event":
        return life_event_answer(dispatcher, tracker)
    answering = ANSWERING_ACTIONS.get(intent or "")
    if answering is None:
        return []
    events = await answering().run(dispatcher, tracker, domain)
    return [e for e in events if e.get("name") != "offer"]


class ActionWelcome(Action):
    """The first message of a conversation: who we are, the privacy notice, and consent."""

    def name(self) -> str:
        return "action_welcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        intent = latest_intent(tracker)
        if tracker.get_slot("consent"):
            say(dispatcher, "welcome_back")
            events = await topic_answer(dispatcher, tracker, domain, intent)
            if not dispatcher.messages[1:]:
                say(dispatcher, "affirm_without_question")
            return events + [SlotSet("offer", None)]
        if not first_turn(tracker) and intent == "greet":
            say(dispatcher, "hello_again")  # the notice was said already
            return ask_consent(dispatcher, with_notice=False)
        say(dispatcher, "welcome")
        events = await topic_answer(dispatcher, tracker, domain, intent)
        return events + ask_consent(dispatcher)


class ActionConsentGiven(Action):
    """Yes to the privacy notice: the facts said before are kept, and the questions start (unless
    the yes was for a booking, which goes on)."""

    def name(self) -> str:
        return "action_consent_given"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        signal(dispatcher, "consent", kind="privacy", given=True)
        booking = tracker.get_slot("offer") == "consent_booking"
        say(dispatcher, "booking_consent_thanks" if booking else "consent_thanks")
        event = tracker.get_slot("life_event")
        events: list[EventType] = [SlotSet("consent", True), SlotSet("offer", None), SlotSet("refusals", 0.0),
                                   SlotSet(REQUESTED_SLOT, None), SlotSet("life_event", event)]
        answers = {**current_answers(tracker), **earlier_facts(tracker)}
        events += [SlotSet(k, v) for k, v in answers.items() if v is not None and tracker.get_slot(k) is None]
        if booking:
            return events + [SlotSet("questions_left", None)]   # the booking goes on (its own rules)
        return events + await start_questions(dispatcher, tracker, domain, answers)


class ActionTakeFacts(Action):
    """Facts given outside the questions (« non en fait j'ai 2 enfants » after the result, « j'ai 35
    ans » before any question): kept, then the questions go on, or the estimate is computed again."""

    def name(self) -> str:
        return "action_take_facts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        answers = current_answers(tracker)
        message = tracker.latest_message or {}
        reading = facts.read(message.get("entities") or [], None, answers, latest_intent(tracker))
        changes = changes_of(reading, None, answers)
        if not changes:
            if tracker.get_slot("estimate"):
                return recall_estimate(dispatcher, tracker) + [SlotSet("questions_left", False)]
            say(dispatcher, "affirm_without_question")
            return [SlotSet("offer", None), SlotSet("questions_left", False)]
        if tracker.get_slot("estimate"):
            say(dispatcher, "corrected")
        answers.update(changes)
        events: list[EventType] = [SlotSet(k, v) for k, v in changes.items()] + [SlotSet("offer", None)]
        return events + await start_questions(dispatcher, tracker, domain, answers)


class ActionConsentRefused(Action):
    """« non » to the privacy notice. A message with facts of the household read as a no (« jsuis
    auto-entrepreneure, ça marche pas fort ») is not a refusal: the question comes again."""

    def name(self) -> str:
        return "action_consent_refused"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        message = tracker.latest_message or {}
        reading = facts.read(message.get("entities") or [], None, {}, latest_intent(tracker))
        if reading.answers:
            say(dispatcher, "consent_needed")
            return ask_consent(dispatcher, with_notice=False)
        say(dispatcher, "consent_refused")
        return [SlotSet("offer", None)]


class ActionAskConsent(Action):
    """Someone wants to check their rights but has not agreed to the privacy notice yet."""

    def name(self) -> str:
        return "action_ask_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "welcome" if first_turn(tracker) else "consent_needed")
        return ask_consent(dispatcher)


class ActionRefuseOffer(Action):
    """« Non » to the invitation: ask once what holds the person back, then leave the door open."""

    def name(self) -> str:
        return "action_refuse_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        refusals = (tracker.get_slot("refusals") or 0.0) + 1
        if refusals >= 2:
            say(dispatcher, "second_refusal")
        else:
            say(dispatcher, "first_refusal")
        return [SlotSet("refusals", refusals), SlotSet("offer", None)]


class ActionLifeEvent(Action):
    def name(self) -> str:
        return "action_life_event"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if first_turn(tracker):
            say(dispatcher, "welcome")
        events = await topic_answer(dispatcher, tracker, domain, "life_event")
        if not tracker.get_slot("consent"):
            return events + ask_consent(dispatcher)
        return events


class ActionHumanContact(Action):
    """A person: the team's phone, and the choice of an appointment or a call back.
    « rappelez-moi » (or the « Être rappelé » button) goes straight to the call-back questions."""

    def name(self) -> str:
        return "action_human_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if wants_callback(tracker) and tracker.get_slot("consent"):
            return [SlotSet("offer", None), SlotSet(REQUESTED_SLOT, None), FollowupAction("callback_form")]
        buttons = [dict(b) for b in texts()["human_contact"].get("buttons", [])]
        unfinished = any(v is not None for v in current_answers(tracker).values()) and not tracker.get_slot("estimate")
        for button in buttons:
            if button["payload"] == "/deny":
                button.update(title="Continuer les questions", payload="/start_screening") if unfinished \
                    else button.update(title="Non merci")
        say(dispatcher, "human_contact", buttons=buttons, contact=await human_contact(tracker))
        return [SlotSet("offer", None)]


class _Say(Action):
    """An action that says one text and clears the pending offer."""

    text_name = ""
    action_name = ""
    keeps_offer = False

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, self.text_name)
        return self.events(tracker)

    def events(self, tracker: Tracker) -> list[EventType]:
        return [] if self.keeps_offer else [SlotSet("offer", None)]


class ActionGoodbye(_Say):
    action_name, text_name = "action_goodbye", "goodbye"


class ActionFallback(_Say):
    action_name, text_name, keeps_offer = "action_default_fallback", "fallback", True


class ActionAffirmWithoutQuestion(Action):
    """« oui », « non » or a fact when nothing was asked: on a first message this is the welcome."""

    def name(self) -> str:
        return "action_affirm_without_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if first_turn(tracker):
            return await ActionWelcome().run(dispatcher, tracker, domain)
        say(dispatcher, "affirm_without_question")
        return [SlotSet("offer", None)]


class ActionAppointmentDeclined(_Say):
    action_name, text_name = "action_appointment_declined", "appointment_declined"


class ActionDeleteCancelled(_Say):
    action_name, text_name = "action_delete_cancelled", "delete_cancelled"


class ActionBotChallenge(Action):
    def name(self) -> str:
        return "action_bot_challenge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "bot_challenge")
        return [SlotSet("offer", "human")]


class ActionStop(Action):
    def name(self) -> str:
        return "action_stop"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "stop_confirmed")
        signal(dispatcher, "stop")
        return [SlotSet("offer", None), SlotSet(REQUESTED_SLOT, None)]


class ActionDeleteAsk(Action):
    def name(self) -> str:
        return "action_delete_ask"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "delete_confirm")
        return [SlotSet("offer", "erase"), SlotSet(REQUESTED_SLOT, None)]


class ActionDeleteConfirmed(Action):
    """Erase: the API forgets the person in its database and replaces this conversation's tracker."""

    def name(self) -> str:
        return "action_delete_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "deleted")
        signal(dispatcher, "erase")
        return [Restarted()]


class ActionRestart(Action):
    """« recommencer » (overrides Rasa's action_restart): forget the answers, keep the consent.
    Without consent there is nothing to forget: the welcome starts again."""

    def name(self) -> str:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("consent"):
            await ActionWelcome().run(dispatcher, tracker, domain)
            return [SlotSet("offer", "consent"), SlotSet("life_event", None)]
        say(dispatcher, "restarted")
        fresh = {name: None for name in ANSWERS}
        return screening_reset() + [SlotSet("offer", None), SlotSet("life_event", None)] + \
            await start_questions(dispatcher, tracker, domain, fresh)


# Actions whose answer also serves as the topic of an opening message.
ANSWERING_ACTIONS: dict[str, type[Action]] = {
    "ask_human": ActionHumanContact,
    "book_appointment": ActionHumanContact,
    "cancel_appointment": ActionHumanContact,
    "bot_challenge": ActionBotChallenge,
    "help": ActionHelpPrivacyThanks,
    "privacy_question": ActionHelpPrivacyThanks,
    "ask_benefit_info": ActionBenefitInfo,
}
