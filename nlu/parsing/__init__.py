"""Pure-Python parsing of French answers written the way people text (no Rasa import).

Used by the Rasa component nlu.components.normaliser.EntityNormaliser and by the action server to
validate answers to the screening questions. Every parser returns None (or [] / False) when the
text does not contain what it looks for.
"""
from nlu.parsing.categories import (
    is_dont_know,
    parse_activity,
    parse_benefit,
    parse_housing_status,
    parse_life_event,
    parse_relationship,
    parse_yes_no,
)
from nlu.parsing.extract import extract_entities
from nlu.parsing.numbers import (
    parse_age,
    parse_ages,
    parse_amount,
    parse_amount_period,
    parse_count,
    parse_disability_rate,
)
from nlu.parsing.places import find_commune, find_postcode
from nlu.parsing.text import normalise

__all__ = [
    "normalise", "parse_amount", "parse_amount_period", "parse_age", "parse_count", "parse_ages",
    "find_postcode", "find_commune", "parse_housing_status", "parse_relationship", "parse_activity",
    "parse_yes_no", "is_dont_know", "parse_benefit", "parse_life_event", "parse_disability_rate",
    "extract_entities",
]
