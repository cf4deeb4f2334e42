"""Scripted personas played end to end through the chat API, answering in free text (with « je sais
pas » sometimes). Each persona states the household the conversation should have understood; the
test asks the eligibility service for that household and checks that the person was told the right
aids with the right amounts, in at most 12 messages."""
from __future__ import annotations

import httpx
import pytest

from knowledge import load
from tests.e2e.chat import Persona
from tests.svc.eligibility.eligibility_reference import PERIOD

NONE = {"salary": 0, "unemployment": 0, "pension": 0, "disability_pension": 0, "alimony": 0, "other": 0}


def adult(age, activity, disability_rate=None, **incomes):  # noqa: ANN001, ANN201
    return {"age": age, "activity": activity, "incomes": {**NONE, **incomes}, "disability_rate": disability_rate,
            "student": activity == "etudiant"}


def household(commune, status, rent, adults, children=(), recent=False, unknown=()):  # noqa: ANN001, ANN201
    return {"period": PERIOD, "commune": commune, "housing": {"status": status, "rent": rent, "charges": 0},
            "adults": adults, "couple_type": None, "children": [{"age": a} for a in children],
            "single_parent_recent": recent, "unknown": list(unknown)}


PERSONAS = [
    (Persona("single mother, unemployed, social housing", "bonjour jsuis maman solo et jai rien",
             {"age": "29 ans", "couple": "seule avec mes 2 enfants", "children": "2",
              "children_ages": "2 ans et 6 ans", "alimony": "non rien du tout", "commune": "vaulx en velin",
              "housing_status": "hlm", "rent": "380 euros", "activity": "au chomage", "unemployment": "820",
              "pregnant": "non", "recap": "oui"}),
     household("69256", "logement_social", 380, [adult(29, "chomeur", unemployment=820)], (2, 6))),
    (Persona("widower, small pension", "bonjour, on m'a dit que j'avais droit a rien",
             {"age": "soixante-douze ans", "couple": "seul", "commune": "54000", "housing_status": "je loue",
              "rent": "420", "pension": "650 euros par mois", "children": "aucun", "recap": "c'est ça"}),
     household("54395", "locataire", 420, [adult(72, "retraite", pension=650)])),
    (Persona("couple with two children, one salary", "je voudrais connaitre mes droits",
             {"age": "41", "couple": "en couple avec 2 enfants", "children": "2", "children_ages": "8 et 12",
              "partner_age": "41", "pregnant": "non", "commune": "Strasbourg", "housing_status": "locataire",
              "rent": "700", "activity": "salarié", "salary": "1500", "partner_income": "rien",
              "partner_activity": "elle s'occupe des enfants", "partner_disability": "non",
              "couple_type": "mariés", "recap": "oui"}),
     {**household("67482", "locataire", 700, [adult(41, "salarie", salary=1500), adult(41, "inactif")], (8, 12)),
      "couple_type": "marie"}),
    (Persona("student in a residence", "slt c'est pour voir les aides",
             {"age": "20", "couple": "seule sans enfant", "commune": "Nancy", "housing_status": "foyer",
              "rent": "300", "activity": "étudiante", "salary": "0", "other_income": "0", "pregnant": "non",
              "student_grant": "non", "recap": "oui"}),
     household("54395", "foyer", 300, [{**adult(20, "etudiant"), "student_grant": False}])),
    (Persona("young person housed by family, not in work or study", "j'ai 19 ans je fais rien, y a des aides ?",
             {"age": "19", "couple": "seul", "children": "0", "commune": "Maxéville",
              "housing_status": "chez mes parents", "activity": "rien", "other_income": "non",
              "disability": "non", "pregnant": "non", "recap": "oui"}),
     household("54357", "heberge", 0, [adult(19, "inactif")])),
    (Persona("disabled man, no work", "bonjour",
             {"age": "45", "couple": "je vis seul sans enfant", "commune": "Lunéville", "housing_status": "je loue",
              "rent": "400", "activity": "je fais rien", "other_income": "0",
              "disability": "oui 80%", "pregnant": "non, je suis un homme", "recap": "oui"}),
     household("54329", "locataire", 400, [adult(45, "inactif", disability_rate=0.8)])),
    (Persona("unsure of his figures", "c'est pas pour moi ces trucs",
             {"age": "50", "couple": "seul", "children": "0", "commune": "Malzéville", "housing_status": "locataire",
              "rent": "je sais pas", "activity": "chomage", "unemployment": "jsp", "other_income": "rien",
              "recap": "oui"}),
     household("54339", "locataire", 0, [adult(50, "chomeur")], unknown=("adults[0].incomes.unemployment", "rent"))),
    (Persona("owner couple, one salary", "bonjour",
             {"age": "58", "couple": "marié, sans enfant", "partner_age": "60", "commune": "Frouard",
              "housing_status": "on est propriétaires", "activity": "je bosse", "salary": "1300",
              "partner_income": "0", "partner_activity": "elle fait rien", "partner_disability": "non",
              "recap": "oui"}),
     household("54215", "proprietaire", 0, [adult(58, "salarie", salary=1300), adult(60, "inactif")])),
    (Persona("homeless man", "bjr",
             {"age": "40", "couple": "seul sans enfants", "commune": "lyon 7", "housing_status": "je dors dehors",
              "activity": "rien", "other_income": "0", "disability": "non", "pregnant": "non", "recap": "oui"}),
     household("69387", "sans_domicile", 0, [adult(40, "inactif")])),
    (Persona("recently separated mother, part-time", "je viens de me séparer",
             {"age": "34", "couple": "seule avec un enfant", "children": "1", "children_ages": "5 ans",
              "alimony": "150", "single_parent_recent": "oui", "commune": "67100", "housing_status": "locataire",
              "rent": "550", "activity": "je travaille à mi-temps", "salary": "700", "pregnant": "non",
              "recap": "oui"}),
     household("67482", "locataire", 550, [adult(34, "salarie", salary=700, alimony=150)], (5,), recent=True)),
]


