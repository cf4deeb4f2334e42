"""Communes for the personas: every commune of every territory file, Paris/Lyon/Marseille
arrondissements, same-name towns (Blâmont 54 / Blamont 25 and others), and towns elsewhere in France.
Names and postcodes come from var/data/communes.json (COMMUNES_FILE)."""
from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from tests.fidelity.french import strip_accents

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Place:
    code: str            # INSEE code the household must carry
    name: str            # official name (an arrondissement: « Paris 11e Arrondissement »)
    postcode: str        # a postcode of the commune
    departement: str
    kind: str            # territory, arrondissement, homonym, elsewhere
    city: str = ""       # Paris, Lyon or Marseille for an arrondissement
    number: int = 0      # the arrondissement's number
    unique_postcode: bool = True   # the postcode names this commune alone
    homonym: bool = False          # another commune has the same name (accents aside)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def _key(name: str) -> str:
    return strip_accents(name).lower().replace("-", " ").replace("'", " ")


@lru_cache(maxsize=1)
def communes() -> dict[str, dict]:
    path = Path(os.environ.get("COMMUNES_FILE", ROOT / "var" / "data" / "communes.json"))
    return {c["code"]: c for c in json.loads(path.read_text())["communes"]}


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_name: dict[str, list[str]] = defaultdict(list)
    by_postcode: dict[str, list[str]] = defaultdict(list)
    for code, c in communes().items():
        if c.get("parent") is None:
            by_name[_key(c["name"])].append(code)
        for postcode in c["postcodes"]:
            by_postcode[postcode].append(code)
    return by_name, by_postcode


def commune_of_postcode(postcode: str) -> str | None:
    """What the eligibility service does with a postcode alone: the most populous of its communes
    (an arrondissement rather than its city)."""
    codes = _indexes()[1].get(postcode, [])
    arrondissements = [c for c in codes if communes()[c].get("parent")]
    codes = arrondissements or codes
    return max(codes, key=lambda c: communes()[c].get("population") or 0) if codes else None


def place(code: str, kind: str, rng: random.Random) -> Place:
    c = communes()[code]
    by_name, by_postcode = _indexes()
    postcode = rng.choice(c["postcodes"])
    city, number = "", 0
    if c.get("parent"):
        city = c["name"].split(" ")[0]
        number = int("".join(ch for ch in c["name"].split(" ")[1] if ch.isdigit()))
    unique = [x for x in by_postcode[postcode] if not communes()[x].get("parent") or x == code]
    same_postcode = [x for x in unique if x != code and communes()[x].get("parent") is None and not c.get("parent")]
    return Place(code=code, name=c["name"], postcode=postcode, departement=c["departement"], kind=kind, city=city,
                 number=number, unique_postcode=not same_postcode,
                 homonym=not c.get("parent") and len(by_name[_key(c["name"])]) > 1)


@lru_cache(maxsize=1)
def territory_codes() -> list[str]:
    directory = Path(os.environ.get("TERRITORIES_DIR", ROOT / "knowledge" / "territories"))
    codes: list[str] = []
    for path in sorted(directory.glob("*.yml")):
        codes += [str(code) for code in (yaml.safe_load(path.read_text()) or {}).get("communes", [])]
    return codes


@lru_cache(maxsize=1)
def _elsewhere_pool() -> tuple[list[str], list[str], list[str]]:
    """(arrondissements, homonyms with a town of 2 000+, other towns of 1 000+) outside the territories."""
    by_name, _ = _indexes()
    territories = set(territory_codes())
    arrondissements = sorted(code for code, c in communes().items() if c.get("parent"))
    homonyms, others = [], []
    for code, c in sorted(communes().items()):
        if c.get("parent") or code in territories or c["departement"] not in _metro() or c["population"] is None:
            continue
        if len(by_name[_key(c["name"])]) > 1:
            if max(communes()[x]["population"] or 0 for x in by_name[_key(c["name"])]) >= 2000:
                homonyms.append(code)
        elif c["population"] >= 1000 and c["name"] not in {"Paris", "Lyon", "Marseille"}:
            others.append(code)
    return arrondissements, homonyms, others


def _metro() -> set[str]:
    from tests.fidelity.french import DEPARTEMENTS
    return set(DEPARTEMENTS)


def pick(rng: random.Random, index: int) -> Place:
    """The index-th persona's commune: territories first in turn (so that every commune of every
    territory is used), then arrondissements, same-name towns and towns elsewhere."""
    territories = territory_codes()
    arrondissements, homonyms, others = _elsewhere_pool()
    draw = rng.random()
    if draw < 0.55:
        return place(territories[index % len(territories)] if rng.random() < 0.6 else rng.choice(territories),
                     "territory", rng)
    if draw < 0.65:
        return place(rng.choice(arrondissements), "arrondissement", rng)
    if draw < 0.72:
        special = rng.choice(["54077", "25063"])          # Blâmont (54) and Blamont (25)
        return place(special, "homonym", rng)
    if draw < 0.80:
        return place(rng.choice(homonyms), "homonym", rng)
    return place(rng.choice(others), "elsewhere", rng)
