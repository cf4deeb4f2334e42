"""The rendez-vous des droits in the conversation: the nearest slots of the person's territory,
sharing the summary (only after a yes), a phone number only for a web reminder, confirmation with
what to bring; cancelling, moving, and asking to be called back."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import facts
from actions.clients import api
from actions.forms import REQUESTED_SLOT, Answer, QuestionForm, entity, intent_of, yes_or_no
from actions.messages import benefit_texts, render_text, say, say_text, texts
from actions.screening_plan import UNKNOWN
from actions.tracker_info import channel_of, commune_code
from knowledge import load
from knowledge.french import PARIS, spoken_date as when

NONE = "none"  # a question that needs no answer any more (no slot, no reminder wanted)
REMINDER_TEXTS = {"confirmation_sent": "booking_reminder_confirm", "not_mobile": "booking_reminder_not_mobile"}
BOOKING_SLOTS = ("commune", "handover_consent", "appointment_slot", "phone")
CALLBACK_SLOTS = ("commune", "callback_times", "phone")


def handover_notes(tracker: Tracker) -> dict[str, list[str]]:
    """The worries voiced and the benefits asked about, as labels for the social worker (the person's
    own words are not kept)."""
    labels = load("handover")
    worries: list[str] = []
    questions: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        data = event.get("parse_data") or {}
        intent = (data.get("intent") or {}).get("name")
        if intent in labels["worries"] and labels["worries"][intent] not in worries:
            worries.append(labels["worries"][intent])
        if intent == "ask_benefit_info":
            for found in data.get("entities") or []:
                name = benefit_texts(found.get("value")).get("short_name") if found.get(
                    "entity") == "benefit" else None
                line = labels["question"].format(benefit=name) if name else None
                if line and line not in questions:
                    questions.append(line)
    return {"worries": worries, "questions": questions}


def national_contact() -> str:
    return str(load("contacts")["national"]["text"]).strip()


def read_commune(tracker: Tracker) -> Answer:
    """The town of the latest message, from its entities (as in the screening)."""
    message = tracker.latest_message or {}
    reading = facts.read(message.get("entities") or [], "commune", {}, intent_of(tracker))
    commune = reading.answers.get("commune")
    if isinstance(commune, dict) and (commune.get("code") or commune.get("postcode")):
        return Answer(value={k: v for k, v in commune.items() if k in ("code", "name", "postcode")})
    return Answer(unknown=reading.dont_know)


async def contact_for(code: str | None) -> tuple[dict[str, Any] | None, str]:
    """The person's territory (or None) and who to call."""
    if not code:
        return None, national_contact()
    try:
        found = await api.territory(code)
    except api.ApiError:
        return None, national_contact()
    return found.get("territory"), found.get("contact") or national_contact()


def slot_buttons(offered: list[dict[str, Any]]) -> list[dict[str, str]]:
    buttons = [{"title": render_text("booking_slot_line", date=when(s["start"]), label=s["label"]),
                "payload": f'/inform{{"choice": {index}}}'} for index, s in enumerate(offered, start=1)]
    buttons.append({"title": render_text("booking_other_day"), "payload": '/inform{"choice": "autre"}'})
    return buttons


def chosen_slot(tracker: Tracker, offered: list[dict[str, Any]]) -> dict[str, Any] | str | None:
    """The offered slot a message picks (by number, « le premier », or weekday), "autre", or None."""
    choice = entity(tracker, "choice")
    if choice == "autre":
        return "autre"
    if choice == "dernier":
        choice = len(offered)
    weekday = entity(tracker, "weekday")
    if choice is None and weekday is not None:
        days = [i for i, s in enumerate(offered) if datetime.fromisoformat(
            s["start"].replace("Z", "+00:00")).astimezone(PARIS).weekday() == weekday]
        choice = days[0] + 1 if len(days) == 1 else None
    try:
        return offered[int(choice) - 1] if choice is not None and 1 <= int(choice) <= len(offered) else None
    except (TypeError, ValueError):
        return None


