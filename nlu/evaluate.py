"""Intent and entity-value accuracy of a trained Rasa model on a held-out NLU test set.

    python -m nlu.evaluate --model bot/models/current.tar.gz --data nlu/test [--write docs/benchmarks.md]

The model is loaded in-process and parses every example of the test set (Rasa YAML, same format
as nlu/data). An expected entity counts as right when the parse has an entity of that name with
the expected normalised value (numbers compare numerically, text case- and accent-insensitively).
With --write, the section « ## NLU » of the given Markdown file is replaced (other sections are
kept; the file is created if missing).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

TARGET_INTENT = 0.95
TARGET_ENTITY = 0.90


@dataclass
class Case:
    text: str
    intent: str
    entities: list[tuple[str, str]]           # (entity, expected value)


@dataclass
class Result:
    case: Case
    predicted: str
    confidence: float
    entities: list[dict]
    missing: list[tuple[str, str]] = field(default_factory=list)


def load_cases(data: str) -> list[Case]:
    from rasa.shared.nlu.training_data.loading import load_data

    training_data = load_data(data)
    cases = []
    for message in training_data.intent_examples:
        entities = [(e["entity"], str(e.get("value", message.get("text")[e["start"]:e["end"]])))
                    for e in message.get("entities") or []]
        cases.append(Case(message.get("text"), message.get("intent"), entities))
    return cases


def _plain(value) -> str:
    text = unicodedata.normalize("NFKD", str(value).strip().lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def same_value(expected: str, got) -> bool:
    """Numbers compare numerically (« 1200 » == 1200.0); text ignores case and accents."""
    try:
        return abs(float(expected) - float(got)) < 1e-6
    except (TypeError, ValueError):
        return _plain(expected) == _plain(got)


def entity_found(expected: tuple[str, str], entities: list[dict]) -> bool:
    name, value = expected
    return any(e.get("entity") == name and same_value(value, e.get("value")) for e in entities)


async def _parse_all(model: str, cases: list[Case]) -> list[Result]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results = []
    for case in cases:
        parsed = await agent.parse_message(case.text)
        intent = parsed.get("intent") or {}
        result = Result(case, intent.get("name"), float(intent.get("confidence") or 0.0),
                        parsed.get("entities") or [])
        result.missing = [e for e in case.entities if not entity_found(e, result.entities)]
        results.append(result)
    return results


def evaluate(model: str, data: str) -> tuple[list[Result], float]:
    cases = load_cases(data)
    start = time.time()
    results = asyncio.run(_parse_all(model, cases))
    return results, time.time() - start


def summarise(results: list[Result]) -> dict:
    n = len(results)
    right = sum(r.predicted == r.case.intent for r in results)
    expected = sum(len(r.case.entities) for r in results)
    found = expected - sum(len(r.missing) for r in results)
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        per_intent[r.case.intent][1] += 1
        per_intent[r.case.intent][0] += r.predicted == r.case.intent
    per_entity: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for e in r.case.entities:
            per_entity[e[0]][1] += 1
            per_entity[e[0]][0] += e not in r.missing
    confusions = Counter((r.case.intent, r.predicted) for r in results if r.predicted != r.case.intent)
    return {
        "examples": n, "intent_accuracy": right / n if n else 0.0,
        "entities": expected, "entity_accuracy": found / expected if expected else 1.0,
        "per_intent": dict(per_intent), "per_entity": dict(per_entity), "confusions": confusions,
    }


def report(results: list[Result], summary: dict, model: str, data: str, seconds: float) -> str:
    lines = [
        f"Held-out set `{data}`: {summary['examples']} messages, {len(summary['per_intent'])} intents, "
        f"{summary['entities']} expected entity values. Model `{Path(model).name}` "
        f"(parsed in {seconds:.0f} s).",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| intent accuracy | {summary['intent_accuracy']:.3f} | ≥ {TARGET_INTENT} |",
        f"| entity-value accuracy | {summary['entity_accuracy']:.3f} | ≥ {TARGET_ENTITY} |",
        "",
        "The test set is written apart from the training data (tests/bot/test_nlu_data.py checks that no "
        "test message is in nlu/data), but its errors were read while the pipeline was developed, so "
        "these figures are somewhat optimistic: the hidden set is the real check.",
        "",
        "Per intent (right / total): " + ", ".join(
            f"`{k}` {v[0]}/{v[1]}" for k, v in sorted(summary["per_intent"].items())),
        "",
        "Per entity (right / expected): " + ", ".join(
            f"`{k}` {v[0]}/{v[1]}" for k, v in sorted(summary["per_entity"].items())),
        "",
    ]
    if summary["confusions"]:
        lines.append("Worst confusions (expected → predicted: count):")
        lines.append("")
        for (expected, predicted), count in summary["confusions"].most_common(10):
            lines.append(f"- `{expected}` → `{predicted}`: {count}")
        lines.append("")
    wrong = [r for r in results if r.predicted != r.case.intent]
    if wrong:
        lines.append("Misclassified messages:")
        lines.append("")
        for r in wrong[:40]:
            lines.append(f"- « {r.case.text} »: expected `{r.case.intent}`, got `{r.predicted}` "
                         f"({r.confidence:.2f})")
        lines.append("")
    missed = [r for r in results if r.missing]
    if missed:
        lines.append("Missed entity values:")
        lines.append("")
        for r in missed[:40]:
            got = ", ".join(f"{e.get('entity')}={e.get('value')}" for e in r.entities) or "nothing"
            want = ", ".join(f"{n}={v}" for n, v in r.missing)
            lines.append(f"- « {r.case.text} »: expected {want}; got {got}")
        lines.append("")
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    """Replace the « ## NLU » section of `path` (up to the next « ## » heading) with `body`."""
    section = "## NLU\n\n" + body.rstrip() + "\n\nReproduce: `make model && .venv-bot/bin/python -m nlu.evaluate " \
              "--model bot/models/current.tar.gz --data nlu/test`.\n"
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n"
    pattern = re.compile(r"^## NLU\s*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bot/models/current.tar.gz")
    parser.add_argument("--data", default="nlu/test")
    parser.add_argument("--write", help="Markdown file whose « ## NLU » section is replaced")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    try:  # Rasa logs every parse through structlog at debug level
        import structlog
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    except ImportError:  # pragma: no cover
        pass
    if not Path(args.model).exists():
        print(f"No model at {args.model}: run `make model` first.", file=sys.stderr)
        return 2
    results, seconds = evaluate(args.model, args.data)
    summary = summarise(results)
    text = report(results, summary, args.model, args.data, seconds)
    print(text)
    if args.write:
        write_section(Path(args.write), text)
        print(f"Section « ## NLU » written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
