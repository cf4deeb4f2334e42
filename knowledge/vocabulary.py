"""The values of the household and their French labels, read once from knowledge/vocabulary.yml.

Both runtimes import these names (the action server on Python 3.10, the API on 3.11), so that a
housing kind or an activity is listed in one place only."""
from __future__ import annotations

import re

from knowledge import load

_VOCABULARY = load("vocabulary")

ACTIVITIES: dict[str, dict] = dict(_VOCABULARY["activities"])
HOUSING_STATUSES: dict[str, dict] = dict(_VOCABULARY["housing_statuses"])
INCOMES: dict[str, dict] = dict(_VOCABULARY["incomes"])
COUPLE_TYPES: dict[str, dict] = dict(_VOCABULARY["couple_types"])
SCHOOLS: tuple[str, ...] = tuple(_VOCABULARY["schools"])
SELF_EMPLOYED_KINDS: dict[str, dict] = dict(_VOCABULARY["self_employed_kinds"])

ACTIVITY_VALUES: tuple[str, ...] = tuple(ACTIVITIES)
HOUSING_VALUES: tuple[str, ...] = tuple(HOUSING_STATUSES)
INCOME_NAMES: tuple[str, ...] = tuple(INCOMES)
# Statuses where the person pays something each month for the home (rent, or a home loan).
PAYS_RENT: frozenset[str] = frozenset(k for k, v in HOUSING_STATUSES.items() if v.get("pays"))
# The NLU entity `housing_status` carries the coarser value; the finer one is its `detail`.
HOUSING_ENTITY_VALUE: dict[str, str] = {k: v["entity"] for k, v in HOUSING_STATUSES.items()}
# The income an activity brings, for a person who gives one amount (« je touche 900 »).
ACTIVITY_INCOME: dict[str, str | None] = {k: v.get("income") for k, v in ACTIVITIES.items()}
# A field of the contract nobody could give: its French name and the question that settles it.
UNKNOWN_FIELDS: dict[str, dict] = dict(_VOCABULARY["unknown_fields"])


def unknown_field(name: str) -> dict | None:
    """The entry of a field listed in `unknown` (« children[2].age » is « children[].age »)."""
    return UNKNOWN_FIELDS.get(re.sub(r"^children\[\d+\]", "children[]", name))
