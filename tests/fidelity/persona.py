"""A persona answers the assistant's questions, by their `ask`, in varied French: plain or colloquial,
texted, with typos, numbers in words, yearly amounts, trades instead of a status, several facts in
one message, corrections, « je sais pas », and sometimes a click on a button.

Every fact the persona conveys is recorded in `said` under the name of the household field it
settles (the comparison labels a difference by whether the person said it). The templates are the
harness's own: they are not taken from the NLU training data (nlu/data, nlu/test)."""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any, Callable

from tests.fidelity import french
from tests.fidelity.french import agree, strip_accents
from tests.fidelity.truth import PAYS_RENT, Adult, Truth

UNKNOWN = "unknown"
# Asks of docs/conversation.md (and of the chat contract) the persona knows how to answer.
SCREENING_ASKS = {
    "consent", "age", "couple", "partner_age", "children", "children_ages", "single_parent_recent", "alimony",
    "pregnant", "commune", "housing_status", "rent", "activity", "self_employed", "self_employed_kind",
    "student_grant", "salary", "unemployment", "pension", "partner_activity", "partner_income", "other_income",
    "disability", "work_restriction", "partner_disability", "partner_work_restriction", "couple_type", "recap",
}
# What a click on one of the question's buttons says.
BUTTON_FIELDS = {
    "couple": ("couple",), "housing_status": ("housing.status",),
    "activity": ("adults[0].activity", "adults[0].student"), "alimony": ("adults[0].incomes.alimony",),
    "partner_income": tuple(f"adults[1].incomes.{k}" for k in ("salary", "unemployment", "pension",
                                                                 "disability_pension", "alimony", "other")),
    "other_income": ("adults[0].incomes.other", "adults[0].incomes.disability_pension"),
    "disability": ("adults[0].disability_rate",), "partner_disability": ("adults[1].disability_rate",),
    "single_parent_recent": ("single_parent_recent",), "pregnant": ("pregnant",),
    "student_grant": ("adults[0].student_grant",), "work_restriction": ("adults[0].work_restriction",),
    "partner_activity": ("adults[1].activity",), "rent": ("housing.rent",), "couple_type": ("couple_type",),
    "partner_work_restriction": ("adults[1].work_restriction",),
    "salary": ("adults[0].incomes.salary",), "unemployment": ("adults[0].incomes.unemployment",),
    "pension": ("adults[0].incomes.pension",), "self_employed_kind": ("adults[0].self_employed.kind",),
    "self_employed": ("adults[0].self_employed.turnover",),
}
DONT_KNOW = ["je sais pas", "je ne sais pas", "jsp", "aucune idée", "je sais plus", "je sais pas du tout",
             "je ne sais pas trop", "alors là je sais pas"]


@dataclass
class Reply:
    text: str | None = None
    payload: str | None = None
    title: str | None = None         # the button clicked

    def shown(self) -> str:
        return self.text if self.text is not None else f"[{self.title}]"


def parse_payload(payload: str) -> tuple[str, dict[str, Any]]:
    match = re.match(r"^/(\w+)(\{.*\})?$", payload or "")
    if not match:
        return "", {}
    try:
        return match.group(1), json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        return match.group(1), {}


