"""A question asked in the middle of the screening (« c'est quoi la prime d'activité ? », AIDE,
a doubt, a moment of life): answered by the same code as outside the questions, then the form asks
its pending question again."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.messages import say
from actions.results import ActionBenefitInfo, benefit_asked
from actions.topics import ActionAnswerObjection, ActionHelpPrivacyThanks, life_event_answer

RESPONDERS = {
    "ask_benefit_info": ActionBenefitInfo,
    "help": ActionHelpPrivacyThanks,
    "privacy_question": ActionHelpPrivacyThanks,
    "thanks": ActionHelpPrivacyThanks,
}


async def answer_digression(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> list[EventType]:
    if intent == "life_event":
        return life_event_answer(dispatcher, tracker)
    if intent == "start_screening":   # « on a droit à la prime d'activité ? » in the middle of the questions
        if benefit_asked(tracker):
            return await ActionBenefitInfo().run(dispatcher, tracker, domain)
        say(dispatcher, "resume_screening")
        return []
    responder = RESPONDERS.get(intent, ActionAnswerObjection)
    events = await responder().run(dispatcher, tracker, domain)
    return [e for e in events if e.get("name") != "offer"]
