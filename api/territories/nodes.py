"""Reading a territory file with the line of every value, so that a mistake is reported where it is.

The file is composed with `yaml.compose` (nodes keep their position) and read node by node: every
problem raises `TerritoryError("knowledge/territories/x.yml, line 12: ...")`. Scalars are read from
their raw text, so that an unquoted `9:00` stays a time (YAML 1.1 would read it as 540) and an
unquoted `54395` stays a code.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NoReturn

import yaml

from api.territories.model import TerritoryError

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
TIME = re.compile(r"^(?P<hour>\d{1,2})\s*(?::|h)\s*(?P<minute>\d{2})?$")
NULLS = {"", "~", "null", "Null", "NULL"}
TRUE = {"true", "yes", "oui", "True", "Yes", "Oui"}
FALSE = {"false", "no", "non", "False", "No", "Non"}


def compose(text: str, file: str) -> Node:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise TerritoryError(f"{file}{line}: the file is not valid YAML ({problem})") from None
    if root is None:
        raise TerritoryError(f"{file}, line 1: the file is empty")
    return Node(root, file)


class Node:
    """One value of the file, with where it is."""

    def __init__(self, node: yaml.Node, file: str) -> None:
        self.node, self.file = node, file

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def fail(self, message: str) -> NoReturn:
        raise TerritoryError(f"{self.file}, line {self.line}: {message}")

    def _kind(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return "a list of named fields"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        return f"« {self.node.value} »"

    # ----- structure -----
    def mapping(self, required: tuple[str, ...] = (), optional: tuple[str, ...] = (),
                what: str = "this entry") -> dict[str, Node]:
        """The fields of a mapping; unknown, repeated or missing fields are errors."""
        entries = self.entries(what)
        allowed = set(required) | set(optional)
        if allowed:
            for key, (key_node, _value) in entries.items():
                if key not in allowed:
                    key_node.fail(f"unknown field « {key} » in {what} (expected: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in entries:
                self.fail(f"missing field « {key} » in {what}")
        return {key: value for key, (_key_node, value) in entries.items()}

    def entries(self, what: str = "this entry") -> dict[str, tuple[Node, Node]]:
        """key → (key node, value node), in file order; a repeated key is an error."""
        if not isinstance(self.node, yaml.MappingNode):
            self.fail(f"{what} should be a list of named fields (« name: value »), found {self._kind()}")
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in self.node.value:
            key = Node(key_node, self.file)
            if not isinstance(key_node, yaml.ScalarNode):
                key.fail("a field name should be a simple word")
            name = str(key_node.value)
            if name in entries:
                key.fail(f"« {name} » appears twice in {what}")
            entries[name] = (key, Node(value_node, self.file))
        return entries

    def sequence(self, what: str = "this field", allow_empty: bool = True) -> list[Node]:
        if self.is_null() and allow_empty:
            return []
        if not isinstance(self.node, yaml.SequenceNode):
            self.fail(f"{what} should be a list (one « - » per line), found {self._kind()}")
        items = [Node(item, self.file) for item in self.node.value]
        if not items and not allow_empty:
            self.fail(f"{what} should not be empty")
        return items

    # ----- scalars -----
    def raw(self, what: str = "this field") -> str:
        if not isinstance(self.node, yaml.ScalarNode):
            self.fail(f"{what} should be a single value, found {self._kind()}")
        return str(self.node.value).strip()

    def is_scalar(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode)

    def quoted(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.style in ("'", '"')

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and not self.quoted() and self.node.value.strip() in NULLS

    def text(self, what: str = "this field") -> str:
        """A non-empty text; folded lines and repeated spaces become one space."""
        value = " ".join(self.raw(what).split())
        if not value or self.is_null():
            self.fail(f"{what} should not be empty")
        return value

    def identifier(self, what: str = "this id") -> str:
        value = self.raw(what)
        if not IDENTIFIER.match(value):
            self.fail(f"« {value} » is not a valid {what}: lowercase letters without accents, digits and « _ », "
                      "starting with a letter (for example grand_nancy)")
        return value

    def integer(self, what: str = "this field", minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(what)
        if not re.fullmatch(r"[+-]?\d+", value):
            self.fail(f"{what} should be a whole number, found « {value} »")
        if self.quoted():
            self.fail(f"{what} should be a whole number written without quotes, found « {value} » in quotes")
        number = int(value)
        if minimum is not None and number < minimum:
            self.fail(f"{what} should be at least {minimum}, found {number}")
        if maximum is not None and number > maximum:
            self.fail(f"{what} should be at most {maximum}, found {number}")
        return number

    def number(self, what: str = "this field", minimum: float | None = 0) -> float:
        value = self.raw(what)
        try:
            if self.quoted():
                raise ValueError
            number = float(value.replace(",", "."))
        except ValueError:
            self.fail(f"{what} should be a number (like 150 or 12.50), found « {value} »")
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{what} should be a number, found « {value} »")
        if minimum is not None and number < minimum:
            self.fail(f"{what} should be at least {minimum:g}, found {number:g}")
        return number

    def boolean(self, what: str = "this field") -> bool:
        value = self.raw(what)
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        self.fail(f"{what} should be « true » or « false » (oui / non), found « {value} »")

    def date(self, what: str = "this date") -> dt.date:
        value = self.raw(what)
        try:
            if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
                day, month, year = (int(part) for part in value.split("/"))
                return dt.date(year, month, day)
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"« {value} » is not a date: write it like 2026-12-24 (year-month-day)")

    def time(self, what: str = "this time") -> dt.time:
        value = self.raw(what)
        match = TIME.match(value)
        if match:
            hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
            if hour < 24 and minute < 60:
                return dt.time(hour, minute)
        self.fail(f"« {value} » is not a time: write it like 9:00 or 14:30")

    def choice(self, options: tuple[str, ...] | list[str], what: str, shown: str | None = None) -> str:
        value = self.raw(what)
        if value not in options:
            self.fail(f"« {value} » is not {what} ({shown or ', '.join(options)})")
        return value
