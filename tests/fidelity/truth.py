"""Seeded generator of truth households: who the persona is, in the shape of the eligibility contract
(../shared/spec/eligibility.md), plus how the persona talks (its script: style, facts said early,
corrections, « je sais pas »). Households stay within what the conversation can collect
(docs/conversation.md says when each question is asked)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.fidelity.places import Place, pick

INCOMES = ("salary", "unemployment", "pension", "disability_pension", "alimony", "other")
PAYS_RENT = {"locataire", "locataire_meuble", "logement_social", "foyer", "accedant"}
HOUSING = ("locataire", "locataire_meuble", "logement_social", "proprietaire", "accedant", "heberge",
           "sans_domicile", "foyer")

# Categories of household and their weight in a run.
CATEGORIES = {
    "single": 10, "couple_partner_works": 6, "couple_partner_unemployed": 5, "couple_partner_retired": 4,
    "couple_partner_disabled": 5, "couple_partner_no_income": 5, "student": 8, "young_neet": 6,
    "single_parent": 10, "pregnancy": 6, "senior": 9, "self_employed": 7, "disabled": 8,
}

# Trades named instead of a status: (words, sex agreement already applied by the persona).
TRADES = {
    "f": ["aide-soignante", "caissière à mi-temps", "agent d'entretien", "auxiliaire de vie", "vendeuse",
          "serveuse dans un resto", "assistante maternelle", "femme de ménage", "ATSEM à l'école",
          "intérimaire à l'usine", "employée de mairie", "AESH, j'accompagne des enfants handicapés"],
    "m": ["chauffeur-livreur en intérim", "maçon", "agent de sécurité", "cariste", "cuisinier",
          "manutentionnaire", "magasinier chez Leclerc", "employé de mairie", "plombier salarié",
          "préparateur de commandes", "agent d'entretien", "serveur dans un resto"],
}
MICRO_TRADES = {
    "bic_vente": ["je vends des bijoux sur les marchés", "je revends des vêtements en ligne",
                  "je fais de la vente sur les marchés"],
    "bic_services": ["je fais du ménage chez les gens", "je suis livreur à vélo", "je fais du VTC",
                     "je fais de la couture à domicile", "je fais des petits travaux chez les gens"],
    "bnc": ["je suis graphiste", "je donne des cours particuliers", "je suis traductrice",
            "je fais du coaching", "je suis consultant informatique"],
}


@dataclass
class Adult:
    age: int
    sex: str                                  # f or m: grammatical agreement, pregnancy
    activity: str                             # salarie, independant, chomeur, etudiant, retraite, inactif
    incomes: dict[str, float] = field(default_factory=lambda: {k: 0.0 for k in INCOMES})
    disability_rate: float | None = None
    work_restriction: bool | None = None
    student_grant: bool | None = None
    self_employed: dict[str, Any] | None = None
    pregnant: bool = False
    trade: str | None = None                  # a trade named instead of the status
    because_of_disability: bool = False       # does not work because of a disability

    def contract(self) -> dict[str, Any]:
        adult: dict[str, Any] = {"age": self.age, "activity": self.activity,
                                 "incomes": {k: float(v) for k, v in self.incomes.items()},
                                 "disability_rate": self.disability_rate, "student": self.activity == "etudiant"}
        if self.pregnant:
            adult["pregnant"] = True
        if self.student_grant is not None:
            adult["student_grant"] = self.student_grant
        if self.work_restriction is not None:
            adult["work_restriction"] = self.work_restriction
        if self.self_employed:
            adult["self_employed"] = dict(self.self_employed)
        return adult


@dataclass
class Script:
    """How the persona talks."""
    sms: float = 0.0            # share of messages texted (no accents, shortenings)
    typos: float = 0.0          # chance of one slip per message
    words: float = 0.1          # share of numbers written in words
    buttons: float = 0.0        # chance of clicking a matching button instead of typing
    yearly: bool = False        # gives one income per year
    opener: str = "plain"       # plain, topic (a moment of life), facts
    multi: bool = False         # answers several facts in one message
    volunteer_partner_age: bool = False
    says_couple_type: bool = False       # « mariés », « pacsés » in the answer about the couple
    dont_know: tuple[str, ...] = ()      # asks answered « je sais pas »
    # (field, wrong value, when): the persona first says the wrong value, then corrects it at the next
    # question (`next`), at the recap (`recap`) or after the result (`after_result`).
    correction: tuple[str, Any, str] | None = None


@dataclass
class Truth:
    id: str
    category: str
    place: Place
    housing: dict[str, Any]
    adults: list[Adult]
    couple_type: str | None
    children: list[int]
    single_parent_recent: bool
    script: Script

    @property
    def me(self) -> Adult:
        return self.adults[0]

    @property
    def partner(self) -> Adult | None:
        return self.adults[1] if len(self.adults) > 1 else None

    def household(self) -> dict[str, Any]:
        """The household the person described (the contract's shape), with `unknown` for what the
        persona does not know."""
        return {
            "commune": self.place.code,
            "housing": dict(self.housing),
            "adults": [a.contract() for a in self.adults],
            "couple_type": self.couple_type,
            "children": [{"age": a} for a in self.children],
            "single_parent_recent": self.single_parent_recent,
            "unknown": sorted(UNKNOWN_PATHS[k](self) for k in self.script.dont_know),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "category": self.category, "place": self.place.as_dict(),
                "household": self.household(),
                "sexes": [a.sex for a in self.adults], "trades": [a.trade for a in self.adults],
                "script": self.script.__dict__}


def _partner_income_path(truth: "Truth") -> str:
    partner = truth.partner
    kind = next((k for k in INCOMES if partner and partner.incomes[k]), None)
    return f"adults[1].incomes.{kind or 'salary'}"


# Where « je sais pas » to an ask goes in the contract's `unknown`.
UNKNOWN_PATHS = {
    "rent": lambda t: "rent",
    "salary": lambda t: "adults[0].incomes.salary",
    "unemployment": lambda t: "adults[0].incomes.unemployment",
    "pension": lambda t: "adults[0].incomes.pension",
    "alimony": lambda t: "adults[0].incomes.alimony",
    "other_income": lambda t: "adults[0].incomes.other",
    "partner_income": _partner_income_path,
    "partner_age": lambda t: "adults[1].age",
    "commune": lambda t: "commune",
    "single_parent_recent": lambda t: "single_parent_recent",
    "self_employed": lambda t: "adults[0].self_employed",
    "student_grant": lambda t: "adults[0].student_grant",
    "work_restriction": lambda t: "adults[0].work_restriction",
}


# ------------------------------------------------------------------------------------------------
def _money(rng: random.Random, low: int, high: int, step: int = 10) -> float:
    return float(rng.randrange(low // step, high // step + 1) * step)


def _odd_money(rng: random.Random, low: int, high: int) -> float:
    """Amounts people read on a statement: 873, 1 046..."""
    return float(rng.randint(low, high))


def _sex(rng: random.Random) -> str:
    return rng.choice("fm")


def _housing(rng: random.Random, status: str | None = None, young: bool = False,
             poor: bool = True) -> dict[str, Any]:
    weights = {"locataire": 30, "locataire_meuble": 8, "logement_social": 25, "proprietaire": 8, "accedant": 6,
               "heberge": 10, "sans_domicile": 5, "foyer": 8}
    if young:
        weights.update(proprietaire=1, accedant=1, heberge=20, foyer=14)
    if not poor:    # two incomes: no one sleeps in the street, few are housed for free
        weights.update(sans_domicile=0, heberge=3, foyer=2)
    status = status or rng.choices(list(weights), list(weights.values()))[0]
    rent, charges = 0.0, 0.0
    if status in PAYS_RENT:
        low, high = {"locataire": (380, 950), "locataire_meuble": (300, 750), "logement_social": (230, 620),
                     "foyer": (180, 520), "accedant": (400, 1100)}[status]
        rent = _money(rng, low, high, 5) if rng.random() < 0.8 else _odd_money(rng, low, high)
        if status != "accedant" and rng.random() < 0.2:
            charges = _money(rng, 20, 150, 5)
    return {"status": status, "rent": rent, "charges": charges}


def _children(rng: random.Random, parent_age: int, count: int | None = None) -> list[int]:
    if count is None:
        count = rng.choices([1, 2, 3, 4], [40, 35, 18, 7])[0]
    oldest = max(0, min(20, parent_age - 18))
    return sorted((rng.randint(0, oldest) for _ in range(count)), reverse=True)


def _worker(rng: random.Random, age: int, sex: str) -> Adult:
    adult = Adult(age=age, sex=sex, activity="salarie")
    adult.incomes["salary"] = _money(rng, 350, 2400) if rng.random() < 0.85 else _odd_money(rng, 400, 2200)
    if rng.random() < 0.45:
        adult.trade = rng.choice(TRADES[sex])
    return adult


def _unemployed(rng: random.Random, age: int, sex: str) -> Adult:
    adult = Adult(age=age, sex=sex, activity="chomeur")
    adult.incomes["unemployment"] = _money(rng, 450, 1500) if rng.random() < 0.85 else 0.0
    return adult


def _retired(rng: random.Random, age: int, sex: str) -> Adult:
    adult = Adult(age=age, sex=sex, activity="retraite")
    adult.incomes["pension"] = _money(rng, 300, 1700) if rng.random() < 0.8 else _odd_money(rng, 300, 1500)
    return adult


def _disabled(rng: random.Random, age: int, sex: str, pension: bool) -> Adult:
    adult = Adult(age=age, sex=sex, activity="inactif", because_of_disability=True)
    adult.disability_rate = rng.choice([0.5, 0.6, 0.7, 0.75, 0.8, 0.8, 0.85, 0.9])
    if adult.disability_rate < 0.8:
        adult.work_restriction = rng.random() < 0.6
    if pension:
        adult.incomes["disability_pension"] = _money(rng, 250, 900)
    return adult


def _inactive(rng: random.Random, age: int, sex: str) -> Adult:
    return Adult(age=age, sex=sex, activity="inactif")


def _partner(rng: random.Random, kind: str, my_age: int, my_sex: str) -> Adult:
    sex = ("m" if my_sex == "f" else "f") if rng.random() < 0.9 else my_sex
    age = max(18, min(90, my_age + rng.randint(-6, 6)))
    if kind == "works":
        return _worker(rng, age, sex)
    if kind == "unemployed":
        partner = _unemployed(rng, age, sex)
        partner.incomes["unemployment"] = partner.incomes["unemployment"] or _money(rng, 450, 1300)
        return partner
    if kind == "retired":
        return _retired(rng, max(age, 62), sex)
    if kind == "disabled":
        return _disabled(rng, min(age, 64), sex, pension=rng.random() < 0.5)
    return _inactive(rng, age, sex)


def _me_in_couple(rng: random.Random, age: int, sex: str) -> Adult:
    kind = rng.choices(["works", "unemployed", "inactive"], [55, 25, 20])[0]
    return {"works": _worker, "unemployed": _unemployed, "inactive": _inactive}[kind](rng, age, sex)


def _script(rng: random.Random, truth: Truth) -> Script:
    style = rng.random()
    script = Script(
        sms=0.0 if style < 0.45 else (0.5 if style < 0.75 else 0.95),
        typos=rng.choice([0.0, 0.0, 0.15, 0.3]),
        words=rng.choice([0.0, 0.1, 0.1, 0.3]),
        buttons=rng.choice([0.0, 0.0, 0.25, 0.6]),
        yearly=rng.random() < 0.15,
        opener=rng.choices(["plain", "topic", "facts"], [55, 25, 20])[0],
        multi=rng.random() < 0.4,
        volunteer_partner_age=rng.random() < 0.3,
        says_couple_type=rng.random() < 0.45,
    )
    candidates = ["rent"] if truth.housing["status"] in PAYS_RENT else []
    me = truth.me
    income = {"salarie": "salary", "chomeur": "unemployment", "retraite": "pension"}.get(me.activity)
    if income and me.incomes[income] > 0:
        candidates.append(income)
    if truth.partner and any(truth.partner.incomes.values()):
        candidates.append("partner_income")
    if truth.partner:
        candidates.append("partner_age")
    if truth.children and not truth.partner:
        candidates += ["alimony"] + (["single_parent_recent"] if min(truth.children) >= 3 else [])
    if me.self_employed:
        candidates.append("self_employed")
    if truth.housing["status"] == "sans_domicile":
        candidates.append("commune")
    if me.work_restriction is not None:
        candidates.append("work_restriction")
    if me.activity == "etudiant":
        candidates.append("student_grant")
    if candidates and rng.random() < 0.12:
        script.dont_know = (rng.choice(candidates),)
    truth.script = script
    if rng.random() < 0.18:
        script.correction = _correction(rng, truth, rng.choice(["next", "next", "recap", "after_result"]))
    return script


def _correction(rng: random.Random, truth: Truth, when: str) -> tuple[str, Any, str] | None:
    options = []
    if truth.housing["status"] in PAYS_RENT and truth.housing["rent"] >= 100:
        rent = int(truth.housing["rent"])
        swapped = int(str(rent)[1] + str(rent)[0] + str(rent)[2:]) if len(str(rent)) >= 3 else rent + 100
        wrong = swapped if swapped != rent and swapped >= 100 else rent + 100
        options.append(("rent", float(wrong)))
    if truth.children:
        options.append(("children", len(truth.children) + rng.choice([1, -1] if len(truth.children) > 1 else [1])))
    # A slip of a year or two, never across an age that changes the questions asked.
    slip = rng.choice([-2, -1, 1, 2])
    low, high = sorted((truth.me.age, truth.me.age + slip))
    if not {18, 26, 30, 50, 55, 65} & set(range(low + 1, high + 1)):
        options.append(("age", truth.me.age + slip))
    if truth.me.incomes["salary"] > 0:
        options.append(("salary", truth.me.incomes["salary"] + rng.choice([-200, 300, 500])))
    options = [o for o in options if o[0] not in truth.script.dont_know]
    if not options:
        return None
    field_, wrong = rng.choice(options)
    return (field_, wrong, when)


# ------------------------------------------------------------------------------------------------
def generate_one(seed: int, index: int) -> Truth:
    rng = random.Random(f"{seed}:{index}")
    category = rng.choices(list(CATEGORIES), list(CATEGORIES.values()))[0]
    return build(rng, category, f"p{seed}-{index:04d}", index)


def build(rng: random.Random, category: str, ident: str, index: int) -> Truth:
    sex = _sex(rng)
    adults: list[Adult]
    children: list[int] = []
    couple_type = None
    recent = False
    housing = None
    if category == "single":
        age = rng.randint(26, 62)
        me = rng.choices([_worker, _unemployed, _inactive], [50, 35, 15])[0](rng, age, sex)
        if me.activity == "inactif" and rng.random() < 0.5:
            me.incomes["other"] = _money(rng, 50, 400)
        adults = [me]
    elif category.startswith("couple_"):
        age = rng.randint(55, 64) if category == "couple_partner_retired" else rng.randint(24, 63)
        me = _me_in_couple(rng, age, sex)
        kind = category.removeprefix("couple_partner_")
        partner = _partner(rng, {"no_income": "none"}.get(kind, kind), age, sex)
        adults = [me, partner]
        if rng.random() < 0.5:
            children = _children(rng, min(age, partner.age))
    elif category == "student":
        me = Adult(age=rng.randint(18, 26), sex=sex, activity="etudiant", student_grant=rng.random() < 0.5)
        if rng.random() < 0.4:
            me.incomes["salary"] = _money(rng, 150, 750)
        adults = [me]
        housing = _housing(rng, young=True)
    elif category == "young_neet":
        me = Adult(age=rng.randint(18, 25), sex=sex, activity=rng.choice(["inactif", "inactif", "chomeur"]))
        if me.activity == "chomeur" and rng.random() < 0.3:
            me.incomes["unemployment"] = _money(rng, 300, 900)
        adults = [me]
        housing = _housing(rng, young=True)
    elif category == "single_parent":
        sex = "f" if rng.random() < 0.85 else "m"
        age = rng.randint(22, 55)
        me = rng.choices([_worker, _unemployed, _inactive], [50, 30, 20])[0](rng, age, sex)
        children = _children(rng, age)
        if rng.random() < 0.55:
            me.incomes["alimony"] = _money(rng, 60, 450)
        recent = min(children) >= 3 and rng.random() < 0.4
        adults = [me]
    elif category == "pregnancy":
        if rng.random() < 0.5:
            sex = "f"
            me = rng.choices([_worker, _unemployed, _inactive], [45, 30, 25])[0](rng, rng.randint(18, 42), sex)
            me.pregnant = True
            adults = [me]
            if rng.random() < 0.3:
                children = _children(rng, me.age, rng.choice([1, 2]))
        else:
            me = _me_in_couple(rng, rng.randint(20, 42), sex)
            partner = _partner(rng, rng.choice(["works", "unemployed", "none"]), me.age, sex)
            partner.sex = "f" if sex == "m" else "m"
            (me if me.sex == "f" else partner).pregnant = True
            adults = [me, partner]
            if rng.random() < 0.4:
                children = _children(rng, min(me.age, partner.age), rng.choice([1, 2]))
    elif category == "senior":
        me = _retired(rng, rng.randint(65, 92), sex)
        adults = [me]
        if rng.random() < 0.4:
            adults.append(_retired(rng, max(65, me.age + rng.randint(-5, 5)), "m" if sex == "f" else "f"))
        housing = _housing(rng, rng.choices(["locataire", "logement_social", "proprietaire", "heberge", "foyer"],
                                            [30, 30, 30, 5, 5])[0])
    elif category == "self_employed":
        kind = rng.choice(["bic_vente", "bic_services", "bnc"])
        me = Adult(age=rng.randint(22, 62), sex=sex, activity="independant",
                   self_employed={"turnover": _money(rng, 200, 3500), "kind": kind})
        me.trade = rng.choice(MICRO_TRADES[kind])
        adults = [me]
        if rng.random() < 0.3:
            adults.append(_partner(rng, rng.choice(["works", "none"]), me.age, sex))
        if rng.random() < 0.3:
            children = _children(rng, me.age)
    elif category == "disabled":
        me = _disabled(rng, rng.randint(20, 62), sex, pension=rng.random() < 0.35)
        adults = [me]
    else:
        raise ValueError(category)
    if len(adults) == 2:    # every couple is one of them; whether the persona says it is in its script
        couple_type = rng.choice(["marie", "pacse", "union_libre"])
    if housing is None:
        earning = sum(1 for a in adults if any(a.incomes.values()) or a.self_employed)
        housing = _housing(rng, young=adults[0].age < 26, poor=earning < 2 and not children)
    truth = Truth(id=ident, category=category, place=pick(rng, index), housing=housing, adults=adults,
                  couple_type=couple_type, children=children, single_parent_recent=recent, script=Script())
    truth.script = _script(rng, truth)
    return truth


def generate(count: int, seed: int) -> list[Truth]:
    return [generate_one(seed, i) for i in range(count)]


def generate_balanced(per_category: int, seed: int) -> list[Truth]:
    """`per_category` personas of every category (the fast subset of `make test`): the first ones of
    each category in the seeded sequence."""
    chosen: dict[str, list[Truth]] = {c: [] for c in CATEGORIES}
    index = 0
    while any(len(v) < per_category for v in chosen.values()):
        truth = generate_one(seed, index)
        if len(chosen[truth.category]) < per_category:
            chosen[truth.category].append(truth)
        index += 1
    return [t for group in zip(*chosen.values()) for t in group]
