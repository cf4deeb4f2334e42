"""One territory file → a checked `Territory` (the fields are explained in knowledge/territories/README.md).

Every mistake raises `TerritoryError` naming the file and the line of the offending value.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Collection, get_args

from api.eligibility.benefits import SPECS
from api.eligibility.schema import Activity, HousingStatus
from api.territories.holidays import CALENDARS
from api.territories.model import (
    WEEKDAYS,
    Closure,
    Condition,
    LocalAid,
    Opening,
    Place,
    Territory,
    TerritoryError,
)
from api.territories.nodes import Node, compose

INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
PHONE = re.compile(r"^(0[1-9]\d{8}|\+33[1-9]\d{8}|3\d{3})$")
PERIODS = ("month", "year", "once")
NATIONAL_BENEFITS = tuple(spec.id for spec in SPECS)
HOUSING_STATUSES = get_args(HousingStatus)
ACTIVITIES = get_args(Activity)
HOUSEHOLDS = ("single", "single_parent", "couple", "couple_with_children", "with_children", "without_children")
AGE_WHO = ("anyone", "adult", "child")
CONDITIONS = ("age", "children", "household", "housing", "activity", "max_monthly_resources", "requires",
              "requires_any", "case_by_case")

TOP_FIELDS = ("id", "name", "communes", "phone", "contact", "what_to_bring", "places", "openings", "holidays")
OPTIONAL_TOP_FIELDS = ("closures", "local_aids")


def display_name(path: Path) -> str:
    """The file as people know it: relative to the project when it is inside it."""
    from api.core.config import ROOT

    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def read_territory(path: Path, known_communes: Collection[str] | None = None) -> tuple[Territory, dict[str, int]]:
    """The territory of one file, and the line of each of its communes."""
    file = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TerritoryError(f"{file}, line 1: cannot read the file ({error})") from None
    fields = compose(text, file).mapping(TOP_FIELDS, OPTIONAL_TOP_FIELDS, "the territory")

    territory_id = fields["id"].identifier("territory id")
    if territory_id != path.stem:
        fields["id"].fail(f"the id « {territory_id} » should be the file name « {path.stem} »")
    communes = _communes(fields["communes"], known_communes)
    phone = fields["phone"].text("phone")
    if not PHONE.match(re.sub(r"[\s.\-]", "", phone)):
        fields["phone"].fail(f"« {phone} » is not a French phone number (like 03 83 00 00 00)")
    places = _places(fields["places"])
    openings = _openings(fields["openings"], places)
    closures = [_closure(item, places) for item in fields["closures"].sequence("closures")] if "closures" in fields else []
    territory = Territory(
        id=territory_id,
        name=fields["name"].text("name"),
        communes=frozenset(communes),
        places=places,
        phone=phone,
        contact=fields["contact"].text("contact"),
        what_to_bring=[item.text("a document to bring") for item in
                       fields["what_to_bring"].sequence("what_to_bring", allow_empty=False)],
        local_aids=_local_aids(fields["local_aids"], territory_id) if "local_aids" in fields else [],
        openings=openings,
        closures=closures,
        holidays=fields["holidays"].choice(CALENDARS, "a holiday calendar", "france or alsace_moselle"),
        file=file,
    )
    return territory, communes


def _communes(node: Node, known: Collection[str] | None) -> dict[str, int]:
    communes: dict[str, int] = {}
    for item in node.sequence("communes", allow_empty=False):
        code = item.raw("a commune code").upper()
        if not INSEE.match(code):
            item.fail(f"« {code} » is not an INSEE commune code (5 characters, like \"54395\" for Nancy)")
        if code in communes:
            item.fail(f"the commune {code} is listed twice (first on line {communes[code]})")
        if known is not None and code not in known:
            item.fail(f"« {code} » is not in the official list of communes")
        communes[code] = item.line
    return communes


def _places(node: Node) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for place_id, (key, value) in node.entries("places").items():
        key.identifier("place id")
        fields = value.mapping(("name", "address", "access", "accessibility"), ("landmark",), f"the place {place_id}")
        access = fields["accessibility"].mapping(("wheelchair",), ("notes",), "accessibility")
        wheelchair = access["wheelchair"].boolean("wheelchair")
        sentence = "Accessible en fauteuil roulant." if wheelchair else "Pas d'accès en fauteuil roulant."
        if "notes" in access:
            sentence += " " + access["notes"].text("accessibility notes")
        places[place_id] = Place(
            id=place_id, name=fields["name"].text("name"), address=fields["address"].text("address"),
            access=fields["access"].text("access"), accessibility=sentence,
            landmark=fields["landmark"].text("landmark") if "landmark" in fields else "", wheelchair=wheelchair)
    if not places:
        node.fail("a territory needs at least one place")
    return places


def _place_ref(node: Node, places: dict[str, Place]) -> Place:
    place_id = node.raw("place")
    if place_id not in places:
        node.fail(f"« {place_id} » is not a place of this territory (places: {', '.join(places)})")
    return places[place_id]


def _openings(node: Node, places: dict[str, Place]) -> list[Opening]:
    openings: dict[str, Opening] = {}
    for item in node.sequence("openings"):
        fields = item.mapping(("id", "place", "day", "from", "to", "slot_minutes", "capacity"),
                              ("every", "first_date", "starts", "ends", "label"), "this opening")
        opening_id = fields["id"].identifier("opening id")
        if opening_id in openings:
            fields["id"].fail(f"two openings have the id « {opening_id} »")
        day = fields["day"].raw("day").lower()
        if day not in WEEKDAYS:
            fields["day"].fail(f"« {fields['day'].raw()} » is not a day (lundi ... dimanche)")
        start, end = fields["from"].time("from"), fields["to"].time("to")
        if start >= end:
            fields["from"].fail(f"the opening starts at {start:%H:%M}, which is not before its end ({end:%H:%M})")
        length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        slot_minutes = fields["slot_minutes"].integer("slot_minutes", minimum=5)
        if length % slot_minutes:
            fields["slot_minutes"].fail(f"slots of {slot_minutes} minutes do not fit exactly in "
                                        f"{start:%H:%M}-{end:%H:%M} ({length} minutes)")
        every = fields["every"].integer("every", minimum=1, maximum=4) if "every" in fields else 1
        first_date = fields["first_date"].date("first_date") if "first_date" in fields else None
        if every > 1 and first_date is None:
            fields["every"].fail(f"« every: {every} » needs a first_date (the date of one opening day)")
        if first_date is not None and every == 1:
            fields["first_date"].fail("first_date is only used with « every: 2 » (every other week)")
        if first_date is not None and first_date.weekday() != WEEKDAYS.index(day):
            fields["first_date"].fail(f"{first_date.isoformat()} is a {WEEKDAYS[first_date.weekday()]}, "
                                      f"not a {day}")
        starts = fields["starts"].date("starts") if "starts" in fields else None
        ends = fields["ends"].date("ends") if "ends" in fields else None
        if starts and ends and ends < starts:
            fields["ends"].fail(f"the opening ends ({ends.isoformat()}) before it starts ({starts.isoformat()})")
        openings[opening_id] = Opening(
            id=opening_id, place=_place_ref(fields["place"], places), day=day, start=start, end=end,
            slot_minutes=slot_minutes, capacity=fields["capacity"].integer("capacity", minimum=1),
            every=every, first_date=first_date, starts=starts, ends=ends,
            label=fields["label"].text("label") if "label" in fields else "")
    return list(openings.values())


def _closure(node: Node, places: dict[str, Place]) -> Closure:
    fields = node.mapping(("from", "to", "reason"), ("place",), "this closure")
    start, end = fields["from"].date("from"), fields["to"].date("to")
    if end < start:
        fields["to"].fail(f"the closure ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    place = _place_ref(fields["place"], places).id if "place" in fields else None
    return Closure(start=start, end=end, reason=fields["reason"].text("reason"), place=place)


def _local_aids(node: Node, territory_id: str) -> list[LocalAid]:
    aids: dict[str, LocalAid] = {}
    for item in node.sequence("local_aids"):
        fields = item.mapping(("name", "title", "summary", "period", "amount", "conditions", "why", "how_to_claim"),
                              (), "this local aid")
        name = fields["name"].identifier("aid name")
        if name in aids:
            fields["name"].fail(f"two local aids are named « {name} »")
        amount_node = fields["amount"]
        why = fields["why"].mapping(("eligible", "not_eligible", "uncertain"), (), "why")
        claim = fields["how_to_claim"].mapping(("who", "where", "url"), ("documents",), "how_to_claim")
        url = claim["url"].raw("url")
        if not url.startswith("https://"):
            claim["url"].fail(f"« {url} » should be a web address starting with https://")
        aids[name] = LocalAid(
            id=f"local.{territory_id}.{name}", name=name, title=fields["title"].text("title"),
            summary=fields["summary"].text("summary"),
            period=fields["period"].choice(PERIODS, "a period", "month, year or once"),
            amount=None if amount_node.is_null() else amount_node.number("amount"),
            conditions=_conditions(fields["conditions"]),
            why={key: value.text(f"why.{key}") for key, value in why.items()},
            how_to_claim={"who": claim["who"].text("who"), "where": claim["where"].text("where"),
                          "documents": [d.text("a document") for d in claim["documents"].sequence("documents")]
                          if "documents" in claim else [], "url": url})
    return list(aids.values())


def _conditions(node: Node) -> tuple[Condition, ...]:
    if node.is_null():
        return ()
    conditions = []
    for kind, value in node.mapping((), CONDITIONS, "conditions").items():
        conditions.append(Condition(kind, _condition_value(kind, value), value.line))
    return tuple(conditions)


def _range(node: Node, what: str, extra: tuple[str, ...] = ()) -> dict:
    fields = node.mapping((), ("min", "max") + extra, what)
    bounds = {key: fields[key].integer(f"{what}.{key}", minimum=0, maximum=120) for key in ("min", "max")
              if key in fields}
    if not bounds:
        node.fail(f"{what} needs a min, a max or both (like {{min: 11, max: 25}})")
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        fields["max"].fail(f"{what}: max ({bounds['max']}) is below min ({bounds['min']})")
    return bounds | {key: fields[key] for key in extra if key in fields}


def _choices(node: Node, options: tuple[str, ...], what: str) -> tuple[str, ...]:
    """One value or a list of values, each among the options."""
    items = [node] if node.is_scalar() else node.sequence(what, allow_empty=False)
    return tuple(item.choice(options, what) for item in items)


def _condition_value(kind: str, node: Node):  # noqa: ANN202
    if kind == "age":
        bounds = _range(node, "age", ("who",))
        who = bounds.pop("who", None)
        return bounds | {"who": who.choice(AGE_WHO, "a kind of person", "anyone, adult or child") if who else "anyone"}
    if kind == "children":
        return _range(node, "children")
    if kind == "household":
        return _choices(node, HOUSEHOLDS, "a household kind")
    if kind == "housing":
        return _choices(node, HOUSING_STATUSES, "a housing status")
    if kind == "activity":
        return _choices(node, ACTIVITIES, "an activity")
    if kind == "max_monthly_resources":
        return node.number("max_monthly_resources")
    if kind in ("requires", "requires_any"):
        return _choices(node, NATIONAL_BENEFITS, "a national benefit id")
    if not node.boolean("case_by_case"):
        node.fail("case_by_case is either « true » or absent")
    return True
