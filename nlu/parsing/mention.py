"""A fact found in a message: what `extract_entities` turns into one Rasa entity."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mention:
    """`entity` with its normalised `value`, found at [start, end) of the normalised text, with the
    entity's detail keys in `extra` (see docs/conversation.md)."""

    entity: str
    value: Any
    start: int
    end: int
    extra: dict[str, Any] = field(default_factory=dict)
