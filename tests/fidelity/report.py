"""Figures of a fidelity run: the summary, by category of household and by field, the most frequent
failure patterns with one example each, and the JSON report (every failing conversation with its
transcript and its differences)."""
from __future__ import annotations

import json
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests.fidelity.compare import LABELS, pattern
from tests.fidelity.player import Played
from tests.fidelity.truth import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]


def commit() -> str:
    """The commit played, and whether the conversation's code had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "actions", "nlu", "bot", "knowledge"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + (" (+ uncommitted changes in actions/nlu/bot/knowledge)" if dirty else "")
    except OSError:
        return "?"


def model() -> str:
    """The trained model the stack loads."""
    from tests.stack import MODEL
    return MODEL.resolve().name if MODEL.exists() else "missing"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def summarise(played: list[Played]) -> dict[str, Any]:
    total = len(played)
    statuses = Counter(p.status for p in played)
    labels = Counter(d["label"] for p in played for d in p.differences if p.estimated)
    conversations_with = {label: sum(1 for p in played if p.estimated and label in p.labels()) for label in LABELS}
    unexpected = Counter(ask for p in played for ask in p.persona.unexpected)
    by_category: dict[str, dict[str, Any]] = {}
    for category in CATEGORIES:
        group = [p for p in played if p.truth.category == category]
        if not group:
            continue
        by_category[category] = {
            "conversations": len(group),
            "exact": sum(1 for p in group if p.status == "exact"),
            **{label: sum(1 for p in group if p.estimated and label in p.labels()) for label in LABELS},
            "never estimated": sum(1 for p in group if p.status == "never estimated"),
        }
    by_field: dict[str, Counter] = defaultdict(Counter)
    for p in played:
        if p.estimated:
            for d in p.differences:
                by_field[d["field"].replace("adults[0].", "").replace("adults[1].", "partner.")][d["label"]] += 1
    patterns: Counter = Counter()
    examples: dict[str, dict[str, Any]] = {}
    for p in played:
        if not p.estimated:
            key = f"never estimated: {p.outcome.split(' (')[0] if not p.outcome.startswith('error') else 'error'}"
            patterns[key] += 1
            examples.setdefault(key, _example(p, None))
            continue
        for d in p.differences:
            key = pattern(d)
            patterns[key] += 1
            examples.setdefault(key, _example(p, d))
    outcomes = Counter(p.outcome if not p.outcome.startswith("error") else "error" for p in played)
    silent = sum(p.silent_replies for p in played)
    return {
        "conversations": total,
        "exact": statuses["exact"], "exact_rate": round(statuses["exact"] / total, 4) if total else 0.0,
        "with_differences": statuses["different"], "never_estimated": statuses["never estimated"],
        "differences": dict(labels), "conversations_with": conversations_with,
        "unexpected_questions": dict(unexpected),
        "conversations_with_unexpected_questions": sum(1 for p in played if p.persona.unexpected),
        "outcomes": dict(outcomes),
        "silent_replies": {"messages": silent, "conversations": sum(1 for p in played if p.silent_replies)},
        "messages": {"total": sum(p.sent for p in played),
                     "mean": round(sum(p.sent for p in played) / total, 1) if total else 0,
                     "max": max((p.sent for p in played), default=0)},
        "by_category": by_category,
        "by_field": {k: dict(v) for k, v in sorted(by_field.items(), key=lambda kv: -sum(kv[1].values()))},
        "patterns": [{"pattern": k, "count": n, "example": examples[k]} for k, n in patterns.most_common()],
    }


def _example(p: Played, difference: dict[str, Any] | None) -> dict[str, Any]:
    """One example: the person's messages that carried the field, what was sent and the truth."""
    person = [t["text"] for t in p.transcript if t["who"] == "person"]
    example: dict[str, Any] = {"conversation": p.truth.id, "category": p.truth.category}
    if difference is None:
        example["outcome"] = p.outcome
        example["last_bot_messages"] = [t["text"] for t in p.transcript if t["who"] == "bot"][-2:]
        example["last_person_messages"] = person[-3:]
        return example
    example.update(field=difference["field"], expected=difference["expected"], sent=difference["sent"])
    example["answer"] = _answer_for(p, difference["field"])
    return example


