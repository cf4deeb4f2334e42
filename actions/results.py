"""The estimate: call the eligibility service, tell the likely aids first, then the uncertain ones
with their range and what they depend on, the total per month, where the figures come from, which
answer would make them surer, and offer to meet someone. After it, questions about the estimate
(« alors j'ai droit à quoi ? », « on a droit à la prime d'activité ? », « pourquoi pas le RSA ? »)
are answered from it, without asking anything again."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clients import api
from actions.household import build_household, summary
from actions.messages import benefit_texts, euros, render_text, say, say_text, signal
from actions.tracker_info import channel_of, current_answers
from knowledge.french import de
from knowledge.vocabulary import unknown_field

log = logging.getLogger(__name__)


def _who(benefit_id: str, fallback: dict[str, Any] | None = None) -> str:
    claim = benefit_texts(benefit_id).get("how_to_claim") or (fallback or {})
    return str(claim.get("who") or claim.get("where") or "votre caisse")


def _name(benefit: dict[str, Any]) -> str:
    return str(benefit_texts(benefit["id"]).get("short_name") or benefit.get("name") or benefit["id"])


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]


def missing_labels(fields: list[str]) -> list[str]:
    """The French names of the contract fields nobody could give, once each."""
    labels = [(unknown_field(f) or {}).get("label") for f in fields]
    return list(dict.fromkeys(label for label in labels if label))


def _yearly(benefit: dict[str, Any]) -> bool:
    period = benefit_texts(benefit["id"]).get("period")
    if period:
        return period == "year"
    return benefit.get("yearly_amount") is not None and benefit.get("monthly_amount") is None


def _line(benefit: dict[str, Any], household: dict[str, Any]) -> tuple[str, float, float] | None:
    """(line, sort weight, monthly euros counted in the total) for a likely or uncertain aid."""
    status, bid = benefit.get("status"), benefit["id"]
    monthly, yearly = benefit.get("monthly_amount"), benefit.get("yearly_amount")
    name, who = _name(benefit), _who(bid, benefit.get("how_to_claim"))
    per = "yearly" if _yearly(benefit) else "monthly"
    automatic = bool(benefit_texts(bid).get("automatic"))
    if bid.startswith("local.") and status in ("eligible", "uncertain") and not (monthly or yearly or benefit.get("range")):
        key = "result_local" if status == "eligible" else "result_local_maybe"
        return render_text(key, name=name, who=who), -1.0, 0.0
    if status == "eligible":
        if bid == "complementaire_sante_solidaire":
            key = "result_free" if not monthly else "result_participation"
            return render_text(key, name=name, amount=euros(monthly or 0), who=who), 0.0, 0.0
        amount = yearly if per == "yearly" else monthly
        if not amount:
            return None
        key = f"result_{per}" + ("_automatic" if automatic else "")
        weight = amount / 12 if per == "yearly" else amount
        return render_text(key, name=name, amount=euros(amount), who=who), weight, (0.0 if per == "yearly" else amount)
    if status == "uncertain" and benefit.get("range"):
        low, high = benefit["range"]
        if high <= 0:
            return None
        depends = missing_labels(benefit.get("depends_on") or household.get("unknown", [])) or ["une réponse"]
        values = {"name": name, "low": euros(low), "high": euros(high), "depends": de(_join(depends))}
        if euros(low) == euros(high):
            key = f"result_maybe_{per}"
        elif round(low) <= 0:
            key = f"result_upto_{per}"
        else:
            key = f"result_range_{per}"
        return render_text(key, **values), high / (12 if per == "yearly" else 1), 0.0
    return None


def result_lines(result: dict[str, Any], household: dict[str, Any]) -> tuple[list[str], float]:
    """One line per likely or uncertain aid: likely ones first, largest first, then the uncertain
    ones, then the local services without an amount; and the monthly total of the likely ones."""
    likely, uncertain, local, total = [], [], [], 0.0
    for benefit in result.get("benefits", []):
        found = _line(benefit, household)
        if found is None:
            continue
        line, weight, counted = found
        total += counted
        if weight < 0:
            local.append(line)
        elif benefit.get("status") == "eligible":
            likely.append((weight, line))
        else:
            uncertain.append((weight, line))
    ordered = [line for _, line in sorted(likely, key=lambda x: -x[0])]
    ordered += [line for _, line in sorted(uncertain, key=lambda x: -x[0])]
    return ordered + local, total


def say_results(dispatcher: CollectingDispatcher, lines: list[str], total: float, missing: list[str]) -> None:
    if lines:
        for line in lines:
            say_text(dispatcher, line)
        if total > 0:
            say(dispatcher, "result_total", total=euros(total))
    else:
        say(dispatcher, "result_none")
    if missing:
        say(dispatcher, "result_source_uncertain")
        say(dispatcher, "result_missing", missing=_join(missing))
    else:
        say(dispatcher, "result_source")


async def estimate(dispatcher: CollectingDispatcher, tracker: Tracker, answers: dict[str, Any]) -> list[EventType]:
    """Compute the estimate of `answers`, tell it, and keep it for the questions that follow."""
    household = build_household(answers, tracker.get_slot("life_event"))
    try:
        result = await api.estimate(household, tracker.sender_id)
    except api.TownNotCovered as error:   # Polynésie, Nouvelle-Calédonie...: said, with who can help
        say_text(dispatcher, error.fr)
        say(dispatcher, "estimate_not_covered")
        return [SlotSet("offer", "human")]
    except api.ApiError as error:
        log.warning("Estimate failed: %s", type(error).__name__)
        say(dispatcher, "estimate_failed")
        return [SlotSet("offer", None)]
    lines, total = result_lines(result, household)
    missing = missing_labels(household["unknown"])
    say(dispatcher, "results_intro")
    say_results(dispatcher, lines, total, missing)
    say(dispatcher, "offer_appointment")
    kept = [{"id": b["id"], "status": b["status"], "monthly_amount": b.get("monthly_amount"),
             "yearly_amount": b.get("yearly_amount"), "range": b.get("range")}
            for b in result.get("benefits", []) if b.get("status") != "not_eligible"]
    signal(dispatcher, "estimate", household=summary(answers), benefits=kept, monthly_total=round(total, 2),
           commune=household.get("commune"))      # the INSEE code: the team's territory, for the figures
    if tracker.get_slot("consent"):
        try:      # one message in 7 days, « Avez-vous pu faire la demande ? », unless they book
            await api.follow_up(tracker.sender_id, channel_of(tracker))
        except api.ApiError as error:
            log.warning("Follow-up not scheduled: %s", type(error).__name__)
    kept_estimate = {
        "lines": lines, "total": round(total, 2), "missing": missing,
        "benefits": [{"id": b["id"], "status": b["status"], "why": b.get("why"), "name": _name(b),
                      "line": (_line(b, household) or ("",))[0]} for b in result.get("benefits", [])],
    }
    return [SlotSet("estimate", kept_estimate), SlotSet("offer", "appointment"), SlotSet("recap", True)]


def recall_estimate(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """« Alors j'ai droit à quoi ? »: the estimate already made, said again; « on a droit à la prime
    d'activité ? »: what it says of that aid."""
    kept = tracker.get_slot("estimate")
    if not kept:
        say(dispatcher, "why_needs_estimate")
        return []
    if benefit_asked(tracker) and answer_from_estimate(dispatcher, tracker, kept):
        return []
    say(dispatcher, "results_recall")
    say_results(dispatcher, kept.get("lines") or [], kept.get("total") or 0.0, kept.get("missing") or [])
    say(dispatcher, "results_change")
    return []


