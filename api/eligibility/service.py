"""EligibilityService: contract household in, contract estimate out.

    service = EligibilityService(settings)
    await asyncio.to_thread(service.start)      # loads and warms OpenFisca (a few seconds)
    result = await service.estimate(payload)    # raises InvalidHousehold for bad input

Amounts: an eligible monthly benefit fills `monthly_amount`, a yearly one `yearly_amount`; a benefit
the household cannot get has 0 there, except the solidarity health insurance (C2S), where 0 means
free: it then has null. When the amount depends on a field the person could not give, the status is
`uncertain`, the amount null and `range` gives [low, high].
"""
from __future__ import annotations

import asyncio
import copy
import datetime as dt
import logging
import math
import threading
import time

from api.eligibility.batcher import MicroBatcher
from api.eligibility.benefits import C2S, SPECS
from api.eligibility.communes import CommuneError, Communes
from api.eligibility.engine import Engine, PeriodFacts
from api.eligibility.errors import InvalidHousehold
from api.eligibility.explain import Explainer, Outcome
from api.eligibility.household import Prepared, prepare
from api.eligibility.local_aids import local_aids
from api.eligibility.overlays import PARAMETERS_DIR, read_overlays
from api.eligibility.schema import parse_request
from api.eligibility.situation import Household, Person
from api.eligibility.worker import SimulationProcess
from api.territories import Territories

log = logging.getLogger("api.eligibility")

STALE_AFTER_MONTHS = 18
STABLE_INCOMES = ("Nous avons supposé que vos revenus sont les mêmes depuis deux ans. Les aides de la CAF "
                  "(caisse d'allocations familiales) des derniers mois sont comptées comme si vous les receviez déjà.")


