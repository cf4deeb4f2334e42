"""The estimate: call the eligibility service, tell the likely aids first, then the uncertain ones
with their range, the total per month, where the figures come from, and offer to meet someone."""
from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import channel_of
from actions.clients import api
from actions.household import build_household, summary
from actions.messages import benefit_texts, euros, render_text, say, say_text, signal
from actions.screening import current_answers
from nlu import parsing

log = logging.getLogger(__name__)

# Questions named in « cela dépend de ... » when an answer is missing.
DEPENDS_ON = {
    "rent": "votre loyer", "adults[0].incomes.salary": "votre salaire",
    "adults[0].incomes.unemployment": "votre chômage", "adults[0].incomes.pension": "votre retraite",
    "adults[0].incomes.other": "vos autres revenus", "adults[0].incomes.alimony": "la pension alimentaire",
    "adults[1].incomes.salary": "les revenus de votre conjoint", "adults[0].age": "votre âge",
    "adults[1].age": "l'âge de votre conjoint", "adults[0].disability_rate": "votre taux de handicap",
    "single_parent_recent": "la date de votre séparation", "adults[0].activity": "votre activité",
}


def _who(benefit_id: str, fallback: dict[str, Any] | None = None) -> str:
    claim = benefit_texts(benefit_id).get("how_to_claim") or (fallback or {})
    return str(claim.get("who") or claim.get("where") or "votre caisse")


def _name(benefit: dict[str, Any]) -> str:
    return str(benefit_texts(benefit["id"]).get("short_name") or benefit.get("name") or benefit["id"])


def _depends(household: dict[str, Any]) -> str:
    names = [DEPENDS_ON.get(field, "une réponse manquante") for field in household.get("unknown", [])]
    names = list(dict.fromkeys(names)) or ["une réponse manquante"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def result_lines(result: dict[str, Any], household: dict[str, Any]) -> tuple[list[str], float]:
    """One line per likely or uncertain aid, likely first and largest first; and the monthly total."""
    likely, uncertain, local, total = [], [], [], 0.0
    for benefit in result.get("benefits", []):
        status, bid = benefit.get("status"), benefit["id"]
        monthly, yearly = benefit.get("monthly_amount"), benefit.get("yearly_amount")
        name, who = _name(benefit), _who(bid, benefit.get("how_to_claim"))
        if bid.startswith("local.") and status in ("eligible", "uncertain") and not (
                monthly or yearly or benefit.get("range")):
            # a local aid that is a service or a reduction (no amount): named, after the amounts
            key = "result_local" if status == "eligible" else "result_local_maybe"
            local.append(render_text(key, name=name, who=who))
        elif status == "eligible":
            if bid == "complementaire_sante_solidaire":
                line = (render_text("result_free", name=name, who=who) if not monthly
                        else render_text("result_participation", name=name, amount=euros(monthly), who=who))
                likely.append((0.0, line))
            elif yearly:
                likely.append((yearly / 12, render_text("result_yearly", name=name, amount=euros(yearly), who=who)))
            elif monthly:
                total += monthly
                likely.append((monthly, render_text("result_monthly", name=name, amount=euros(monthly), who=who)))
        elif status == "uncertain" and benefit.get("range"):
            low, high = benefit["range"]
            if high <= 0:
                continue
            key = "result_range_yearly" if yearly is not None and monthly is None else "result_range_monthly"
            uncertain.append((high, render_text(key, name=name, low=euros(low), high=euros(high),
                                                depends=_depends(household))))
    ordered = [line for _, line in sorted(likely, key=lambda x: -x[0])]
    ordered += [line for _, line in sorted(uncertain, key=lambda x: -x[0])]
    return ordered + local, total


class ActionEstimate(Action):
    def name(self) -> str:
        return "action_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        answers = current_answers(tracker)
        household = build_household(answers)
        try:
            result = await api.estimate(household)
        except api.ApiError as error:
            log.warning("Estimate failed: %s", error)
            say(dispatcher, "estimate_failed")
            return [SlotSet("offer", None)]
        lines, total = result_lines(result, household)
        say(dispatcher, "results_intro")
        if lines:
            for line in lines:
                say_text(dispatcher, line)
            if total > 0:
                say(dispatcher, "result_total", total=euros(total))
        else:
            say(dispatcher, "result_none")
        say(dispatcher, "result_source_uncertain" if household["unknown"] else "result_source")
        say(dispatcher, "offer_appointment")
        kept = [{"id": b["id"], "status": b["status"], "monthly_amount": b.get("monthly_amount"),
                 "yearly_amount": b.get("yearly_amount"), "range": b.get("range")}
                for b in result.get("benefits", []) if b.get("status") != "not_eligible"]
        signal(dispatcher, "estimate", household=summary(answers), benefits=kept, monthly_total=round(total, 2))
        if tracker.get_slot("consent"):
            try:      # one message in 7 days, « Avez-vous pu faire la demande ? », unless they book
                await api.follow_up(tracker.sender_id, channel_of(tracker))
            except api.ApiError as error:
                log.warning("Follow-up not scheduled: %s", type(error).__name__)
        estimate = {"benefits": [{"id": b["id"], "status": b["status"], "why": b.get("why"),
                                  "name": _name(b)} for b in result.get("benefits", [])]}
        return [SlotSet("estimate", estimate), SlotSet("offer", "appointment")]


WHY_PATTERN = re.compile(r"\b(pourquoi|pk|pq|porquoi|pourquoa)\b")


class ActionBenefitInfo(Action):
    """« C'est quoi l'ASPA ? » and, after an estimate, « pourquoi pas le RSA ? »."""

    def name(self) -> str:
        return "action_benefit_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        benefit_id = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "benefit"),
                          None) or parsing.parse_benefit(text)
        if not benefit_id or not benefit_texts(benefit_id):
            say(dispatcher, "benefit_unknown")
            return []
        estimate = tracker.get_slot("estimate")
        if WHY_PATTERN.search(parsing.normalise(text)):
            if not estimate:
                say(dispatcher, "why_needs_estimate")
                return []
            found = next((b for b in estimate["benefits"] if b["id"] == benefit_id), None)
            if found and found.get("why"):
                say(dispatcher, "why_benefit", name=found["name"], why=found["why"])
                return []
        info = benefit_texts(benefit_id)
        say(dispatcher, "benefit_info", summary=info.get("summary", ""), who=_who(benefit_id))
        return []