def expected_lines(estimate: dict) -> list[str]:
    """What the person must read for each aid the service finds likely or possible."""
    names = load("benefits")
    lines = []
    for benefit in estimate["benefits"]:
        name = (names.get(benefit["id"]) or {}).get("short_name") or benefit["name"]   # local aids: their name
        name = name[:1].upper() + name[1:]
        if benefit["status"] == "eligible" and benefit["id"] != "complementaire_sante_solidaire":
            if benefit["yearly_amount"]:
                lines.append(f"{name} : environ {round(benefit['yearly_amount']):,} € par an".replace(",", " "))
            elif benefit["monthly_amount"]:
                lines.append(f"{name} : environ {round(benefit['monthly_amount']):,} € par mois".replace(",", " "))
        elif benefit["status"] == "uncertain" and benefit["range"] and benefit["range"][1] > 0:
            low, high = (f"{round(v):,}".replace(",", " ") for v in benefit["range"])
            lines.append(f"{name} : peut-être, jusqu'à {high} €" if low == "0" else
                         f"{name} : peut-être, environ {high} €" if low == high else
                         f"{name} : peut-être, entre {low} et {high} €")
    return lines


@pytest.mark.parametrize("persona,expected_household", PERSONAS, ids=[p.name for p, _ in PERSONAS])
def test_persona(client: httpx.Client, persona: Persona, expected_household: dict):
    played = persona.play(client)
    text = played.bot_text()
    assert played.sent <= 17, f"{persona.name} needed {played.sent} messages"
    assert "Voici mon estimation" in text, text
    estimate = client.post("/api/eligibility", json=expected_household).json()
    lines = expected_lines(estimate)
    missing = [line for line in lines if line not in text]
    assert not missing, f"{persona.name}: missing {missing}\n--- conversation:\n{text}"
    if not lines:
        assert "je ne trouve pas d'aide" in text
    assert "rencontrer une personne" in text