class EligibilityService:
    parameters_dir = PARAMETERS_DIR  # dated parameter values added to OpenFisca (overlays.py)

    def __init__(self, settings, territories: Territories | None = None) -> None:  # noqa: ANN001
        self.settings = settings
        self.engine = Engine(self.parameters_dir)
        self.communes: Communes | None = None
        self.texts: dict = {}
        # their local aids (the API passes the territories it loaded once)
        self.territories = territories or Territories.load(settings.territories_dir)
        self.explainer: Explainer | None = None
        # Simulations in a dedicated process (worker.py) unless the setting says otherwise; this
        # process then loads no OpenFisca-France: `self.engine` stays empty (only its versions).
        self.simulator: SimulationProcess | None = None
        self._use_process = settings.eligibility_simulation_process
        in_flight = settings.eligibility_batches_in_flight if self._use_process else 1
        self.batcher = MicroBatcher(self._compute, settings.eligibility_batch_window_ms,
                                    settings.eligibility_max_batch, in_flight=in_flight,
                                    submit=self._submit if self._use_process else None)
        self._parameter_dates: dict[str, tuple[dict[str, str], list[str], list[dict]]] = {}
        self._claims: dict[str, dict] = {}
        self._dates_lock = threading.Lock()
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    def today(self) -> dt.date:
        return dt.date.today()

    # ----- start-up -----
    def start(self) -> None:
        """Blocking: load the communes, the texts, OpenFisca; then warm it with one simulation."""
        from knowledge import read_yaml

        started = time.perf_counter()
        read_overlays(self.parameters_dir)  # a broken file stops the service now, with its file and line
        self.engine.parameters_dir = self.parameters_dir
        self.communes = Communes.load(self.settings.communes_file)
        self.texts = read_yaml(self.settings.knowledge_dir / "benefits.yml")
        period = self.today().strftime("%Y-%m")
        warm_up = self.settings.eligibility_warm_up
        if self._use_process:  # loads its own OpenFisca while this process loads the one for the answers
            self.simulator = SimulationProcess(
                period, [_warm_up_household(period)] if warm_up else [],
                start_timeout=self.settings.eligibility_simulation_start_timeout_seconds,
                batch_timeout=self.settings.eligibility_simulation_timeout_seconds,
                parameters_dir=self.parameters_dir)
            self.simulator.launch()
        try:
            if self.simulator is not None:
                self.simulator.wait_ready()
                self.engine.versions = dict(self.simulator.versions)
            else:
                self.engine.load(period)
                if warm_up:
                    self.engine.simulate([_warm_up_household(period)])
            self.explainer = Explainer(self.texts, dict(self._facts(period).aspa_ceilings))
        except BaseException:
            if self.simulator is not None:
                self.simulator.close()
            raise
        self._ready = True
        log.info("Eligibility service ready in %.1f s", time.perf_counter() - started)

    async def aclose(self) -> None:
        await self.batcher.aclose()
        if self.simulator is not None:
            await asyncio.to_thread(self.simulator.close)

    # ----- estimate -----
    async def estimate(self, payload: dict) -> dict:
        if not self._ready:
            raise RuntimeError("eligibility service not started")
        prepared = self.prepare(payload)
        results = await self.batcher.submit(prepared.variants, key=prepared.period)
        return self.respond(prepared, results)

    def estimate_sync(self, payload: dict) -> dict:
        """The same, without batching (tests, tools)."""
        prepared = self.prepare(payload)
        return self.respond(prepared, self._compute(prepared.variants))

    def prepare(self, payload: dict) -> Prepared:
        today = self.today()
        request = parse_request(payload, today)
        if not request.commune and not request.postcode:  # the town unknown (`commune` in `unknown`)
            return prepare(request, None, None, today)
        try:
            resolution = self.communes.resolve(request.commune, request.postcode)
        except CommuneError as error:
            raise InvalidHousehold(error.fr, error.en, [{"field": error.field, "fr": error.fr, "en": error.en}]) from None
        return prepare(request, resolution.commune, resolution.assumption, today)

    def _compute(self, households: list[Household]) -> list[dict]:
        if self.simulator is not None:
            return self.simulator.simulate(households)
        return self.engine.simulate(households)

    def _submit(self, households: list[Household]):  # noqa: ANN202 - a concurrent.futures.Future
        return self.simulator.submit(households)

    def _facts(self, period: str) -> PeriodFacts:
        return self.simulator.facts(period) if self.simulator is not None else self.engine.facts(period)

    def respond(self, prepared: Prepared, results: list[dict]) -> dict:
        dates, stale, overlays = self._period_notes(prepared.period)
        benefits = [self._benefit(spec, prepared, results) for spec in SPECS]
        benefits += local_aids(self.territories, prepared, benefits)
        assumptions = list(prepared.assumptions) + [STABLE_INCOMES] + stale
        return {
            "period": prepared.period,
            "commune": {"code": prepared.commune.code, "name": prepared.commune.name} if prepared.commune else None,
            "benefits": benefits,
            "assumptions": assumptions,
            "computed_with": {
                "engine": "openfisca-france",
                "version": self.engine.versions["openfisca-france"],
                "openfisca_core_version": self.engine.versions["openfisca-core"],
                "latest_parameters": dates,
                # Dated values OpenFisca does not have yet, added from knowledge/parameters.
                "parameter_overlays": overlays,
            },
        }

    def _period_notes(self, period: str) -> tuple[dict[str, str], list[str], list[dict]]:
        """Latest parameter date of each benefit, the warnings on old scales, and the parameter
        overlays in force, for a month."""
        with self._dates_lock:
            if period not in self._parameter_dates:
                facts = self._facts(period)
                dates = dict(facts.parameter_dates)
                self._parameter_dates[period] = (dates, self._stale_scales(period, dates), list(facts.overlays))
            dates, stale, overlays = self._parameter_dates[period]
        return dict(dates), list(stale), copy.deepcopy(overlays)

    def _top_student_grant(self, period: str) -> float:
        return self._facts(period).top_student_grant

    def _stale_scales(self, period: str, dates: dict[str, str]) -> list[str]:
        year, month = int(period[:4]), int(period[5:7])
        limit_index = year * 12 + month - 1 - STALE_AFTER_MONTHS
        notes = []
        for spec in SPECS:
            date = dates.get(spec.id)
            if date and int(date[:4]) * 12 + int(date[5:7]) - 1 < limit_index:
                shown = dt.date.fromisoformat(date).strftime("%d/%m/%Y")
                notes.append(f"« {self.texts[spec.id]['name']} » : le barème utilisé date du {shown}. "
                             "Le montant réel peut être différent.")
        return notes

    def _benefit(self, spec, prepared: Prepared, results: list[dict]) -> dict:  # noqa: ANN001
        texts = self.texts[spec.id]
        amounts = [spec.amount(result, household) for result, household in zip(results, prepared.variants)]
        outcome = _outcome(spec.id, amounts, prepared, results)
        base = prepared.variants[0]
        if spec.id == "aide_logement" and base.housing_status == "foyer":
            outcome = Outcome("uncertain", None, implicit=("foyer",))
        if spec.id == "bourse_enseignement_superieur" and any(
                p.adult and (p.student or p.activity == "etudiant") and p.age < 28 for p in base.adults):
            # A student on their parents' tax return is assessed on the parents' income, which the
            # contract does not carry: anything from nothing to the top step is possible.
            high = max(max(a or 0 for a in amounts), self._top_student_grant(prepared.period))
            outcome = Outcome("uncertain", None, 0.0, high, implicit=outcome.implicit + ("parents",))
        why = self.explainer.why(spec.id, outcome, results[0], base)
        if spec.yearly:  # paid once a year: never « par mois »
            why = why.replace("par mois", "par an")
        certain_amount = outcome.amount if outcome.status != "uncertain" else None
        if outcome.status == "not_eligible" and spec.id != C2S:
            certain_amount = 0.0
        value_range = None
        if outcome.status == "uncertain" and outcome.low is not None and outcome.high is not None:
            value_range = [outcome.low, outcome.high]
        return {
            "id": spec.id,
            "name": texts["name"],
            "status": outcome.status,
            "monthly_amount": None if spec.yearly else certain_amount,
            "yearly_amount": certain_amount if spec.yearly else None,
            "range": value_range,
            "depends_on": list(outcome.fields) if outcome.status == "uncertain" else [],
            "why": why,
            "how_to_claim": self._how_to_claim(spec.id),
        }

    def _how_to_claim(self, benefit_id: str) -> dict:
        claim = self._claims.get(benefit_id)
        if claim is None:
            text = self.texts[benefit_id]["how_to_claim"]
            claim = self._claims[benefit_id] = {
                "who": text["who"], "where": " ".join(text["where"].split()),
                "documents": list(text.get("documents") or []), "url": text["url"]}
        return {**claim, "documents": list(claim["documents"])}


