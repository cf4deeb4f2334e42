"""SMS: how many segments a full screening costs, through the real stack and the real webhook.

    .venv-svc/bin/python bench/sms_screening.py            # needs `make model`
    .venv-svc/bin/python bench/sms_screening.py --write    # also updates "## SMS" in docs/benchmarks.md

Starts Rasa, the action server and the API (tests/stack.py) with Twilio's REST API pointed at a
local stand-in, then plays a persona by SMS: signed webhook requests, answers typed as a person on a
basic phone would (a number for a numbered choice, free text otherwise). It recognises each question
by its text in knowledge/texts, and stops at the estimate's offer of an appointment. Counts every SMS
the assistant sends, inline (TwiML) and through the outbox (REST), with its segments.
"""
from __future__ import annotations

import argparse
import re
import secrets
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from channels.gsm7 import segments  # noqa: E402
from channels.messages import BotMessage, Button  # noqa: E402
from channels.render import SMS, render_one  # noqa: E402
from channels.sms.console import SmsPhone  # noqa: E402
from knowledge import load  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio  # noqa: E402

# A single parent on a small salary: the screening asks most of its questions.
ANSWERS = {
    "consent": "1", "age": "34", "couple": "2", "children": "2 enfants de 4 et 9 ans", "children_ages": "4 et 9",
    "single_parent_recent": "non", "alimony": "150", "commune": "54000", "housing_status": "1", "rent": "450",
    "activity": "1", "salary": "1200", "unemployment": "0", "pension": "0", "other_income": "0",
    "partner_income": "0", "partner_age": "35", "disability": "1", "pregnant": "2", "recap": "1",
}
OPENER = "Bonjour"
MAX_TURNS = 30


def question_texts() -> list[tuple[str, str]]:
    """(text as an SMS shows it, ask) for every text of knowledge that asks something, re-asks too."""
    found = []
    for entry in load("texts").values():
        ask = entry.get("ask")
        if not ask:
            continue
        for field in ("text", "reask"):
            if entry.get(field):
                text = str(entry[field]).strip().split("{")[0]   # « Je résume : {facts}... »: its start
                rendered = render_one(BotMessage(text, (), ask), SMS).text
                found.append((flat(rendered.split("\n")[0]), ask))
    return found


def ends_screening(text: str) -> bool:
    offer = render_one(BotMessage(str(load("texts")["offer_appointment"]["text"]).strip(),
                                  (Button("x", "/x"),)), SMS).text.split("\n")[0]
    return flat(offer.split("?")[0]) in flat(text)


def flat(text: str) -> str:
    return " ".join(text.split())


def last_ask(text: str, questions: list[tuple[str, str]]) -> str | None:
    """The question asked last in these SMS (SMS may cut a text at any line or sentence)."""
    text = flat(text)
    best, where = None, -1
    for question, ask in questions:
        position = text.rfind(question)
        if position > where:
            best, where = ask, position
    return best


def play(phone: SmsPhone) -> list[tuple[str, str, str]]:
    """The conversation: (who, how, text) for every SMS, in order."""
    questions = question_texts()
    log: list[tuple[str, str, str]] = []
    computing = render_one(BotMessage(str(load("texts")["computing"]["text"]).strip()), SMS).text
    message = OPENER
    for _ in range(MAX_TURNS):
        log.append(("person", "", message))
        before = len(phone.rest_messages())
        inline = phone.send(message)
        log.extend(("assistant", "TwiML", text) for text in inline)
        late = wait_for_rest(phone, before, expect=any(text == computing for text in inline) or not inline)
        log.extend(("assistant", "REST", text) for text in late)
        replies = "\n".join(inline + late)
        if ends_screening(replies):
            return log
        ask = last_ask(replies, questions)
        if ask is None or ask not in ANSWERS:
            raise SystemExit(f"Question not recognised (ask={ask!r}) after:\n{replies}")
        message = ANSWERS[ask]
    raise SystemExit("The screening did not end within the turns allowed")


def wait_for_rest(phone: SmsPhone, before: int, expect: bool, quiet: float = 1.5, limit: float = 60) -> list[str]:
    """SMS that arrive through the outbox after a message: wait for them when the inline answer said
    « Je calcule », then until none has come for `quiet` seconds."""
    started = time.monotonic()
    last_count, last_change = len(phone.rest_messages()), time.monotonic()
    while time.monotonic() - started < limit:
        count = len(phone.rest_messages())
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        if (not expect or count > before) and time.monotonic() - last_change >= (quiet if expect else 0.3):
            break
        time.sleep(0.05)
    return phone.rest_messages()[before:]


def report(log: list[tuple[str, str, str]]) -> str:
    sent = [(how, text) for who, how, text in log if who == "assistant"]
    received = [text for who, _, text in log if who == "person"]
    total = sum(segments(text)[0] for _, text in sent)
    over = [text for _, text in sent if segments(text)[0] > 2]
    ucs2 = [text for _, text in sent if segments(text)[1] != "GSM-7"]
    lines = [
        f"- Persona: single parent, 34, two children, tenant in Nancy, 1 200 € net salary ({len(received)} SMS "
        f"sent by the person, {sum(segments(t)[0] for t in received)} segments).",
        f"- Assistant: **{len(sent)} SMS, {total} segments** for the whole screening, from the first "
        f"« {OPENER} » to the offer of an appointment after the estimate "
        f"({sum(1 for how, _ in sent if how == 'REST')} of them through the outbox).",
        f"- Longest SMS: {max(segments(t)[0] for _, t in sent)} segments; over 2 segments: {len(over)}; "
        f"not GSM-7 (UCS-2): {len(ucs2)}.",
    ]
    return "\n".join(lines)


def write_section(body: str, command: str) -> None:
    import subprocess

    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    model = (ROOT / "bot" / "models" / "current.tar.gz").resolve().name
    section = (f"## SMS\n\nTotal SMS segments of a full screening conversation, measured {date.today()} at "
               f"commit {commit} (Rasa model {model}) on the real stack (Rasa, action server, API) through the signed webhook, with "
               f"a local stand-in for Twilio's REST API. Each SMS holds at most 2 segments; the texts of a turn "
               f"are packed into as few segments as possible, cut between messages or sentences.\n\n{body}\n\n"
               f"Reproduce: `{command}` (needs `make model`; `--transcript` prints every SMS).\n")
    pattern = re.compile(r"^## SMS\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update the '## SMS' section of docs/benchmarks.md")
    parser.add_argument("--transcript", action="store_true", help="print every SMS")
    args = parser.parse_args()

    from tests.stack import start_stack

    token = secrets.token_urlsafe(24)
    twilio = FakeTwilio(auth_token=token).start()
    stack = start_stack(extra_env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token,
                                   "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url})
    try:
        phone = SmsPhone(stack.api_url, stack.api_url, token, "+33612345678", twilio)
        log = play(phone)
    finally:
        stack.stop()
        twilio.stop()
    if args.transcript:
        for who, how, text in log:
            count, encoding = segments(text)
            label = "personne" if who == "person" else f"assistant {how}"
            print(f"--- {label} [{count} seg., {encoding}]\n{text}")
    body = report(log)
    print(body)
    if args.write:
        write_section(body, ".venv-svc/bin/python bench/sms_screening.py --write")


if __name__ == "__main__":
    main()
