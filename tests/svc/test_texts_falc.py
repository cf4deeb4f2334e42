"""Every text the assistant says (knowledge/, territories included) follows FALC basics: short sentences, acronyms
explained the first time a file uses them, no negation stacked on negation; and every question
names what it asks with a field of the chat contract."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
MAX_WORDS = 20
PLAIN_CAPITALS = {"STOP", "SUPPRIMER", "AIDE", "START", "ARRET", "HELP", "OK", "SMS", "QR", "OUI"}
ASKS = {"consent", "age", "couple", "partner_age", "children", "children_ages", "commune", "housing_status",
        "rent", "activity", "salary", "unemployment", "pension", "other_income", "partner_income",
        "disability", "single_parent_recent", "alimony", "appointment_slot", "phone",
        # our additions (docs/conversation.md)
        "pregnant", "self_employed", "self_employed_kind", "student_grant", "partner_activity", "work_restriction",
        "partner_disability", "partner_work_restriction", "couple_type", "recap"}
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,}\b")
NEGATORS = re.compile(r"\b(ne|n'|sans|non)\b(?!-)", re.IGNORECASE)  # « non-recours » is a noun


def strings(node, path=""):
    """(path, text) of every person-facing string of a knowledge file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"payload", "url", "ask", "id", "period", "code", "codes", "communes", "phone",
                       "conditions", "day", "from", "to", "first_date", "starts", "ends", "holidays"}:
                continue
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")
    elif isinstance(node, str) and " " in node.strip():
        yield path, node


def person_facing_files():
    files = (sorted((KNOWLEDGE / "texts").glob("*.yml")) + [KNOWLEDGE / "benefits.yml"]
             + [KNOWLEDGE / "staff" / "poster.yml"] + sorted((KNOWLEDGE / "territories").glob("*.yml")))
    return [f for f in files if f.exists()]


def sentences(text: str):
    text = re.sub(r"\{[^}]*\}", "X", text)             # placeholders count as one word
    text = re.sub(r"(\d)[.,](\d)", r"\1\2", text)        # 1.350 or 2,5 are not sentence ends
    for sentence in re.split(r"(?<=[.!?…])\s+|\n+", text):
        if sentence.strip():
            yield sentence.strip()


@pytest.fixture(scope="module", params=person_facing_files(), ids=lambda f: f.name)
def knowledge_file(request):
    return request.param, yaml.safe_load(request.param.read_text(encoding="utf-8"))


def test_sentences_are_short(knowledge_file):
    path, content = knowledge_file
    long = [(where, s) for where, text in strings(content) for s in sentences(text)
            if len(re.findall(r"[\wÀ-ÿ'’-]+", s)) > MAX_WORDS]
    assert not long, f"{path.name}: sentences over {MAX_WORDS} words: {long}"


def test_acronyms_are_explained_on_first_use(knowledge_file):
    path, content = knowledge_file
    seen, unexplained = set(), []
    for where, text in strings(content):
        for match in ACRONYM.finditer(text):
            word = match.group()
            if word in PLAIN_CAPITALS or word in seen:
                continue
            seen.add(word)
            after = text[match.end():match.end() + 2]
            inside_parentheses = text[:match.start()].rstrip().endswith("(") or after.startswith(")")
            if not (after.startswith(" (") or inside_parentheses):
                unexplained.append((where, word))
    assert not unexplained, f"{path.name}: acronyms used before being explained: {unexplained}"


def test_no_negation_stacked_on_negation(knowledge_file):
    path, content = knowledge_file
    stacked = [(where, s) for where, text in strings(content) for s in sentences(text)
               if len(NEGATORS.findall(s)) > 1]
    assert not stacked, f"{path.name}: double negations: {stacked}"


def test_every_question_asks_a_contract_field():
    texts = {}
    for file in sorted((KNOWLEDGE / "texts").glob("*.yml")):
        texts.update(yaml.safe_load(file.read_text(encoding="utf-8")))
    questions = {name: entry for name, entry in texts.items() if name.startswith("question_")}
    assert questions
    for name, entry in questions.items():
        assert entry.get("ask") in ASKS, f"{name} asks {entry.get('ask')!r}"
        assert entry.get("reask", "").strip(), f"{name} has no example to re-ask with"
    declared = {entry.get("ask") for entry in texts.values() if entry.get("ask")}
    assert declared <= ASKS
