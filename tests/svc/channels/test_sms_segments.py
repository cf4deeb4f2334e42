"""Every text of knowledge/ as the SMS channel sends it (GSM-7, numbered choices « Répondez 1 ou 2 »),
with its placeholders filled with real values (every benefit of benefits.yml, the national contact)
or long plausible ones: each fits in 2 segments, except the exceptions listed here with their reason,
which are cut at sentence ends into SMS of 2 segments at most."""
from __future__ import annotations

import string
from collections.abc import Iterator

import pytest

from channels.gsm7 import is_gsm7, segments
from channels.messages import BotMessage, Button
from channels.render import SMS, render_one
from channels.sms.adapter import pack_sms
from knowledge import KNOWLEDGE_DIR, load, read_yaml

# name of the text -> why it may take more than 2 segments
EXCEPTIONS = {
    "human_contact": "{contact} is the national contact of knowledge/contacts.yml (number, opening hours, "
                     "France Services): about 200 characters on its own; sent as 2 SMS, cut at the sentence end",
}
# Long plausible values for what the services fill in.
VALUES = {"amount": "1 234", "total": "2 345", "low": "1 234", "high": "1 567",
          "depends": "vos revenus, votre loyer et la pension alimentaire", "resources": "1 234 €",
          "guaranteed": "1 567 €"}


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict[str, str]) -> str:
    return string.Formatter().vformat(template, (), _Keep(values))


def variants(template: str) -> Iterator[str]:
    """The template filled in every way the assistant fills it."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = dict(VALUES, contact=str(load("contacts")["national"]["text"]).strip())
    if not fields & {"name", "who", "summary", "why"}:
        yield fill(template, values)
        return
    benefits = read_yaml(KNOWLEDGE_DIR / "benefits.yml") or {}
    assert benefits, "knowledge/benefits.yml has no benefit"
    for benefit in benefits.values():
        name = max(str(benefit.get("name", "")), str(benefit.get("short_name", "")), key=len)
        whys = [fill(str(why), values) for why in (benefit.get("why") or {}).values()] or [""]
        for why in whys if "why" in fields else [""]:
            yield fill(template, dict(values, name=name, who=str(benefit["how_to_claim"]["who"]),
                                      summary=str(benefit.get("summary", "")), why=why))


def sms_renderings() -> Iterator[tuple[str, str]]:
    """(name.field, text as sent by SMS) for every text and re-ask of knowledge/texts."""
    for name, entry in load("texts").items():
        buttons = tuple(Button(str(b["title"]), str(b["payload"])) for b in entry.get("buttons") or [])
        for field in ("text", "reask"):
            if entry.get(field):
                for text in variants(str(entry[field]).strip()):
                    yield f"{name}.{field}", render_one(BotMessage(text, buttons, entry.get("ask")), SMS).text


RENDERINGS = list(sms_renderings())


def test_every_text_is_checked():
    names = {where.split(".")[0] for where, _ in RENDERINGS}
    assert names == set(load("texts")) and len(RENDERINGS) > len(names)


def test_every_sms_text_fits_in_two_segments_except_the_listed_ones():
    over = {}
    for where, text in RENDERINGS:
        count, encoding = segments(text)
        assert encoding == "GSM-7" and is_gsm7(text), f"{where} is not GSM-7: {text!r}"
        if count > 2:
            over.setdefault(where.split(".")[0], max(count, over.get(where.split(".")[0], 0)))
    assert set(over) == set(EXCEPTIONS), (
        f"texts over 2 SMS segments: {over}; shorten them, or list them in EXCEPTIONS with the reason")


@pytest.mark.parametrize("name", sorted(EXCEPTIONS))
def test_the_exceptions_are_cut_into_sms_of_two_segments(name):
    texts = [text for where, text in RENDERINGS if where.startswith(f"{name}.")]
    assert texts
    for text in texts:
        parts = pack_sms([text])
        assert len(parts) > 1 and all(segments(part)[0] <= 2 for part in parts)
        assert all(part[-1] in ".?!" for part in parts[:-1])        # cut at sentence ends
        assert "\n".join(parts).replace("\n", " ") == text.replace("\n", " ")

