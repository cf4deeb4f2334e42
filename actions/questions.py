"""How each screening question is put: its text in knowledge/texts/questions.yml, a variant when
the answers so far call for one (a loan instead of a rent, the partner's pension rather than their
salary, « Quel arrondissement ? »), and, the second time, the re-ask with its buttons."""
from __future__ import annotations

from typing import Any, Mapping

from actions.household import partner_income_kind
from actions.messages import message, texts
from knowledge.vocabulary import HOUSING_STATUSES

MAX_TOWN_BUTTONS = 8


def _variant(question: str, answers: Mapping[str, Any]) -> str:
    """The name of the text to say for `question`, given the answers so far."""
    if question == "rent" and (HOUSING_STATUSES.get(answers.get("housing_status") or "") or {}).get("pays") == "loan":
        return "question_loan"
    if question == "partner_income":
        kind = partner_income_kind(answers) if answers.get("partner_activity") else None
        name = f"question_partner_income_{kind}"
        return name if name in texts() else "question_partner_income"
    if question == "pregnant" and answers.get("couple") is True:
        return "question_pregnant_couple"
    return f"question_{question}"


def question_message(question: str, answers: Mapping[str, Any], again: bool = False) -> dict[str, Any]:
    """The message asking `question` ({"text", "buttons", "ask"})."""
    commune = answers.get("commune")
    if question == "commune" and isinstance(commune, dict) and commune.get("arrondissements"):
        return message("question_arrondissement", ask="commune", town=commune.get("name") or "",
                       buttons=[])
    if question == "commune" and isinstance(commune, dict) and commune.get("candidates"):
        titles = [f"{c['name']} ({c.get('departement') or ''})" for c in commune["candidates"][:MAX_TOWN_BUTTONS]]
        buttons = [{"title": title, "payload": '/inform{"commune_code": "%s", "commune": "%s"}' % (c["code"], c["name"])}
                   for title, c in zip(titles, commune["candidates"])]
        towns = ", ".join(titles[:-1]) + " ou " + titles[-1] if len(titles) > 1 else titles[0]
        key = "question_postcode_towns" if commune.get("postcode") else "question_homonyms"
        return message(key, ask="commune", buttons=buttons, towns=towns)
    key = _variant(question, answers)
    entry = texts()[key]
    if again and entry.get("reask"):
        reask_buttons = entry.get("reask_buttons", entry.get("buttons"))
        return {"text": str(entry["reask"]).strip(), "buttons": list(reask_buttons or []), "ask": entry["ask"]}
    return message(key)