class ValidateBookingForm(QuestionForm):
    questions = BOOKING_SLOTS

    def name(self) -> str:
        return "validate_booking_form"

    def next_question(self, tracker: Tracker, answers: dict[str, Any]) -> str | None:
        needed = []
        commune = answers.get("commune")
        if not isinstance(commune, dict) or not (commune.get("code") or commune.get("postcode")):
            needed.append("commune")
        if tracker.get_slot("estimate"):
            needed.append("handover_consent")
        needed.append("appointment_slot")
        if channel_of(tracker) == "web":
            needed.append("phone")
        return next((q for q in needed if answers.get(q) is None), None)

    def interpret(self, question: str, tracker: Tracker) -> Answer:
        if question == "handover_consent":
            return Answer(value=yes_or_no(tracker))
        if question == "appointment_slot":
            chosen = chosen_slot(tracker, tracker.get_slot("offered_slots") or [])
            return Answer(value=chosen) if chosen else Answer()
        if question == "phone":
            phone = entity(tracker, "phone")
            return Answer(value=phone if phone else (NONE if yes_or_no(tracker) is False else None))
        return read_commune(tracker)

    async def accepted(self, question: str, value: Any, dispatcher: CollectingDispatcher,
                       tracker: Tracker) -> list[EventType]:
        if question == "appointment_slot" and value == "autre":
            offered = tracker.get_slot("offered_slots") or []
            after = offered[-1]["end"] if offered else None
            return [SlotSet("appointment_slot", None), SlotSet("booking_after", after), SlotSet("offered_slots", None)]
        if question == "commune" and isinstance(value, dict):
            territory, contact = await contact_for(value.get("code"))
            if territory is None:
                say(dispatcher, "booking_outside_territory", contact=contact)
                return [SlotSet("appointment_slot", NONE), SlotSet("handover_consent", False),
                        SlotSet("phone", NONE)]
        return []

    def give_up(self, question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if question == "phone":
            return [SlotSet("phone", NONE)]
        if question == "handover_consent":
            return [SlotSet("handover_consent", False)]
        if question == "appointment_slot":
            say(dispatcher, "booking_no_slot", contact=national_contact())
            return [SlotSet("appointment_slot", NONE), SlotSet("phone", NONE)]
        return super().give_up(question, dispatcher, tracker)


class ActionStartBooking(Action):
    """Book: check there is a team near the person; the booking form does the rest."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        fresh = [SlotSet(s, None) for s in ("handover_consent", "appointment_slot", "offered_slots", "booking_after",
                                            "attempts", REQUESTED_SLOT)]
        if not tracker.get_slot("consent"):
            # a booking keeps data: the privacy notice first, then the booking goes on after a yes
            say(dispatcher, "booking_consent_needed")
            say(dispatcher, "privacy_notice")
            say(dispatcher, "booking_consent_question", ask="consent")
            return fresh + [SlotSet("booking_possible", False), SlotSet("offer", "consent_booking")]
        fresh.append(SlotSet("offer", None))
        code = commune_code(tracker)
        if code is None:
            return fresh + [SlotSet("booking_possible", True)]  # the form asks for the town first
        territory, contact = await contact_for(code)
        if territory is None:
            say(dispatcher, "booking_outside_territory", contact=contact)
            return fresh + [SlotSet("booking_possible", False)]
        return fresh + [SlotSet("booking_possible", True)]


class ActionAskAppointmentSlot(Action):
    def name(self) -> str:
        return "action_ask_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        code = commune_code(tracker)
        try:
            found = await api.slots(code, after=tracker.get_slot("booking_after")) if code else {"slots": []}
        except api.ApiError:
            found = {"slots": []}
        offered = found.get("slots") or []
        if not offered:
            _, contact = await contact_for(code)
            say(dispatcher, "booking_no_slot", contact=contact)
            return [SlotSet("appointment_slot", NONE), SlotSet("phone", NONE), SlotSet(REQUESTED_SLOT, None)]
        attempts = tracker.get_slot("attempts") or {}
        say(dispatcher, "booking_slot_not_understood" if attempts.get("appointment_slot") else "booking_slots",
            ask="appointment_slot", buttons=slot_buttons(offered))
        return [SlotSet("offered_slots", offered), SlotSet(REQUESTED_SLOT, "appointment_slot")]


class _AskText(Action):
    """Ask one question by its text in knowledge/texts; re-ask with the example after a miss."""

    action_name = ""
    slot = ""
    text_key = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        entry = texts()[self.text_key]
        if (tracker.get_slot("attempts") or {}).get(self.slot) and entry.get("reask"):
            dispatcher.utter_message(json_message={"text": entry["reask"], "buttons": entry.get("buttons") or [],
                                                   "ask": entry.get("ask")})
        else:
            say(dispatcher, self.text_key)
        return [SlotSet(REQUESTED_SLOT, self.slot)]


class ActionAskHandoverConsent(_AskText):
    action_name, slot, text_key = "action_ask_handover_consent", "handover_consent", "booking_share_question"


class ActionAskBookingCommune(_AskText):
    action_name, slot, text_key = "action_ask_booking_form_commune", "commune", "booking_commune_question"


class ActionAskBookingPhone(_AskText):
    action_name, slot, text_key = "action_ask_booking_form_phone", "phone", "booking_phone_question"


class ActionAskCallbackCommune(_AskText):
    action_name, slot, text_key = "action_ask_callback_form_commune", "commune", "booking_commune_question"


class ActionAskCallbackPhone(_AskText):
    action_name, slot, text_key = "action_ask_callback_form_phone", "phone", "callback_phone_question"


class ActionAskCallbackTimes(_AskText):
    action_name, slot, text_key = "action_ask_callback_times", "callback_times", "callback_times_question"


class ActionBook(Action):
    def name(self) -> str:
        return "action_book"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        chosen = tracker.get_slot("appointment_slot")
        if not isinstance(chosen, dict):
            return []  # outside every territory, or no slot: already said
        phone = tracker.get_slot("phone")
        share = tracker.get_slot("handover_consent") is True
        try:
            booked = await api.book(tracker.sender_id, channel_of(tracker), chosen["id"], share,
                                    phone if phone not in (None, NONE, UNKNOWN) else None,
                                    handover_notes(tracker) if share else None)
        except api.SlotTaken:
            say(dispatcher, "booking_slot_taken")
            return [SlotSet("appointment_slot", None), SlotSet("offered_slots", None),
                    FollowupAction("booking_form")]
        except api.Refused as refused:          # already an appointment, or too many bookings
            say_text(dispatcher, refused.fr)
            return [SlotSet("appointment_slot", None), SlotSet("offered_slots", None), SlotSet("phone", None)]
        except api.ApiError:
            _, contact = await contact_for(commune_code(tracker))
            say(dispatcher, "booking_failed", contact=contact)
            return []
        place = booked.get("place") or {}
        say(dispatcher, "booking_confirmed", date=when(booked["start"]), place=place.get("name", ""),
            address=place.get("address", ""))
        if place.get("access"):
            say(dispatcher, "booking_access", access=place["access"])
        if booked.get("what_to_bring"):
            say(dispatcher, "booking_bring", documents=", ".join(d[:1].lower() + d[1:] for d in booked["what_to_bring"]))
        if channel_of(tracker) != "web" or phone not in (None, NONE, UNKNOWN):
            # a number given on the web: reminders after its « OUI », and never to a landline
            say(dispatcher, REMINDER_TEXTS.get(booked.get("reminder_phone") or "", "booking_reminder_channel"))
        say(dispatcher, "booking_how_to_cancel")
        return [SlotSet("appointment_slot", None), SlotSet("offered_slots", None), SlotSet("phone", None)]


class ActionCancelAppointment(Action):
    """« annuler », « je ne pourrai pas venir jeudi », « déplacer »: find the appointment, confirm."""

    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        try:
            found = await api.upcoming(tracker.sender_id)
        except api.ApiError:
            found = None
        if not found:
            say(dispatcher, "cancel_none")
            return [SlotSet("offer", None)]
        moving = entity(tracker, "appointment_change") == "move"
        say(dispatcher, "move_confirm" if moving else "cancel_confirm", date=when(found["start"]),
            place=(found.get("place") or {}).get("name", ""))
        return [SlotSet("appointment_id", found["id"]), SlotSet("offer", "move" if moving else "cancel")]


class ActionCancelConfirmed(Action):
    def name(self) -> str:
        return "action_cancel_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        moving = tracker.get_slot("offer") == "move"
        try:
            await api.cancel(tracker.get_slot("appointment_id"), tracker.sender_id)
        except api.ApiError:
            _, contact = await contact_for(commune_code(tracker))
            say(dispatcher, "booking_failed", contact=contact)
            return [SlotSet("offer", None)]
        if not moving:
            say(dispatcher, "cancel_done")
        return [SlotSet("appointment_id", None), SlotSet("offer", None)]


class ActionCancelKept(Action):
    def name(self) -> str:
        return "action_cancel_kept"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say(dispatcher, "cancel_kept")
        return [SlotSet("appointment_id", None), SlotSet("offer", None)]


def wants_callback(tracker: Tracker) -> bool:
    return entity(tracker, "contact_mode") == "callback"


class ValidateCallbackForm(QuestionForm):
    questions = CALLBACK_SLOTS
    # « le mardi matin » or « appelez-moi après 14h » answer the questions here, whatever intent they
    # look like: only these leave them (bot/data/rules/appointments.yml, « during callback_form »).
    interruptions = frozenset({"stop", "delete_data", "goodbye", "bot_challenge"})

    def name(self) -> str:
        return "validate_callback_form"

    def next_question(self, tracker: Tracker, answers: dict[str, Any]) -> str | None:
        needed = []
        commune = answers.get("commune")
        if not isinstance(commune, dict) or not (commune.get("code") or commune.get("postcode")):
            needed.append("commune")
        needed.append("callback_times")
        if channel_of(tracker) != "sms":
            needed.append("phone")
        return next((q for q in needed if answers.get(q) is None), None)

    def interpret(self, question: str, tracker: Tracker) -> Answer:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        if question == "callback_times":
            return Answer(value=text[:200]) if text and not text.startswith("/") else Answer()
        if question == "phone":
            phone = entity(tracker, "phone")
            return Answer(value=phone) if phone else Answer()
        return read_commune(tracker)

    def give_up(self, question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        if question == "callback_times":
            return [SlotSet("callback_times", "dès que possible")]
        return super().give_up(question, dispatcher, tracker)


class ActionRequestCallback(Action):
    def name(self) -> str:
        return "action_request_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        code = commune_code(tracker)
        territory, contact = await contact_for(code)
        if territory is None:
            say(dispatcher, "callback_outside_territory", contact=contact)
            return [SlotSet("callback_times", None), SlotSet("phone", None)]
        phone = tracker.get_slot("phone")
        times = tracker.get_slot("callback_times") or "dès que possible"
        try:
            await api.callback(tracker.sender_id, channel_of(tracker), code, times,
                               phone if phone not in (None, NONE, UNKNOWN) else None)
        except api.Refused as refused:          # asked too often
            say_text(dispatcher, refused.fr)
            return [SlotSet("callback_times", None), SlotSet("phone", None)]
        except api.ApiError:
            say(dispatcher, "booking_failed", contact=contact)
            return [SlotSet("callback_times", None), SlotSet("phone", None)]
        say(dispatcher, "callback_done", times=times)
        return [SlotSet("callback_times", None), SlotSet("phone", None)]
