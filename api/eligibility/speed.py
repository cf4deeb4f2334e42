"""Cheaper bookkeeping for OpenFisca, with the same results.

Profiling one simulation shows that most of the time goes to openfisca-core's bookkeeping, not to
the formulas: about four `calculate` calls out of five find their value already computed, and each
still goes through period parsing, entity checks and the tracer; period arithmetic (`offset`,
`last_3_months`...) recomputes dates with pendulum every time.

- `memoize_periods()` caches period arithmetic. Periods and instants are immutable tuples and
  these methods are pure functions of them, so caching cannot change any result.
- `speed_up(simulation)` gives one of OUR simulations a fast path: a value already in its cache is
  returned at once; a value to compute runs its formula with the same cycle and spiral handling
  as openfisca-core, without repeating lookups and checks. Anything else (an option, a period of
  another kind, an error to raise) goes through openfisca-core's normal code. Other simulations
  (the reference tests' plain `build_from_entities` ones) are untouched.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import wraps

from openfisca_core import errors, periods
from openfisca_core.populations import ADD, GroupPopulation, Population
from openfisca_core.simulations import Simulation

_MEMOIZED = False
_MISSING = object()
_ADDABLE = (periods.DateUnit.MONTH, periods.DateUnit.YEAR)


def _memoized_method(function):  # noqa: ANN001, ANN202
    cache: dict = {}

    @wraps(function)
    def wrapper(self, *args):  # noqa: ANN001, ANN202
        key = (self, args)
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = function(self, *args)
            return result
        except TypeError:  # unhashable argument: compute as usual
            return function(self, *args)
    return wrapper


def _memoized_property(prop: property) -> property:
    return property(_memoized_method(prop.fget))


_ORIGINALS: dict[tuple[type, str], object] = {}
_PERIOD_METHODS = ("offset", "get_subperiods")
_PERIOD_PROPERTIES = ("last_month", "last_3_months", "last_year", "n_2", "this_year", "first_month", "stop")


def memoize_periods() -> None:
    global _MEMOIZED
    if _MEMOIZED:
        return
    instant, period = periods.Instant, periods.Period
    _ORIGINALS[(instant, "offset")] = instant.__dict__["offset"]
    instant.offset = _memoized_method(instant.offset)
    for name in _PERIOD_METHODS:
        _ORIGINALS[(period, name)] = period.__dict__[name]
        setattr(period, name, _memoized_method(getattr(period, name)))
    for name in _PERIOD_PROPERTIES:
        _ORIGINALS[(period, name)] = period.__dict__[name]
        setattr(period, name, _memoized_property(getattr(period, name)))
    _MEMOIZED = True


@contextmanager
def plain_periods():
    """openfisca-core's own period arithmetic, for a while (reference computations in tests)."""
    memoized = {key: key[0].__dict__[key[1]] for key in _ORIGINALS}
    for (owner, name), original in _ORIGINALS.items():
        setattr(owner, name, original)
    try:
        yield
    finally:
        for (owner, name), value in memoized.items():
            setattr(owner, name, value)


