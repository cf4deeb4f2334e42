"""The French of the answers: « de » contracted and elided (knowledge.french.de), « cela dépend de ... »
sentences built with it, no range whose two ends are the same euro, no yearly benefit said « par mois »."""
from __future__ import annotations

import pytest

from knowledge.french import de


@pytest.mark.parametrize(("phrase", "expected"), [
    ("le loyer", "du loyer"),
    ("les revenus", "des revenus"),
    ("une réponse", "d'une réponse"),
    ("un enfant", "d'un enfant"),
    ("votre salaire", "de votre salaire"),
    ("vos charges", "de vos charges"),
    ("l'âge de votre conjoint", "de l'âge de votre conjoint"),
    ("la date de votre séparation", "de la date de votre séparation"),
    ("autres revenus", "d'autres revenus"),
    ("des aides", "d'aides"),
    ("des revenus modestes", "de revenus modestes"),
    ("Les revenus", "Des revenus"),
    ("Une réponse", "D'une réponse"),
    ("Anne", "d'Anne"),
    ("  votre   bourse du Crous ", "de votre bourse du Crous"),
    ("", "de"),
])
def test_de_contracts_and_elides(phrase: str, expected: str) -> None:
    assert de(phrase) == expected
