"""Content as data: benefit texts, the bot's messages, answers to doubts, territories.

Everything here is YAML that a non-developer can edit. This module only reads it; it runs on both
runtimes (Python 3.10 for the action server, 3.11 for the API) and needs PyYAML only.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent


class KnowledgeError(ValueError):
    """A knowledge file is missing or malformed; the message names the file (and line when known)."""


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise KnowledgeError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise KnowledgeError(f"{path}{where}: {getattr(error, 'problem', error)}") from error


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """`load("benefits")` reads knowledge/benefits.yml; `load("texts")` merges knowledge/texts/*.yml."""
    file = KNOWLEDGE_DIR / f"{name}.yml"
    if file.exists():
        return read_yaml(file)
    folder = KNOWLEDGE_DIR / name
    if not folder.is_dir():
        raise KnowledgeError(f"{file}: file not found")
    merged: dict[str, Any] = {}
    for part in sorted(folder.glob("*.yml")):
        content = read_yaml(part) or {}
        if not isinstance(content, dict):
            raise KnowledgeError(f"{part}: expected a mapping of names to entries")
        duplicates = merged.keys() & content.keys()
        if duplicates:
            raise KnowledgeError(f"{part}: names already defined elsewhere: {', '.join(sorted(duplicates))}")
        merged.update(content)
    return merged