def _outcome(benefit_id: str, amounts: list[float | None], prepared: Prepared, results: list[dict]) -> Outcome:
    distinct = set(amounts)
    if len(distinct) == 1:
        amount = amounts[0]
        eligible = amount is not None and (amount > 0 or benefit_id == C2S)
        return Outcome("eligible" if eligible else "not_eligible", amount if eligible else None)
    known = [a for a in amounts if a is not None]
    if len(known) == len(amounts) and _euro(min(known)) == _euro(max(known)):
        # Never « de 52 € à 52 € »: a range whose ends are the same euro is one amount, the lower
        # one (never promise more than the least of the plausible cases); « 0 € » is none (for the
        # C2S, where 0 means free, only when every case is free).
        if _euro(max(known)) > 0 or (benefit_id == C2S and max(known) == 0):
            return Outcome("eligible", min(known))
        return Outcome("not_eligible", None)
    depends, implicit, fields = _influences(prepared, amounts)
    return Outcome("uncertain", None, min(known) if known else None, max(known) if known else None,
                   tuple(depends), tuple(implicit), tuple(fields))


def _euro(amount: float) -> int:
    """Rounded to the euro as people say it (half up)."""
    return int(math.floor(amount + 0.5))


def _influences(prepared: Prepared, amounts: list) -> tuple[list[str], list[str], list[str]]:  # noqa: ANN001
    """The fields whose value changes the amount (two variants differing only there differ): their
    labels, the implicit uncertainties among them, and their names in the contract."""
    depends, implicit, fields = [], [], []
    choices = prepared.choices
    for position, dimension in enumerate(prepared.dimensions):
        groups: dict[tuple, set] = {}
        for choice, amount in zip(choices, amounts):
            rest = choice[:position] + choice[position + 1:]
            groups.setdefault(rest, set()).add(amount)
        if any(len(values) > 1 for values in groups.values()):
            depends.append(dimension.label)
            fields.append(dimension.name.replace(".rsdae", ".work_restriction"))
            if dimension.name.endswith((".rsdae", ".work_restriction")):
                implicit.append("rsdae")
            elif dimension.name == "adults[0].incomes.alimony" and "alimony" in prepared.implicit:
                implicit.append("alimony")
    if not depends:  # combined variation only: name every field
        depends = [d.label for d in prepared.dimensions]
        fields = [d.name.replace(".rsdae", ".work_restriction") for d in prepared.dimensions]
    return depends, implicit, fields


def _warm_up_household(period: str) -> Household:
    return Household(period=period, depcom="75056", housing_status="locataire", rent=600.0, charges=50.0,
                     adults=[Person(age=35, adult=True, activity="salarie", incomes={"salary": 1000.0})],
                     children=[Person(age=4, adult=False, activity="enfant", school="maternelle")])