class ActionEstimate(Action):
    def name(self) -> str:
        return "action_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return await estimate(dispatcher, tracker, current_answers(tracker))


class ActionRecallEstimate(Action):
    def name(self) -> str:
        return "action_recall_estimate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return recall_estimate(dispatcher, tracker)


def benefit_asked(tracker: Tracker) -> str | None:
    message = tracker.latest_message or {}
    return next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "benefit"), None)


def asks_why(tracker: Tracker) -> bool:
    message = tracker.latest_message or {}
    return any(e.get("entity") == "question" and e.get("value") == "why" for e in message.get("entities") or [])


def answer_from_estimate(dispatcher: CollectingDispatcher, tracker: Tracker, kept: dict[str, Any]) -> bool:
    """What the estimate says of the aid the message names (with why when asked); False when the
    estimate does not cover it."""
    benefit_id = benefit_asked(tracker)
    found = next((b for b in kept.get("benefits", []) if b["id"] == benefit_id), None)
    if not found:
        return False
    if found.get("status") in ("eligible", "uncertain") and found.get("line"):
        say_text(dispatcher, found["line"])
        if found.get("why") and asks_why(tracker):
            say(dispatcher, "why_benefit", name=found["name"], why=found["why"])
    else:
        say(dispatcher, "benefit_not_in_estimate", name=found["name"], why=found.get("why") or "")
    return True


class ActionBenefitInfo(Action):
    """« C'est quoi l'ASPA ? »; after an estimate, « on a droit à la prime d'activité ? » and
    « pourquoi pas le RSA ? » are answered from it."""

    def name(self) -> str:
        return "action_benefit_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        benefit_id = benefit_asked(tracker)
        if not benefit_id or not benefit_texts(benefit_id):
            if tracker.get_slot("estimate"):
                return recall_estimate(dispatcher, tracker)
            say(dispatcher, "benefit_unknown")
            return []
        if answer_from_estimate(dispatcher, tracker, tracker.get_slot("estimate") or {}):
            return []
        if asks_why(tracker):
            say(dispatcher, "why_needs_estimate")
            return []
        info = benefit_texts(benefit_id)
        say(dispatcher, "benefit_info", summary=info.get("summary", ""), who=_who(benefit_id))
        return []
