"""Communes of France: INSEE code or postcode → the commune whose rules apply.

Reads the official list built by `make data` (Etalab's decoupage-administratif, see
scripts/fetch_communes.py). A postcode often covers several communes: we then take the most
populous one and say so. In Paris, Lyon and Marseille a postcode points to a municipal
arrondissement, which we prefer to the whole city.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# Overseas collectivities whose social benefits are not those of OpenFisca-France
# (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, TAAF, Wallis-et-Futuna,
# French Polynesia, New Caledonia, Clipperton).
UNCOVERED_DEPARTEMENTS = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "les Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "la Polynésie française",
    "988": "la Nouvelle-Calédonie",
    "989": "Clipperton",
}


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postcodes: tuple[str, ...]
    population: int
    departement: str
    parent: str | None


@dataclass(frozen=True)
class Resolution:
    commune: Commune
    assumption: str | None  # a French sentence when we had to choose


class CommuneError(ValueError):
    """The commune cannot be found or is not covered; `fr` and `en` say what to fix."""

    def __init__(self, fr: str, en: str, field: str) -> None:
        super().__init__(en)
        self.fr, self.en, self.field = fr, en, field


class Communes:
    def __init__(self, communes: list[Commune], source: str) -> None:
        self.source = source
        self.by_code = {commune.code: commune for commune in communes}
        self.by_postcode: dict[str, list[Commune]] = {}
        for commune in communes:
            for postcode in commune.postcodes:
                self.by_postcode.setdefault(postcode, []).append(commune)

    @classmethod
    def load(cls, path: Path) -> Communes:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise FileNotFoundError(f"{path}: communes dataset missing; run `make data`") from error
        communes = [
            Commune(code=item["code"], name=item["name"], postcodes=tuple(item.get("postcodes") or ()),
                    population=int(item.get("population") or 0), departement=item["departement"],
                    parent=item.get("parent"))
            for item in data["communes"]
        ]
        return cls(communes, data.get("source", str(path)))

    def resolve(self, code: str | None, postcode: str | None) -> Resolution:
        if code:
            commune = self.by_code.get(code)
            if commune is None:
                raise CommuneError(
                    f"Le code commune « {code} » n'existe pas. Indiquez le code INSEE de votre commune "
                    "(5 caractères, par exemple 54395 pour Nancy) ou votre code postal.",
                    f"Unknown INSEE commune code {code!r}.", "commune")
            if postcode and postcode not in commune.postcodes:
                raise CommuneError(
                    f"Le code postal {postcode} ne correspond pas à la commune {commune.name} ({code}). "
                    "Vérifiez l'un des deux.",
                    f"Postcode {postcode} does not belong to commune {code}.", "postcode")
            self._check_covered(commune)
            return Resolution(commune, None)
        if not postcode:
            raise CommuneError(
                "Indiquez votre commune (code INSEE) ou votre code postal : les aides dépendent du lieu où vous vivez.",
                "Either 'commune' or 'postcode' is required.", "commune")
        candidates = self.by_postcode.get(postcode)
        if not candidates:
            raise CommuneError(
                f"Le code postal {postcode} ne correspond à aucune commune française. Vérifiez-le.",
                f"Unknown postcode {postcode!r}.", "postcode")
        arrondissements = [commune for commune in candidates if commune.parent]
        pool = arrondissements or candidates
        chosen = max(pool, key=lambda commune: (commune.population, commune.code))
        self._check_covered(chosen)
        assumption = None
        if len(pool) > 1:
            others = ", ".join(sorted(c.name for c in pool if c is not chosen)[:3])
            more = "…" if len(pool) > 4 else ""
            assumption = (
                f"Le code postal {postcode} couvre plusieurs communes ({others}{more}) : nous avons pris "
                f"{chosen.name}, la plus peuplée. Si vous habitez ailleurs, précisez votre commune.")
        return Resolution(chosen, assumption)

    @staticmethod
    def _check_covered(commune: Commune) -> None:
        territory = UNCOVERED_DEPARTEMENTS.get(commune.departement)
        if territory:
            raise CommuneError(
                f"Ce simulateur ne couvre pas encore {territory}, qui a ses propres règles d'aides sociales. "
                "Renseignez-vous auprès de la caisse de prévoyance sociale de votre territoire.",
                f"Commune {commune.code} is in a territory not covered by OpenFisca-France.", "commune")