ASKS_OF_FIELD = {
    "commune": ["commune"], "housing.status": ["housing_status"], "housing.rent": ["rent", "housing_status"],
    "housing.charges": ["rent"], "couple": ["couple"],
    "children": ["children_ages", "children", "couple"], "single_parent_recent": ["single_parent_recent"],
    "pregnant": ["pregnant"], "adults[0].age": ["age", "couple"], "adults[0].activity": ["activity"],
    "adults[0].incomes.salary": ["salary", "activity"], "adults[0].incomes.unemployment": ["unemployment", "activity"],
    "adults[0].incomes.pension": ["pension"], "adults[0].incomes.alimony": ["alimony"],
    "adults[0].incomes.other": ["other_income"], "adults[0].incomes.disability_pension": ["other_income"],
    "adults[0].disability_rate": ["disability", "activity"], "adults[0].work_restriction": ["work_restriction"],
    "adults[0].student_grant": ["student_grant"], "adults[0].self_employed.turnover": ["self_employed"],
    "adults[0].self_employed.kind": ["self_employed_kind"], "adults[1].age": ["partner_age", "couple"],
    "adults[1].activity": ["partner_activity", "partner_income"], "adults[1].disability_rate": ["partner_disability"],
    "adults[1].work_restriction": ["partner_work_restriction"], "couple_type": ["couple", "couple_type"],
}


def _answer_for(p: Played, field: str) -> list[str]:
    """The question(s) that ask for `field` and what the person answered (at most 2 exchanges)."""
    asks = ASKS_OF_FIELD.get(field) or (["partner_income"] if field.startswith("adults[1].incomes") else [])
    found = []
    last_ask = None
    for t in p.transcript:
        if t["who"] == "bot" and t.get("ask"):
            last_ask = t["ask"]
        elif t["who"] == "person" and last_ask in asks:
            found.append(f"{last_ask} → « {t['text']} »")
    correction = p.persona.script.correction
    if correction and p.persona.correction_given_at and CORRECTED_FIELD[correction[0]] == field:
        found = found[:2] + [f"correction ({p.persona.correction_given_at}): « {_correction_text(p)} »"]
    opener = next((t["text"] for t in p.transcript if t["who"] == "person"), "")
    return found[:3] or [f"(never asked; first message « {opener} »)"]


CORRECTED_FIELD = {"rent": "housing.rent", "age": "adults[0].age", "salary": "adults[0].incomes.salary",
                   "children": "children"}


def _correction_text(p: Played) -> str:
    """The persona's correction: its message after the result, or the one that answered no question."""
    person = [t["text"] for t in p.transcript if t["who"] == "person"]
    wrong = str(int(p.persona.script.correction[1]))
    return next((text for text in reversed(person) if wrong in text and text != wrong), "?")


def write_json(path: Path, meta: dict[str, Any], summary: dict[str, Any], played: list[Played],
               skipped: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {"meta": meta, "summary": summary,
              "not_played": [getattr(t, "id", t) for t in skipped],
              "failing": [p.report(with_transcript=True) for p in played if p.status != "exact"],
              "exact": [p.report(with_transcript=False) for p in played if p.status == "exact"]}
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))