class FastSimulation(Simulation):
    """Returns cached values without the bookkeeping; everything else as `Simulation`.

    `_constants` maps (variable, period) to a request-independent value (see shortcuts.py): it is
    written into the cache the first time a formula asks for it."""

    _fast_holders: dict
    _formulas: dict = {}  # (variable, start instant) -> formula, shared: formulas depend on the system only
    _constants: dict
    _constant_arrays: dict

    def calculate(self, variable_name, period):  # noqa: ANN001, ANN201
        if period.__class__ is periods.Period:
            holder = self._fast_holders.get(variable_name)
            if holder is None:
                holder = self._fast_holders[variable_name] = self._cacheable_holder(variable_name)
            if holder is not False:
                arrays = holder._memory_storage._arrays
                value = arrays.get(period)
                if value is not None:
                    return value
                constant = self._constants.get((variable_name, period), _MISSING)
                if constant is not _MISSING:
                    value = arrays[period] = self._constant_array(holder, variable_name, constant)
                    return value
                if (period.unit == holder.variable.definition_period and period.size == 1 and not self._trace
                        and not holder._do_not_store and self.start_computation_period is None):
                    return self._compute(holder, variable_name, period)
        return Simulation.calculate(self, variable_name, period)

    def calculate_add(self, variable_name, period):  # noqa: ANN001, ANN201
        """Sum over sub-periods, as `Simulation.calculate_add`, when the period is a plain one."""
        if period.__class__ is periods.Period and not self._trace:
            holder = self._fast_holders.get(variable_name)
            if holder is None:
                holder = self._fast_holders[variable_name] = self._cacheable_holder(variable_name)
            if holder is not False:
                unit = holder.variable.definition_period
                if unit in _ADDABLE and periods.unit_weight(unit) <= periods.unit_weight(period.unit):
                    return sum(self.calculate(variable_name, sub) for sub in period.get_subperiods(unit))
        return Simulation.calculate_add(self, variable_name, period)

    def _compute(self, holder, variable_name, period):  # noqa: ANN001, ANN202
        """`Simulation.calculate` for a value not yet cached, with the same cycle and spiral
        handling, minus the lookups and checks already done by `calculate`."""
        tracer = self.tracer
        tracer.record_calculation_start(variable_name, period)
        try:
            variable = holder.variable
            try:
                self._check_for_cycle(variable_name, period)
                formula = self._formula(variable, period)
                array = None
                if formula is not None:
                    population = holder.population
                    if formula.__code__.co_argcount == 2:
                        array = formula(population, period)
                    else:
                        array = formula(population, period, self.tax_benefit_system.get_parameters_at_instant)
                if array is None:
                    array = holder.default_array()
                array = self._cast_formula_result(array, variable)
                holder._memory_storage._arrays[period] = array
            except errors.SpiralError:
                array = holder.default_array()
            return array
        finally:
            tracer.record_calculation_end()
            self.purge_cache_of_invalid_values()

    def _formula(self, variable, period):  # noqa: ANN001, ANN202
        key = (variable.name, period.start)
        formula = self._formulas.get(key, _MISSING)
        if formula is _MISSING:
            formula = self._formulas[key] = variable.get_formula(period)
        return formula

    def _constant_array(self, holder, variable_name, constant):  # noqa: ANN001, ANN202
        key = (variable_name, constant)
        array = self._constant_arrays.get(key)
        if array is None:
            array = self._constant_arrays[key] = holder.variable.default_array(holder.population.count)
            array[:] = constant
        return array

    def _cacheable_holder(self, variable_name):  # noqa: ANN001, ANN202
        variable = self.tax_benefit_system.variables.get(variable_name)
        if variable is None or variable.is_neutralized or variable.definition_period == periods.DateUnit.ETERNITY:
            return False
        return self.get_variable_population(variable_name).get_holder(variable_name)


class _FastCall:
    """Population call without options, on a variable of its own entity: straight to the simulation."""

    _own_variables: frozenset

    def __call__(self, variable_name, period, options=None):  # noqa: ANN001, ANN204
        if period.__class__ is periods.Period and variable_name in self._own_variables:
            if options is None:
                return self.simulation.calculate(variable_name, period)
            if len(options) == 1 and options[0] == ADD:
                return self.simulation.calculate_add(variable_name, period)
        return super().__call__(variable_name, period, options)


class FastPopulation(_FastCall, Population):
    pass


class FastGroupPopulation(_FastCall, GroupPopulation):
    pass


def speed_up(simulation: Simulation, constants: dict | None = None) -> Simulation:
    """`constants`: {(variable, Period): value} known not to depend on the request."""
    tax_benefit_system = simulation.tax_benefit_system
    own: dict[str, frozenset] = getattr(tax_benefit_system, "_variables_by_entity", None) or {}
    if not own:
        names: dict[str, set] = {}
        for name, variable in tax_benefit_system.variables.items():
            names.setdefault(variable.entity.key, set()).add(name)
        own = {key: frozenset(value) for key, value in names.items()}
        tax_benefit_system._variables_by_entity = own
    simulation.__class__ = FastSimulation
    simulation._fast_holders = {}
    simulation._constants = constants or {}
    simulation._constant_arrays = {}
    for population in simulation.populations.values():
        population.__class__ = FastGroupPopulation if isinstance(population, GroupPopulation) else FastPopulation
        population._own_variables = own.get(population.entity.key, frozenset())
    return simulation