def _close(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return False


class Persona:
    def __init__(self, truth: Truth):
        self.truth = truth
        self.script = truth.script
        self.rng = random.Random(f"render:{truth.id}")
        self.said: dict[str, Any] = {}
        self.asked: dict[str, int] = {}
        self.unexpected: list[str] = []
        field_ = truth.script.correction
        # The correction: `wrong` until it is said, then `done`.
        self.correction_state = "wrong" if field_ else None
        self.correction_given_at: str | None = None
        self._wrong_fields_said: set[str] = set()

    # --------------------------------------------------------------------------------------------
    # what the persona thinks is true at this moment (the wrong value before a correction)
    def _wrong(self, name: str) -> Any:
        c = self.script.correction
        if c and c[0] == name and self.correction_state == "wrong":
            return c[1]
        return None

    def age_now(self) -> int:
        return self._wrong("age") or self.truth.me.age

    def rent_now(self) -> float:
        return self._wrong("rent") or self.truth.housing["rent"]

    def salary_now(self) -> float:
        return self._wrong("salary") or self.truth.me.incomes["salary"]

    def children_count_now(self) -> int:
        wrong = self._wrong("children")
        return wrong if wrong is not None else len(self.truth.children)

    def children_now(self) -> list[int]:
        count = self.children_count_now()
        ages = list(self.truth.children)
        while len(ages) < count:
            ages.append(min(20, ages[-1] + 2) if ages else 5)
        return ages[:count]

    # --------------------------------------------------------------------------------------------
    def note(self, name: str, value: Any) -> None:
        self.said[name] = value

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def g(self, text: str, adult: Adult | None = None) -> str:
        return agree(text, (adult or self.truth.me).sex)

    def money(self, value: float, yearly_ok: bool = False) -> str:
        if yearly_ok and self.script.yearly and value > 0 and self.rng.random() < 0.7:
            per_year = int(round(value * 12))
            return f"{french.amount(self.rng, per_year, words=0, grouped=0.6)} par an"
        return french.amount(self.rng, value, words=self.script.words)

    def number(self, value: int) -> str:
        return french.age(self.rng, value, words=self.script.words)

    def styled(self, text: str, plain: bool) -> str:
        if plain:
            return text
        if self.rng.random() < self.script.sms:
            text = french.sms(self.rng, text)
        if self.rng.random() < self.script.typos:
            place = self.truth.place
            names = frozenset(re.split(r"[\s\-']+", f"{place.name} {place.city}"))
            text = french.typo(self.rng, text, protect=names)
        return text

    def partner_words(self) -> tuple[str, str]:
        """(« mon mari », « il »): how the persona names the partner."""
        partner = self.truth.partner
        if partner is None:
            return "", ""
        pronoun = "elle" if partner.sex == "f" else "il"
        if self.truth.couple_type == "marie" and self.script.says_couple_type:
            return ("ma femme" if partner.sex == "f" else "mon mari"), pronoun
        key = f"names:{self.truth.id}"
        rng = random.Random(key)
        names = ["ma copine", "ma compagne", "ma conjointe"] if partner.sex == "f" else [
            "mon copain", "mon compagnon", "mon conjoint"]
        return rng.choice(names), pronoun

    # --------------------------------------------------------------------------------------------
    def opener(self) -> str:
        t, me = self.truth, self.truth.me
        kind = self.script.opener
        if kind == "topic":
            # (words, facts they say)
            topics: dict[str, list[tuple[str, dict[str, Any]]]] = {
                "senior": [(f"bonjour, j'ai {self.age_now()} ans et une petite retraite",
                            {"adults[0].age": self.age_now(), "adults[0].activity": "retraite"}),
                           ("bonjour je suis à la retraite, est-ce que j'ai droit à quelque chose",
                            {"adults[0].activity": "retraite"})],
                "student": [(self.g("je suis étudiant(e), je peux avoir des aides ?"),
                             {"adults[0].activity": "etudiant", "adults[0].student": True})],
                "self_employed": [(self.g("je suis auto-entrepreneur(e), ça marche pas fort"),
                                   {"adults[0].activity": "independant"})],
                "disabled": [(self.g("je suis handicapé(e), j'ai droit à quoi ?"), {}),
                             ("j'ai un handicap, y a des aides ?", {})],
            }
            if t.category == "single_parent":
                topics["single_parent"] = [("je suis maman solo" if me.sex == "f" else "je suis papa solo",
                                            {"couple": 1}),
                                           (self.g("j'élève mes enfants seul(e)"), {"couple": 1})]
            if t.category == "pregnancy":
                topics["pregnancy"] = [("je suis enceinte, j'ai droit à quoi ?" if me.pregnant else
                                        "on attend un bébé", {"pregnant": True}),
                                       ("bonjour on va avoir un bébé" if t.partner else
                                        "bonjour je suis enceinte", {"pregnant": True})]
            if t.category == "young_neet" and me.activity == "inactif":
                topics["young_neet"] = [(f"j'ai {self.age_now()} ans je fais rien, y a des aides ?",
                                         {"adults[0].age": self.age_now(), "adults[0].activity": "inactif"}),
                                        ("bonjour, j'ai fini l'école et je sais pas quoi faire", {})]
            options = topics.get(t.category)
            if options:
                text, facts = self.pick(options)
                for name, value in facts.items():
                    self.note(name, value)
                if "adults[0].age" in facts:
                    self._mark_wrong_said("age")
                return self.styled(text, False)
        if kind == "facts" and t.category not in {"pregnancy"}:
            parts = [f"j'ai {self.age_now()} ans"]
            self.note("adults[0].age", self.age_now())
            self._mark_wrong_said("age")
            parts.append(self._couple_words(with_children=True))
            return self.styled("bonjour, " + ", ".join(parts), False)
        return self.pick(["bonjour", "Bonjour", "slt", "bjr", "bonsoir", "salut",
                          "je voudrais connaître mes droits", "bonjour, c'est pour les aides",
                          "on m'a donné ce numéro au marché", "Bonjour, on m'a dit de vous écrire"])

    # --------------------------------------------------------------------------------------------
    def answer(self, ask: str, message: dict[str, Any], plain: bool = False) -> Reply:
        """The answer to the question `ask` (`message` is the bot's message, with its buttons);
        `plain` when the question is asked again: a simpler answer, a button more often."""
        count = self.asked.get(ask, 0) + 1
        self.asked[ask] = count
        plain = plain or count > 1
        if ask not in SCREENING_ASKS:
            self.unexpected.append(ask)
            return Reply(text="je sais pas")
        if ask == "consent":
            return Reply(text="oui")
        correction = self._correction_now("recap" if ask == "recap" else "next")
        if correction:
            return Reply(text=correction)
        if ask == "recap":
            text = (message or {}).get("text", "").lower()
            if re.search(r"qu'est-ce qui|quoi|quelle réponse|écrivez la bonne", text):   # « what is wrong? »
                return Reply(text=self.pick(["rien, tout est juste", "non tout est bon", "rien c'est bon"]))
            wrong_town = self._wrong_departement_in(text)
            if wrong_town:   # « Blâmont (54) » for a person of Blamont in the Doubs: they say so
                return Reply(text=wrong_town)
            return Reply(text=self.pick(["oui", "oui", "c'est ça", "oui c'est bon", "exact", "oui c'est ça"]))
        if ask in self.script.dont_know and self._dont_know_applies(ask):
            self._note_unknown(ask)
            button = self._button(message, plain, lambda intent, entities: intent == "dont_know")
            return button or Reply(text=self.styled(self.pick(DONT_KNOW), plain))
        handler: Callable[[bool], str] = getattr(self, f"ask_{ask}")
        before, wrong_before = dict(self.said), set(self._wrong_fields_said)
        text = handler(plain)
        button = self._button(message, plain, lambda intent, entities: self._matches(ask, intent, entities))
        if button:
            # The button says less than the text would have: keep only what the button says.
            typed, self.said, self._wrong_fields_said = self.said, before, wrong_before
            for name in BUTTON_FIELDS.get(ask, ()):
                if name in typed:
                    self.said[name] = typed[name]
            _, entities = parse_payload(button.payload or "")
            if ask in {"couple", "children"} and "number" in entities:
                self.note("children_count", self.children_count_now())
                self._mark_wrong_said("children")
                if not self.children_count_now():
                    self._note_children([])
            return button
        return Reply(text=self.styled(text, plain))

    def _button(self, message: dict[str, Any], plain: bool, wish: Callable[[str, dict], bool]) -> Reply | None:
        chance = 0.5 if plain else self.script.buttons
        if not message or self.rng.random() >= chance:
            return None
        for button in message.get("buttons") or []:
            intent, entities = parse_payload(button.get("payload", ""))
            if intent and wish(intent, entities):
                return Reply(payload=button["payload"], title=button.get("title"))
        return None

    def _amount_of(self, ask: str) -> float | None:
        t, me = self.truth, self.truth.me
        partner = t.partner
        return {
            "alimony": me.incomes["alimony"], "rent": self.rent_now() if t.housing["status"] in PAYS_RENT else 0.0,
            "salary": self.salary_now(), "unemployment": me.incomes["unemployment"], "pension": me.incomes["pension"],
            "partner_income": sum(partner.incomes.values()) if partner else None,
            "other_income": me.incomes["other"] + me.incomes["disability_pension"],
            "self_employed": (me.self_employed or {}).get("turnover"),
        }.get(ask)

    def _matches(self, ask: str, intent: str, entities: dict[str, Any]) -> bool:
        """Does this button say the truth, in answer to `ask`? Any key it does not know: no."""
        t, me = self.truth, self.truth.me
        partner = t.partner
        if intent in {"affirm", "deny"}:
            truth = {"single_parent_recent": t.single_parent_recent if partner is None else None,
                     "pregnant": me.pregnant or bool(partner and partner.pregnant),
                     "student_grant": me.student_grant, "work_restriction": me.work_restriction,
                     "partner_work_restriction": partner.work_restriction if partner else None,
                     "recap": True}.get(ask)
            return truth is not None and (intent == "affirm") == bool(truth)
        if intent != "inform" or not entities:
            return False
        for key, value in entities.items():
            if key == "relationship":
                ok = value == ("couple" if partner else "seul") and (
                    ask != "couple" or "number" in entities or self.children_count_now() > 0)
            elif key == "couple_type":
                ok = ask == "couple_type" and value == t.couple_type
            elif key == "number":
                ok = ask in {"couple", "children"} and _close(value, self.children_count_now())
            elif key == "housing_status":
                ok = value == t.housing["status"]
            elif key == "activity":
                ok = ask == "activity" and value == me.activity
            elif key == "partner_activity":
                ok = partner is not None and value == partner.activity
            elif key == "partner_reason":
                ok = partner is not None and (value == "handicap") == partner.because_of_disability
            elif key == "amount":
                ok = _close(value, self._amount_of(ask))
            elif key == "disability_rate":
                adult = partner if ask == "partner_disability" else me
                ok = adult is not None and _close(value, adult.disability_rate or 0)
            elif key == "pregnant":
                who = "self" if me.pregnant else ("partner" if partner and partner.pregnant else False)
                ok = value == who
            elif key == "self_employed":
                ok = value == "not_micro" and not me.self_employed
            elif key == "self_employed_kind":
                ok = bool(me.self_employed) and value == me.self_employed["kind"]
            elif key in {"student_grant", "work_restriction"}:
                truth_value = getattr(me, key)
                ok = truth_value is not None and value == truth_value
            else:
                ok = False
            if not ok:
                return False
        return True

    def _dont_know_applies(self, ask: str) -> bool:
        return True

    def _note_unknown(self, ask: str) -> None:
        from tests.fidelity.truth import UNKNOWN_PATHS
        from tests.fidelity.compare import unknown_field
        self.note(unknown_field(UNKNOWN_PATHS[ask](self.truth)), UNKNOWN)

    # ---- corrections ---------------------------------------------------------------------------
    def pending_correction(self) -> bool:
        return self.correction_state == "wrong" and self.correction_given_at is None and self._wrong_said()

    def _wrong_said(self) -> bool:
        """The wrong value was said (a correction of something never said would make no sense)."""
        c = self.script.correction
        return bool(c) and c[0] in self._wrong_fields_said

    def _mark_wrong_said(self, name: str) -> None:
        if self._wrong(name) is not None:
            self._wrong_fields_said = self._wrong_fields_said | {name}

    def _correction_now(self, moment: str) -> str | None:
        c = self.script.correction
        if not c or not self.pending_correction():
            return None
        when = c[2]
        if moment == "next" and when != "next":
            return None
        if moment == "recap" and when not in {"next", "recap"}:
            return None
        return self.correction(moment)

    def correction(self, moment: str) -> str:
        """Say the correction: from now on the persona says the true value."""
        name, wrong, _ = self.script.correction
        self.correction_state = "done"
        self.correction_given_at = moment
        t, me = self.truth, self.truth.me
        start = self.pick(["non en fait", "pardon", "attendez je me suis trompé(e),", "ah non", "non,", "erreur :"])
        start = self.g(start)
        if name == "rent":
            right = t.housing["rent"]
            self.note("housing.rent", right)
            text = self.pick([f"le loyer c'est {int(right)} pas {int(wrong)}",
                              f"{start} mon loyer c'est {int(right)}",
                              f"{start} le loyer est de {int(right)} euros, pas {int(wrong)}"])
        elif name == "children":
            n = len(t.children)
            self._note_children(t.children)
            ages = self._ages_words(t.children, plain=True)
            text = self.pick([f"non en fait j'ai {n} enfant{'s' if n > 1 else ''}",
                              f"{start} on a {n} enfant{'s' if n > 1 else ''} pas {wrong}"]) + f", de {ages}"
            if n == 1:
                text = self.pick([f"non en fait j'ai un seul enfant, de {ages}", f"{start} un seul enfant, il a {ages}"])
        elif name == "age":
            self.note("adults[0].age", me.age)
            text = self.pick([f"{start} j'ai {me.age} ans pas {wrong}", f"{start} j'ai {me.age} ans"])
        else:
            right = me.incomes["salary"]
            self.note("adults[0].incomes.salary", right)
            text = self.pick([f"{start} je gagne {int(right)}, pas {int(wrong)}",
                              f"{start} mon salaire c'est {int(right)} par mois"])
        return self.styled(text, False)

    # ---- the questions -------------------------------------------------------------------------
    def ask_age(self, plain: bool):
        age = self.age_now()
        self.note("adults[0].age", age)
        self._mark_wrong_said("age")
        if plain:
            return str(age)
        text = self.pick([self.number(age), f"{self.number(age)} ans", f"j'ai {self.number(age)} ans",
                          f"{age} ans", f"{age}a", f"jai {age} ans"])
        if self.script.multi and self.rng.random() < 0.4:
            text += ", " + self._couple_words(with_children=True)
        return text

    def _couple_words(self, with_children: bool) -> str:
        """« seule avec mes 2 enfants », « mariés, 3 petits, on habite Vandœuvre »."""
        t = self.truth
        self.note("couple", len(t.adults))
        n = self.children_count_now()
        kids_words = ""
        if with_children:
            self.note("children_count", n)
            self._mark_wrong_said("children")
            if n == 0:
                kids_words = self.pick(["sans enfant", "pas d'enfant", "sans enfants", "0 enfant"])
                self._note_children([])
            else:
                number = self.number(n) if n > 1 else self.pick(["1", "un"])
                noun = self.pick(["enfants", "enfants", "petits", "gosses", "gamins"]) if n > 1 else self.pick(
                    ["enfant", "enfant", "petit"])
                kids_words = f"{number} {noun}"
                if self.script.multi and self.rng.random() < 0.5:
                    ages = self._ages_words(self.children_now(), plain=False)
                    kids_words += f" : {ages}" if ages.startswith("un ") else f" de {ages}"
                    self._note_children(self.children_now())
        if t.partner is None:
            base = self.g(self.pick(["seul(e)", "je vis seul(e)", "célibataire", "tout(e) seul(e)"]))
            if n and self.rng.random() < 0.5:
                base = self.g(self.pick(["seul(e) avec", "je vis seul(e) avec", "célibataire avec", "divorcé(e), avec"]))
                if n == 1:
                    return base + " " + self.pick(["mon fils", "ma fille", "mon enfant", "mon petit"]) + (
                        f" de {self._ages_words(self.children_now(), plain=False)}" if " de " in kids_words else "")
                return f"{base} mes {kids_words}"
            return f"{base}, {kids_words}" if kids_words else base
        partner_name, _ = self.partner_words()
        kind = t.couple_type if self.script.says_couple_type else None
        if kind:
            self.note("couple_type", kind)
        options = {
            "marie": [self.g("marié(e)"), "on est mariés", self.g("je suis marié(e)"), "mariés"],
            "pacse": [self.g("pacsé(e)"), "on est pacsés", "en couple, pacsés"],
            "union_libre": ["en concubinage", "union libre", "on vit ensemble sans être mariés", "en union libre"],
            None: ["en couple", f"je vis avec {partner_name}", f"en couple avec {partner_name}", "en couple"],
        }[kind]
        text = self.pick(options)
        if kids_words:
            text += ", " + kids_words
        if self.script.volunteer_partner_age and self.rng.random() < 0.6:
            text += f", {partner_name} a {t.partner.age} ans"
            self.note("adults[1].age", t.partner.age)
        if self.script.multi and self.rng.random() < 0.35 and t.place.kind == "territory" and t.place.unique_postcode:
            text += ", on habite " + self._commune_words(short=True)
        return text

    def ask_couple(self, plain: bool):
        n = self.children_count_now()
        couple = self.truth.partner is not None
        if plain:
            self.note("couple", len(self.truth.adults))
            kind = self.truth.couple_type if self.script.says_couple_type else None
            if kind:
                self.note("couple_type", kind)
            words = {"marie": "mariés", "pacse": "pacsés", "union_libre": "en union libre", None: "en couple"}[kind]
            return ((words if couple else self.g("seul(e)")) + (f", {n} enfant{'s' if n > 1 else ''}" if n else ", sans enfant"))
        return self._couple_words(with_children=self.rng.random() < 0.7)

    def ask_partner_age(self, plain: bool):
        partner = self.truth.partner
        if partner is None:
            return self.g(self.pick(["je vis seul(e)", "je suis seul(e), pas de conjoint"]))
        self.note("adults[1].age", partner.age)
        name, pronoun = self.partner_words()
        if plain:
            return str(partner.age)
        return self.pick([str(partner.age), f"{pronoun} a {self.number(partner.age)} ans", f"{partner.age} ans",
                          f"{name} a {partner.age} ans"])

    def ask_children(self, plain: bool):
        n = self.children_count_now()
        self.note("children_count", n)
        self._mark_wrong_said("children")
        if n == 0:
            self._note_children([])
            return self.pick(["0", "aucun", "pas d'enfant", "non pas d'enfants", "aucun enfant", "zéro"])
        if plain:
            return str(n)
        text = self.pick([str(n), self.number(n), f"{n} enfants" if n > 1 else "1 enfant",
                          f"j'ai {self.number(n)} enfants" if n > 1 else "un seul",
                          f"{n} petits" if n > 1 else "un petit"])
        if self.script.multi and self.rng.random() < 0.5:
            ages = self._ages_words(self.children_now(), plain=False)
            text += f" : {ages}" if ages.startswith("un ") else f" de {ages}"
            self._note_children(self.children_now())
        return text

    def _note_children(self, ages: list[int]) -> None:
        self.note("children", sorted(ages))
        self.note("children_count", len(ages))

    def _ages_words(self, ages: list[int], plain: bool) -> str:
        """« 4 et 9 ans », « 12, 8 et 3 », « un de 4 ans et un bébé de 6 mois »."""
        if 0 in ages:
            months = random.Random(f"{self.truth.id}:months").randint(2, 11)
            parts = [f"un de {a} ans" for a in ages if a] + ["un bébé de %d mois" % months] * ages.count(0)
            if len(parts) == 1:
                return f"{months} mois"
            return ", ".join(parts[:-1]) + " et " + parts[-1]
        words = [f"{a}" if plain or self.rng.random() > self.script.words else french.in_words(a) for a in ages]
        if len(words) == 1:
            return words[0] + " ans"
        text = ", ".join(words[:-1]) + " et " + words[-1]
        return text if self.rng.random() < 0.4 else text + " ans"

    def ask_children_ages(self, plain: bool):
        ages = self.children_now()
        if not ages:
            self._note_children([])
            return self.pick(["j'ai pas d'enfant", "aucun enfant"])
        self._note_children(ages)
        self._mark_wrong_said("children")
        if plain:
            return self._ages_words(ages, plain=True)
        if len(ages) == 2 and self.rng.random() < 0.3 and 0 not in ages:
            return f"le grand a {max(ages)} ans et la petite {min(ages)}"
        return self._ages_words(ages, plain=False)

    def ask_single_parent_recent(self, plain: bool):
        t = self.truth
        if t.partner is not None or not t.children:
            return self.pick(["non", "ça me concerne pas"])
        recent = t.single_parent_recent
        self.note("single_parent_recent", recent)
        months = random.Random(f"{t.id}:sep").randint(2, 16)
        years = random.Random(f"{t.id}:sep").randint(2, 9)
        if plain:
            return ("oui" if recent else "non")
        if recent:
            return self.pick(["oui", f"oui depuis {months} mois", "oui ça fait moins d'un an", f"oui, {months} mois",
                              "oui on vient de se séparer"])
        return self.pick(["non", "non ça fait longtemps", f"non, depuis {years} ans", "non plus que ça",
                          f"non ça fait {years} ans"])

    def ask_alimony(self, plain: bool):
        value = self.truth.me.incomes["alimony"]
        self.note("adults[0].incomes.alimony", value)
        if value == 0:
            return self.pick(["non", "rien", "non rien du tout", "le père paye rien", "0", "non il verse rien",
                              "non, aucune pension"])
        if plain:
            return str(int(value))
        return self.pick([self.money(value), f"oui {self.money(value)} par mois", f"il me verse {self.money(value)}",
                          f"oui, {self.money(value)}"])

    def ask_pregnant(self, plain: bool):
        t, me = self.truth, self.truth.me
        partner = t.partner
        if me.pregnant:
            self.note("pregnant", True)
            months = random.Random(f"{t.id}:preg").randint(2, 8)
            return ("oui" if plain else self.pick(["oui", "oui je suis enceinte", f"oui, de {months} mois",
                                                   f"oui enceinte de {months} mois"]))
        if partner is not None and partner.pregnant:
            self.note("pregnant", True)
            name, pronoun = self.partner_words()
            months = random.Random(f"{t.id}:preg").randint(2, 8)
            return ("oui" if plain else self.pick([f"oui {name} est enceinte", f"{name} attend un bébé",
                                                   f"oui {pronoun} est enceinte de {months} mois"]))
        self.note("pregnant", False)
        if me.sex == "m" and partner is None:
            return self.pick(["non", "non je suis un homme", "non"])
        return self.pick(["non", "non pas du tout", "pas de bébé en route", "non"])

    # ---- place -----------------------------------------------------------------------------------
    def _name_forms(self, name: str) -> list[str]:
        forms = [name, name, name.lower(), strip_accents(name).lower(), name.replace("-", " "),
                 strip_accents(name.replace("-", " ")).lower()]
        if name.startswith("Saint-"):
            forms += ["St " + name[6:], "st " + strip_accents(name[6:]).lower()]
        if name.startswith("Sainte-"):
            forms += ["Ste " + name[7:]]
        return forms

    def _commune_words(self, short: bool = False) -> str:
        """The town as people name it. A name that other towns share (Blamont) does not say which:
        it is noted as said only with its postcode."""
        place = self.truth.place
        if place.city:                              # an arrondissement
            self.note("commune", place.code)
            n = place.number
            suffix = self.pick(["e", "ème", "eme", ""]) if n > 1 else self.pick(["er", "e", ""])
            return self.pick([f"{place.city} {n}{suffix}", f"{place.city.lower()} {n}", place.postcode,
                              f"dans le {n}{suffix} à {place.city}", f"{place.city} {n}{suffix} arrondissement"])
        name = self.pick(self._name_forms(place.name))
        if short:
            if not place.homonym:
                self.note("commune", place.code)
            return name
        options = [name, name, f"à {name}", f"j'habite à {name}", f"{name} {place.postcode}", f"{place.postcode} {name}"]
        if place.unique_postcode and not place.homonym:
            options += [place.postcode, place.postcode]
        text = self.pick(options)
        if not place.homonym or place.postcode in text:
            self.note("commune", place.code)
        return text

    def _wrong_departement_in(self, recap: str) -> str | None:
        """The correction a person makes when the recap puts their town in another département."""
        place = self.truth.place
        found = re.search(r" à ([^,()]+) \((\w{2,3})\)", recap)
        if place.city or not found or found.group(2).upper() == place.departement.upper():
            return None
        self.note("commune", place.code)
        departement = french.DEPARTEMENTS.get(place.departement, place.departement)
        return self.pick([f"non, j'habite à {place.name} dans le {place.departement}",
                          f"non c'est {place.name} en {departement}",
                          f"pas ça, {place.postcode} {place.name}"])

    def ask_commune(self, plain: bool):
        place = self.truth.place
        count = self.asked.get("commune", 1)
        departement = french.DEPARTEMENTS.get(place.departement, place.departement)
        if count == 1:
            # The city without its arrondissement, or a name other towns share: not yet said which.
            if place.city and self.rng.random() < 0.3:
                return self.pick([place.city, place.city.lower(), f"à {place.city}"])
            if place.homonym and self.rng.random() < 0.7:
                return self.pick(self._name_forms(place.name))
            self.note("commune", place.code)
            if place.homonym:
                return self.pick([f"{place.name} ({place.departement})", f"{place.name} dans le {place.departement}",
                                  f"{place.name} en {departement}" if place.departement != "75" else place.name,
                                  f"{place.postcode} {place.name}"])
            return self._commune_words()
        # Asked again: which arrondissement, which département, or not understood.
        self.note("commune", place.code)
        if place.city:
            n = place.number
            return self.pick([f"le {n}{'er' if n == 1 else 'e'}", f"{place.city} {n}", place.postcode,
                              f"dans le {n}{'er' if n == 1 else 'ème'}"])
        if count == 2:
            return self.pick([f"dans le {place.departement}", departement, f"en {departement}",
                              f"{place.name} {place.postcode}", place.departement])
        return f"{place.postcode} {place.name}"

    def ask_housing_status(self, plain: bool):
        t = self.truth
        status = t.housing["status"]
        self.note("housing.status", status)
        couple = t.partner is not None
        options = {
            "locataire": ["je loue", "locataire", "en location", self.g("je suis locataire dans le privé"),
                          "je loue un appart", "je loue une maison", "un appart en location chez un particulier"],
            "locataire_meuble": ["je loue un meublé", "locataire d'un studio meublé", "en location meublée",
                                 "je loue une chambre meublée", "un meublé"],
            "logement_social": ["HLM", "en HLM", "logement social", "j'ai un logement social",
                                f"appart HLM chez {self.pick(['Batigère', 'MMH', 'l OPH', 'Grand Lyon Habitat'])}",
                                "dans un logement social", "on est en hlm" if couple else "je suis en hlm"],
            "proprietaire": ["propriétaire", self.g("je suis propriétaire"), "c'est ma maison, elle est payée",
                             "on est propriétaires" if couple else "j'ai fini de payer ma maison"],
            "accedant": ["propriétaire mais je paye encore le crédit", "j'ai un prêt immobilier pour ma maison",
                         "on rembourse un crédit pour la maison" if couple else "je rembourse le crédit de mon appart",
                         "propriétaire avec un crédit"],
            "heberge": ["chez mes parents", self.g("hébergé(e) chez un ami"), "chez ma sœur, je paye rien",
                        self.g("hébergé(e) gratuitement"), "je vis chez ma mère", "chez des amis, gratuitement"],
            "sans_domicile": ["à la rue", "je dors dehors", "sans domicile", "SDF", "je dors dans ma voiture",
                              "j'ai pas de logement", "sans logement, je dors à droite à gauche"],
            "foyer": ["en foyer", "foyer de jeunes travailleurs", "je suis dans un foyer", "en résidence sociale",
                      "en FJT"],
        }[status]
        if status == "foyer" and t.me.activity == "etudiant":
            options += ["résidence étudiante du Crous", "en résidence Crous"]
        if status == "foyer" and t.me.age >= 65:
            options = ["en résidence pour personnes âgées", "en foyer logement", "en résidence autonomie"]
        if status == "heberge" and t.me.age >= 60:
            options = ["chez ma fille", "chez mon fils, gratuitement", self.g("hébergé(e) par ma famille")]
        if plain:
            plain_words = {"locataire": "locataire", "locataire_meuble": "je loue un meublé",
                           "logement_social": "HLM", "proprietaire": "propriétaire",
                           "accedant": "propriétaire avec un crédit", "heberge": self.g("hébergé(e) gratuitement"),
                           "sans_domicile": "sans logement", "foyer": "en foyer"}
            return plain_words[status]
        text = self.pick(options)
        if (self.script.multi and status in PAYS_RENT and self.rng.random() < 0.4
                and "rent" not in self.script.dont_know):
            rent = self.rent_now()
            self.note("housing.rent", rent)
            self._mark_wrong_said("rent")
            if t.housing["charges"] == 0:
                self.note("housing.charges", 0.0)
            word = "crédit" if status == "accedant" else "loyer"
            text += self.pick([f", {int(rent)} € par mois", f", {word} {int(rent)}", f" à {int(rent)} euros"])
        return text

    def ask_rent(self, plain: bool):
        t = self.truth
        status = t.housing["status"]
        if status not in PAYS_RENT:
            self.note("housing.rent", 0.0)
            return self.pick(["rien", "je paye pas de loyer", "0", "pas de loyer"])
        rent, charges = self.rent_now(), t.housing["charges"]
        self.note("housing.rent", rent)
        self.note("housing.charges", charges)
        self._mark_wrong_said("rent")
        if plain:
            return (f"{int(rent)} et {int(charges)} de charges" if charges else str(int(rent)))
        if status == "accedant":
            return self.pick([f"mon crédit c'est {self.money(rent)} par mois", f"je rembourse {self.money(rent)}",
                              f"{self.money(rent)} de prêt", self.money(rent)])
        if charges:
            total = rent + charges
            return self.pick([f"{int(rent)} + {int(charges)} de charges", f"{int(rent)} et {int(charges)} de charges",
                              f"loyer {int(rent)}, charges {int(charges)}",
                              f"{int(rent)} hors charges, plus {int(charges)} de charges",
                              f"{int(total)} dont {int(charges)} de charges"])
        return self.pick([self.money(rent), f"{self.money(rent)} par mois", f"mon loyer c'est {self.money(rent)}",
                          f"{self.money(rent)} charges comprises", f"je paye {self.money(rent)}",
                          f"{int(rent)} tout compris"])

    # ---- activity and incomes -------------------------------------------------------------------------
    def _activity_words(self, adult: Adult, plain: bool) -> str:
        activity = adult.activity
        g = lambda text: agree(text, adult.sex)  # noqa: E731
        if plain:
            return g({"salarie": "salarié(e)", "independant": "auto-entrepreneur", "chomeur": "au chômage",
                      "etudiant": "étudiant(e)", "retraite": "retraité(e)", "inactif": "rien"}[activity])
        if activity == "salarie":
            if adult.trade and self.rng.random() < 0.8:
                return self.pick([f"je suis {adult.trade}", adult.trade, f"je bosse comme {adult.trade}",
                                  f"je travaille, je suis {adult.trade}"])
            return g(self.pick(["je travaille", "salarié(e)", "je bosse", "j'ai un travail", "en CDI", "en CDD",
                                "je travaille à mi-temps", "je suis salarié(e)"]))
        if activity == "chomeur":
            return g(self.pick(["au chômage", "je suis au chômage", "je cherche du travail", "demandeur d'emploi",
                                "inscrit(e) à France Travail", "je cherche du boulot",
                                "je suis pas étudiant(e), je cherche du boulot",
                                "j'ai perdu mon travail, je suis au chômage"]))
        if activity == "etudiant":
            return g(self.pick(["étudiant(e)", "je suis étudiant(e)", "je suis à la fac", "en BTS",
                                "je fais des études d'infirmière", "étudiant(e) en licence", "je suis en master"]))
        if activity == "retraite":
            return g(self.pick(["retraité(e)", "à la retraite", "je suis en retraite",
                                "je suis à la retraite depuis l'an dernier"]))
        if activity == "independant":
            trade = adult.trade or "je fais des prestations"
            return g(self.pick(["auto-entrepreneur(e)", "je suis à mon compte", f"micro-entrepreneur(e), {trade}",
                                f"{trade}, en auto-entreprise", f"{trade} en micro-entreprise"]))
        if adult.because_of_disability:
            options = ["je peux pas travailler à cause de mon handicap", "je travaille pas, je suis handicapé(e)",
                       "je suis reconnu(e) handicapé(e), je ne travaille pas",
                       "rien, je suis malade, je peux pas bosser"]
            if adult.incomes["disability_pension"]:
                options.append("je suis en invalidité")
            return g(self.pick(options))
        options = ["rien", "je fais rien", "sans activité", "je travaille pas et je cherche pas",
                   "rien pour l'instant, je suis pas inscrit(e) au chômage", "rien de tout ça"]
        if self.truth.children:
            options += ["je m'occupe de mes enfants", "mère au foyer" if adult.sex == "f" else "père au foyer"]
        if adult.age < 26:
            options += ["ni études ni travail", "j'ai arrêté l'école, je fais rien"]
        return g(self.pick(options))

    def ask_activity(self, plain: bool):
        me = self.truth.me
        self.note("adults[0].activity", me.activity)
        if me.activity == "etudiant":
            self.note("adults[0].student", True)
        text = self._activity_words(me, plain)
        if not plain and self.script.multi and self.rng.random() < 0.4:
            if me.activity == "salarie" and "salary" not in self.script.dont_know:
                salary = self.salary_now()
                self.note("adults[0].incomes.salary", salary)
                self._mark_wrong_said("salary")
                text += self.pick([f", je gagne {self.money(salary)} par mois", f", {self.money(salary)} net"])
            elif me.activity == "chomeur" and "unemployment" not in self.script.dont_know and me.incomes["unemployment"]:
                self.note("adults[0].incomes.unemployment", me.incomes["unemployment"])
                text += f", je touche {self.money(me.incomes['unemployment'])} de chômage"
            elif me.because_of_disability:
                self.note("adults[0].disability_rate", me.disability_rate)
                text += f", j'ai un taux de {int(round(me.disability_rate * 100))} % à la MDPH"
        return text

    def ask_self_employed(self, plain: bool):
        me = self.truth.me
        if not me.self_employed:
            return self.g(self.pick(["pas auto-entrepreneur", "non je suis pas auto-entrepreneur(e)"]))
        turnover = me.self_employed["turnover"]
        self.note("adults[0].self_employed.turnover", turnover)
        if plain:
            return str(int(turnover))
        return self.pick([f"{self.money(turnover)} de chiffre d'affaires", f"environ {self.money(turnover)} par mois de CA",
                          f"je déclare {self.money(turnover, yearly_ok=True)}", f"mon CA c'est {self.money(turnover)}",
                          f"{self.money(turnover, yearly_ok=True)}"])

    def ask_self_employed_kind(self, plain: bool):
        me = self.truth.me
        if not me.self_employed:
            return self.g("je suis pas auto-entrepreneur(e)")
        kind = me.self_employed["kind"]
        self.note("adults[0].self_employed.kind", kind)
        if plain:
            return {"bic_vente": "vente", "bic_services": "services", "bnc": "profession libérale"}[kind]
        return self.pick({"bic_vente": ["vente", "de la vente", "je vends des marchandises", "vente de marchandises"],
                          "bic_services": ["services", "prestation de services", "c'est du service", "des services"],
                          "bnc": ["profession libérale", "libéral", "c'est une activité libérale", "BNC"]}[kind])

    def ask_student_grant(self, plain: bool):
        me = self.truth.me
        if me.activity != "etudiant":
            return self.g(self.pick(["je suis pas étudiant(e)", "non"]))
        grant = bool(me.student_grant)
        self.note("adults[0].student_grant", grant)
        level = random.Random(f"{self.truth.id}:grant").randint(1, 7)
        if plain:
            return ("oui" if grant else "non")
        boursier = "boursière" if me.sex == "f" else "boursier"
        if grant:
            return self.pick(["oui", f"oui {boursier} échelon {level}", "oui j'ai la bourse du Crous",
                              f"oui, échelon {level}"])
        return self.pick(["non", "pas de bourse", "non j'ai pas la bourse", "non pas boursier" if me.sex == "m"
                          else "non pas boursière"])

    def _income(self, ask: str, name: str, value: float, plain: bool, words: list[str], zero: list[str]):
        self.note(f"adults[0].incomes.{name}", value)
        if value == 0:
            return self.pick(zero)
        if plain:
            return str(int(value)) if value == int(value) else f"{value:.2f}"
        return self.pick(words)

    def ask_salary(self, plain: bool):
        value = self.salary_now()
        self._mark_wrong_said("salary")
        money = self.money(value, yearly_ok=True)
        words = [money, f"je gagne {money}", f"environ {money} net", f"{money} net par mois" if "an" not in money
                 else money, f"je touche {money}"]
        if value < 1000 and "par an" not in money and self.rng.random() < 0.3:
            words = [f"{int(value)} balles", f"{french.in_words(int(value))} balles"]
        zero = ["0", "rien", "je travaille pas à côté", "rien du tout", "0 €"]
        if self.truth.me.activity not in {"salarie", "etudiant", "independant"}:
            zero = ["0", "rien, je travaille pas", "je suis pas salarié" if self.truth.me.sex == "m" else "0"]
        return self._income("salary", "salary", value, plain, words, zero)

    def ask_unemployment(self, plain: bool):
        value = self.truth.me.incomes["unemployment"]
        money = self.money(value)
        return self._income("unemployment", "unemployment", value, plain,
                            [money, f"je touche {money} de chômage", f"l'ARE c'est {money}", f"{money} par mois",
                             f"environ {money}"],
                            ["rien", "0", "rien pour l'instant", "je touche pas le chômage", "j'ai pas de droits"])

    def ask_pension(self, plain: bool):
        value = self.truth.me.incomes["pension"]
        money = self.money(value, yearly_ok=True)
        if self.truth.me.activity == "retraite":
            self.note("adults[0].activity", "retraite")
        return self._income("pension", "pension", value, plain,
                            [money, f"ma retraite c'est {money}", f"je touche {money}" + ("" if "an" in money else " par mois"),
                             f"{money} en tout, avec la complémentaire", f"{money} de retraite"],
                            ["0", "rien", "je suis pas à la retraite"])

    def _partner_kind(self) -> str | None:
        partner = self.truth.partner
        return next((k for k in ("salary", "unemployment", "pension", "disability_pension") if partner and partner.incomes[k]),
                    None)

    def ask_partner_activity(self, plain: bool):
        partner = self.truth.partner
        if partner is None:
            return self.g(self.pick(["je vis seul(e)", "je suis seul(e)"]))
        self.note("adults[1].activity", partner.activity)
        name, pronoun = self.partner_words()
        if plain:
            return agree({"salarie": "il travaille", "chomeur": "au chômage", "retraite": "retraité(e)",
                          "inactif": "rien", "independant": "à son compte", "etudiant": "étudiant(e)"}[partner.activity],
                         partner.sex).replace("il ", pronoun + " ")
        if partner.activity == "salarie":
            options = [f"{pronoun} travaille", f"{name} travaille", f"{pronoun} bosse"]
            if partner.trade:
                options += [f"{pronoun} est {partner.trade}", f"{name} est {partner.trade}"]
        elif partner.activity == "chomeur":
            options = [f"{pronoun} est au chômage", f"{name} cherche du travail", f"{pronoun} est demandeu{'se' if partner.sex == 'f' else 'r'} d'emploi"]
        elif partner.activity == "retraite":
            options = [agree(f"{pronoun} est retraité(e)", partner.sex), f"{name} est à la retraite"]
        elif partner.because_of_disability:
            options = [agree(f"{pronoun} est handicapé(e), {pronoun} peut pas travailler", partner.sex),
                       f"{name} peut pas travailler à cause de son handicap"]
        else:
            options = ["rien", f"{pronoun} est à la maison", f"{name} travaille pas", f"{pronoun} fait rien"]
        return self.pick(options)

    def ask_partner_income(self, plain: bool):
        partner = self.truth.partner
        if partner is None:
            return self.g(self.pick(["je vis seul(e)", "personne, je suis seul(e)"]))
        kind = self._partner_kind()
        value = partner.incomes[kind] if kind else 0.0
        for name_ in ("salary", "unemployment", "pension", "disability_pension", "alimony", "other"):
            self.note(f"adults[1].incomes.{name_}", partner.incomes[name_])
        name, pronoun = self.partner_words()
        if plain:
            return (str(int(value)) if value else "0")
        money = self.money(value)
        if kind == "salary":
            options = [f"{pronoun} gagne {money}", f"{pronoun} gagne {money} net", f"{name} gagne {money} par mois",
                       f"{name} travaille, {pronoun} gagne {money}"]
            if partner.trade:
                options.append(f"{name} est {partner.trade}, {money} par mois")
            if self.rng.random() < 0.3:
                return money                        # the amount alone: what it is paid for is not said
            self.note("adults[1].activity", partner.activity)
        elif kind == "unemployment":
            options = [f"{pronoun} touche {money} de chômage", f"{name} est au chômage, {money} par mois"]
            self.note("adults[1].activity", partner.activity)
        elif kind == "pension":
            options = [f"{name} est à la retraite, {pronoun} touche {money}", f"sa retraite c'est {money}",
                       f"{pronoun} a {money} de retraite"]
            self.note("adults[1].activity", partner.activity)
        elif kind == "disability_pension":
            options = [f"{pronoun} touche une pension d'invalidité de {money}",
                       f"{name} est en invalidité, {money} par mois"]
        else:
            options = ["rien", "0", f"{pronoun} gagne rien", f"{name} travaille pas, rien", f"{pronoun} a pas de revenu"]
        return self.pick(options)

    def ask_other_income(self, plain: bool):
        me = self.truth.me
        other, invalidity = me.incomes["other"], me.incomes["disability_pension"]
        self.note("adults[0].incomes.other", other)
        self.note("adults[0].incomes.disability_pension", invalidity)
        if not other and not invalidity:
            return self.pick(["non", "rien", "rien d'autre", "non rien", "0", "non aucun"])
        if invalidity:
            money = self.money(invalidity)
            return self.pick([f"oui une pension d'invalidité de {money}", f"la pension d'invalidité, {money} par mois",
                              f"j'ai {money} de pension d'invalidité"])
        money = self.money(other)
        if plain:
            return f"{int(other)} par mois"
        return self.pick([f"{money} d'aide de mes parents", f"mes parents m'aident, {money} par mois",
                          f"oui une petite rente de {money}", f"oui, {money} par mois"])

    def _rate_words(self, rate: float | None, plain: bool) -> str:
        p = int(round(rate * 100))
        if plain:
            return f"{p} %"
        return self.pick([f"oui {p}%", f"oui, {p} %", f"taux de {p}%", f"{p} pour cent", f"oui à {p}%",
                          f"j'ai un taux de {p} % à la MDPH", f"oui reconnu(e) à {p}%"])

    def ask_disability(self, plain: bool):
        me = self.truth.me
        rate = me.disability_rate
        self.note("adults[0].disability_rate", rate)
        if not rate:
            return self.pick(["non", "non aucun", "pas de handicap", "non, rien de ça", "non"])
        return self.g(self._rate_words(rate, plain))

    def ask_work_restriction(self, plain: bool):
        me = self.truth.me
        if me.work_restriction is None:
            return self.pick(["non", "je sais pas"]) if me.disability_rate else "non"
        value = me.work_restriction
        self.note("adults[0].work_restriction", value)
        if plain:
            return ("oui" if value else "non")
        if value:
            return self.pick(["oui", "oui la RSDAE", "oui, la MDPH a reconnu que je peux pas travailler",
                              "oui c'est reconnu"])
        return self.pick(["non", "non pas ça", "non, pas de RSDAE"])

    def ask_partner_disability(self, plain: bool):
        partner = self.truth.partner
        if partner is None:
            return self.g("je vis seul(e)")
        rate = partner.disability_rate
        self.note("adults[1].disability_rate", rate)
        name, pronoun = self.partner_words()
        if not rate:
            return self.pick(["non", f"non {pronoun} a pas de handicap", "non"])
        p = int(round(rate * 100))
        if plain:
            return f"{p} %"
        return self.pick([f"oui {p}%", f"{pronoun} a un taux de {p} %", f"oui, {name} est à {p}%"])

    def ask_partner_work_restriction(self, plain: bool) -> str:
        partner = self.truth.partner
        if partner is None:
            return self.g("je vis seul(e)")
        if partner.work_restriction is None:
            return "non"
        value = partner.work_restriction
        self.note("adults[1].work_restriction", value)
        _, pronoun = self.partner_words()
        if plain:
            return "oui" if value else "non"
        if value:
            return self.pick(["oui", "oui la RSDAE", f"oui, c'est reconnu, {pronoun} peut pas travailler"])
        return self.pick(["non", "non pas ça", "non, pas de RSDAE"])

    def ask_couple_type(self, plain: bool) -> str:
        kind = self.truth.couple_type
        if kind is None:
            return self.g("je vis seul(e)")
        self.note("couple_type", kind)
        if plain:
            return {"marie": "mariés", "pacse": "pacsés", "union_libre": "ni l'un ni l'autre"}[kind]
        return self.pick({"marie": ["mariés", "on est mariés", "oui mariés depuis 10 ans", self.g("marié(e)")],
                          "pacse": ["pacsés", "on est pacsés", "pacs", self.g("pacsé(e)")],
                          "union_libre": ["ni l'un ni l'autre", "aucun des deux, on vit ensemble", "en concubinage",
                                          "union libre", "ni mariés ni pacsés"]}[kind])