def table(summary: dict[str, Any], meta: dict[str, Any], top: int = 12) -> str:
    s = summary
    n = s["conversations"]
    lines = [
        f"Fidelity: {n} conversations (seed {meta.get('seed')}, {meta.get('commit', '?')}, model "
        f"{meta.get('model', '?')}) in {meta.get('duration_s', 0) / 60:.1f} min",
        f"  exact {s['exact']} ({_pct(s['exact'], n)}) | with differences {s['with_differences']} | "
        f"never estimated {s['never_estimated']} | unexpected questions {sum(s['unexpected_questions'].values())} "
        f"in {s['conversations_with_unexpected_questions']} conversations {s['unexpected_questions'] or ''}",
        "  differences: " + ", ".join(f"{label} {s['differences'].get(label, 0)} (in {s['conversations_with'][label]} "
                                      f"conversations)" for label in LABELS),
        f"  messages per conversation: mean {s['messages']['mean']}, max {s['messages']['max']}; messages answered "
        f"with nothing: {s['silent_replies']['messages']} in {s['silent_replies']['conversations']} conversations",
        f"  outcomes: {s['outcomes']}",
        "",
        f"  {'category':<28}{'n':>5}{'exact':>8}{'wrong':>7}{'missed':>8}{'extra':>7}{'n.asked':>9}{'never':>7}",
    ]
    for category, c in s["by_category"].items():
        lines.append(f"  {category:<28}{c['conversations']:>5}{_pct(c['exact'], c['conversations']):>8}"
                     f"{c['wrong value']:>7}{c['missed']:>8}{c['extra']:>7}{c['not asked']:>9}{c['never estimated']:>7}")
    lines += ["", f"  {'field (differences)':<36}{'wrong':>7}{'missed':>8}{'extra':>7}{'n.asked':>9}"]
    for field_, c in s["by_field"].items():
        lines.append(f"  {field_:<36}{c.get('wrong value', 0):>7}{c.get('missed', 0):>8}{c.get('extra', 0):>7}"
                     f"{c.get('not asked', 0):>9}")
    if meta.get("stack_errors"):
        lines += ["", "  errors logged by the stack (most frequent):"]
        lines += [f"  {n:>6}  {line}" for line, n in meta["stack_errors"].items()]
    lines += ["", "  most frequent failure patterns:"]
    for entry in s["patterns"][:top]:
        lines.append(f"  {entry['count']:>5}  {entry['pattern']}")
        lines.append(f"         e.g. {json.dumps(entry['example'], ensure_ascii=False)[:300]}")
    return "\n".join(lines)


def markdown(summary: dict[str, Any], meta: dict[str, Any], top: int = 5) -> str:
    """The figures as the « Fidelity » section of docs/benchmarks.md shows them."""
    s = summary
    n = s["conversations"]
    with_ = s["conversations_with"]
    lines = [
        "| measure | value |", "|---|---|",
        f"| conversations | {n} ({s['messages']['mean']} messages each on average, at most {s['messages']['max']}) |",
        f"| exact household | **{s['exact']} ({_pct(s['exact'], n)})** |",
        f"| wrong value (said clearly, something else sent) | {s['differences'].get('wrong value', 0)} in "
        f"{with_['wrong value']} conversations |",
        f"| missed (said, sent as unknown or not said) | {s['differences'].get('missed', 0)} in {with_['missed']} conversations |",
        f"| extra (sent, never said) | {s['differences'].get('extra', 0)} in {with_['extra']} conversations |",
        f"| not asked (never asked, the value sent is not the person's) | {s['differences'].get('not asked', 0)} in "
        f"{with_['not asked']} conversations |",
        f"| never estimated | {s['never_estimated']} ({', '.join(f'{k}: {v}' for k, v in s['outcomes'].items() if k != 'estimated')}) |",
        f"| unexpected questions | {sum(s['unexpected_questions'].values())} "
        f"{s['unexpected_questions'] or ''} |",
        "",
        "By category of household (conversations with at least one difference of each kind):",
        "",
        "| category | n | exact | wrong value | missed | extra | not asked | never estimated |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for category, c in s["by_category"].items():
        lines.append(f"| {category} | {c['conversations']} | {_pct(c['exact'], c['conversations'])} | {c['wrong value']} | "
                     f"{c['missed']} | {c['extra']} | {c['not asked']} | {c['never estimated']} |")
    lines += ["", "By field (differences):", "", "| field | wrong value | missed | extra | not asked |", "|---|---|---|---|---|"]
    for field_, c in s["by_field"].items():
        lines.append(f"| `{field_}` | {c.get('wrong value', 0)} | {c.get('missed', 0)} | {c.get('extra', 0)} | "
                     f"{c.get('not asked', 0)} |")
    lines += ["", f"The {top} most frequent failure patterns, with one example each:", ""]
    for i, entry in enumerate(s["patterns"][:top], 1):
        e = entry["example"]
        if "field" in e:
            said = "; ".join(e["answer"])
            lines.append(f"{i}. **{entry['pattern']}** ({entry['count']}). {e['conversation']} ({e['category']}): "
                         f"{said} → sent `{json.dumps(e['sent'], ensure_ascii=False)}`, "
                         f"truth `{json.dumps(e['expected'], ensure_ascii=False)}`.")
        else:
            lines.append(f"{i}. **{entry['pattern']}** ({entry['count']}). {e['conversation']} ({e['category']}): the "
                         f"person's last messages « {' | '.join(e['last_person_messages'])} », the assistant's "
                         f"« {' | '.join(e['last_bot_messages'])} ».")
    return "\n".join(lines)
