"""Dated parameter values OpenFisca-France does not have yet, from knowledge/parameters/*.yml.

Each file lists values, each with the OpenFisca parameter it dates, its start date, its value and
its source (the legal text or the official page that gives it):

    - parameter: prestations_sociales.solidarite_insertion.minima_sociaux.cs.cmu.plafond_base
      start: 2025-04-01
      value: 10339
      source:
        title: ...
        url: https://...

They are read (and checked) when the service starts, and added to the tax-benefit system when it
loads, in the API process or in the simulation process. A value is only added after the last date
OpenFisca knows: once OpenFisca has a value on or after `start`, the overlay is obsolete and ignored
(the log says so), so that upgrading OpenFisca never goes back to an older figure. A broken file
stops the service with its file and line (`OverlayError`).

This module reads YAML only; `apply_overlays` receives the loaded tax-benefit system.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

log = logging.getLogger("api.eligibility")

PARAMETERS_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "parameters"
_FIELDS = {"parameter", "start", "value", "source", "note"}


class OverlayError(ValueError):
    """A parameter overlay file is broken; the message gives its file and line."""


@dataclass(frozen=True)
class Overlay:
    parameter: str  # dotted OpenFisca path
    start: str  # YYYY-MM-DD
    value: float
    source_title: str
    source_url: str
    file: str
    line: int

    def public(self) -> dict:
        """How `computed_with` shows it."""
        return {"parameter": self.parameter, "start": self.start, "value": self.value,
                "source": {"title": self.source_title, "url": self.source_url}}


def read_overlays(directory: Path | None = None) -> list[Overlay]:
    """Every overlay of the folder's *.yml files, checked; OverlayError with file and line if not."""
    folder = Path(directory) if directory is not None else PARAMETERS_DIR
    if not folder.is_dir():
        return []
    overlays: list[Overlay] = []
    seen: dict[tuple[str, str], Overlay] = {}
    for path in sorted(folder.glob("*.yml")):
        for overlay in _read_file(path):
            key = (overlay.parameter, overlay.start)
            if key in seen:
                first = seen[key]
                raise OverlayError(f"{path}:{overlay.line}: {overlay.parameter} from {overlay.start} is already "
                                   f"given in {first.file}:{first.line}")
            seen[key] = overlay
            overlays.append(overlay)
    return overlays


def _read_file(path: Path) -> list[Overlay]:
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise OverlayError(f"{path}{where}: not valid YAML: {getattr(error, 'problem', error)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OverlayError(f"{path}: cannot be read: {error}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise OverlayError(f"{path}:{root.start_mark.line + 1}: expected a list of values (lines starting with « - »)")
    overlays = []
    for node in root.value:
        line = node.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(node, yaml.MappingNode):
            raise OverlayError(f"{where}: each value is a mapping with parameter, start, value and source")
        entry = yaml.safe_load(yaml.serialize(node))
        unknown = set(entry) - _FIELDS
        if unknown:
            raise OverlayError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                               f"expected {', '.join(sorted(_FIELDS))}")
        for name in ("parameter", "start", "value", "source"):
            if entry.get(name) in (None, ""):
                raise OverlayError(f"{where}: missing « {name} »")
        parameter = entry["parameter"]
        if not isinstance(parameter, str) or not all(part.isidentifier() for part in parameter.split(".")):
            raise OverlayError(f"{where}: « parameter » must be a dotted OpenFisca path, got {parameter!r}")
        start = entry["start"]
        if isinstance(start, str):
            try:
                start = dt.date.fromisoformat(start)
            except ValueError:
                start = None
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            raise OverlayError(f"{where}: « start » must be a date such as 2025-04-01")
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise OverlayError(f"{where}: « value » must be a number, got {value!r}")
        source = entry["source"]
        if (not isinstance(source, dict) or not source.get("title") or not str(source.get("url", "")).startswith(
                "https://")):
            raise OverlayError(f"{where}: « source » needs a title and an https url (the legal text or official page)")
        overlays.append(Overlay(parameter, start.isoformat(), float(value), str(source["title"]),
                                str(source["url"]), str(path), line))
    return overlays


def apply_overlays(tax_benefit_system, overlays: list[Overlay]) -> list[Overlay]:  # noqa: ANN001
    """Add the overlays newer than OpenFisca's own values; returns those applied."""
    from openfisca_core.parameters import Parameter

    applied = []
    for overlay in overlays:
        node = tax_benefit_system.parameters
        for part in overlay.parameter.split("."):
            children = getattr(node, "children", None)
            if children is None or part not in children:
                raise OverlayError(f"{overlay.file}:{overlay.line}: OpenFisca has no parameter {overlay.parameter}")
            node = children[part]
        if not isinstance(node, Parameter):
            raise OverlayError(f"{overlay.file}:{overlay.line}: {overlay.parameter} is a group or a scale, "
                               "not a single value")
        latest = max((value.instant_str for value in node.values_list), default="")
        if latest >= overlay.start:
            log.warning("Parameter overlay %s from %s ignored: OpenFisca already has a value from %s (%s:%d)",
                        overlay.parameter, overlay.start, latest, overlay.file, overlay.line)
            continue
        node.update(start=overlay.start, value=overlay.value)
        applied.append(overlay)
    if applied:
        tax_benefit_system._parameters_at_instant_cache = {}
    return applied
