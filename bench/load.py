"""Load: N simulated people hold full screening conversations at once, over the web chat API and over
the signed SMS webhook, for a bounded time.

    .venv-svc/bin/python bench/load.py --people 20 --duration 60            # starts the embedded stack
    .venv-svc/bin/python bench/load.py --people 20 --duration 60 --think 3  # with think time (mean, s)
    .venv-svc/bin/python bench/load.py --api https://... --twilio-token T --standin-port 8099
        # a running stack whose TWILIO_AUTH_TOKEN is T and TWILIO_API_BASE_URL points at this machine:8099
        # (its rate limits must be off for a load run: tests/stack.py LOAD_TEST_LIMITS)

Without --api it starts Rasa, the action server and the API like tests/stack.py (embedded profile:
SQLite, rate limits off) with Twilio's REST API pointed at a local stand-in (tests/fakes/twilio.py).

Each person plays scripted personas (answers chosen by the question asked: the `ask` field on the
web, the question's text on SMS, as bench/sms_screening.py reads it), one conversation after the
other, until --duration is over. Every message a person sends is numbered; its reply is checked
against the reply the same persona got at the same number in a reference conversation played alone
before the load. A reply that never comes is *lost*; one that repeats the previous number's reply is
*duplicated*; one that is the reply of another number is *out of order*; anything else different is
*unexpected*. SMS replies are the TwiML answer plus what the outbox sends to that number before the
reply is complete (it asks the next question or offers the appointment).

When a part is down or too slow the API answers with the fault notice (api/faults.py): a web 503, which
the simulated page sends again after 2, 4, 8, 16 s (as the page says it will), or on SMS a « problème
technique » text while the message is kept and answered later through the outbox. Those notices are
counted (`fault_notices`) and are not replies: the turn's latency runs until the real reply. A web
message still refused at the end of --duration is *unanswered*.

Reports turn latency (send to complete reply) p50/p95, messages/s, HTTP errors and reply checks.
No message text is printed (personas' answers are invented, but the habit stays).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sms_screening import ends_screening, flat, last_ask as sms_last_ask, question_texts  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio, inbound_params, signed_request  # noqa: E402

# Free-text answers by `ask` (from tests/e2e/test_personas.py): each leads to the estimate.
PERSONAS: list[tuple[str, str, dict[str, str]]] = [
    ("single mother, unemployed, social housing", "bonjour jsuis maman solo et jai rien",
     {"consent": "oui", "age": "29 ans", "couple": "seule avec mes 2 enfants", "children": "2",
      "children_ages": "2 ans et 6 ans", "alimony": "non rien du tout", "commune": "vaulx en velin",
      "housing_status": "hlm", "rent": "380 euros", "activity": "au chomage", "unemployment": "820",
      "pregnant": "non", "recap": "oui"}),
    ("widower, small pension", "bonjour, on m'a dit que j'avais droit a rien",
     {"consent": "oui", "age": "soixante-douze ans", "couple": "seul", "commune": "54000",
      "housing_status": "je loue", "rent": "420", "pension": "650 euros par mois", "children": "aucun",
      "recap": "c'est ça"}),
    ("private worker in Nancy", "de toute facon j'ai droit a rien",
     {"consent": "oui", "age": "35", "couple": "je vis seul sans enfant", "children": "aucun", "commune": "Nancy",
      "housing_status": "je loue un appart", "rent": "467", "activity": "je travaille", "salary": "1283 euros",
      "pregnant": "non", "recap": "oui c'est ça"}),
]
MAX_TURNS = 30
FAULT = "L'assistant a un problème technique"   # knowledge/texts/channels.yml service_down*
END = "<end>"            # the reply offers the appointment: the screening is over
UNKNOWN = "<unknown>"    # the reply asks nothing this script knows
EMPTY = "<empty>"        # no message at all in answer to a message: lost


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"web": [], "sms": []})
    sent: Counter = field(default_factory=Counter)          # messages sent, per channel
    conversations: Counter = field(default_factory=Counter)  # completed (offer of an appointment)
    checks: Counter = field(default_factory=Counter)         # ok, lost, duplicated, out_of_order, unexpected
    errors: Counter = field(default_factory=Counter)         # HTTP status or exception name
    faults: Counter = field(default_factory=Counter)         # fault notices (web 503, SMS « problème technique »)


class Turn(Exception):
    """A turn whose reply never came (timeout) or an HTTP error: the conversation stops."""


# -- web chat -----------------------------------------------------------------------------------

def web_signature(messages: list[dict[str, Any]]) -> tuple[str, ...]:
    """What a reply asks, message by message (the texts carry figures; the asks are the plan)."""
    if not messages:
        return (EMPTY,)
    asks = tuple(m.get("ask") or "-" for m in messages)
    return asks + ((END,) if not any(m.get("ask") for m in messages) else ())


async def web_conversation(client: httpx.AsyncClient, persona: int, stats: Stats | None,
                           deadline: float, think: float, rng: random.Random,
                           signatures: list[tuple[str, ...]] | None = None) -> list[tuple[str, ...]]:
    _, opener, answers = PERSONAS[persona]
    response = await client.post("/api/chat", json={"source": None})
    if response.status_code == 503 and stats is not None:
        stats.faults["web (opening)"] += 1      # the greeting needs Rasa too
    if response.status_code != 200:
        raise Turn(f"{response.status_code} on opening")
    conversation = response.json()["conversation_id"]
    signatures = [] if signatures is None else signatures   # the caller's list: checked even if cut short
    text = opener
    for _ in range(MAX_TURNS):
        if time.monotonic() >= deadline:
            break
        started = time.monotonic()
        wait = 2.0
        while True:
            response = await client.post(f"/api/chat/{conversation}/messages", json={"text": text}, timeout=120)
            if response.status_code != 503:
                break
            # The fault notice (api/faults.py): the page keeps the message and sends it again later.
            if stats is not None:
                stats.faults["web"] += 1
            if time.monotonic() + wait >= deadline:
                raise Turn("unanswered")
            await asyncio.sleep(wait)
            wait = min(wait * 2, 16.0)
        if response.status_code != 200:
            raise Turn(str(response.status_code))
        elapsed = time.monotonic() - started
        messages = response.json()["messages"]
        signature = web_signature(messages)
        signatures.append(signature)
        if stats is not None:
            stats.sent["web"] += 1
            stats.latencies["web"].append(elapsed)
        ask = next((m["ask"] for m in reversed(messages) if m.get("ask")), None)
        if ask is None:     # the end, or nothing came back (lost: the conversation stops there)
            break
        text = answers.get(ask, "je sais pas")
        await pause(think, rng)
    return signatures


# -- SMS ----------------------------------------------------------------------------------------

@dataclass
class SmsTarget:
    api_url: str
    public_url: str
    auth_token: str
    twilio: FakeTwilio
    questions: list[tuple[str, str]]


def sms_signature(texts: list[str], questions: list[tuple[str, str]]) -> tuple[str, ...]:
    joined = "\n".join(texts)
    if ends_screening(joined):
        return (END,)
    return (sms_last_ask(joined, questions) or UNKNOWN,)


async def sms_conversation(client: httpx.AsyncClient, target: SmsTarget, persona: int, stats: Stats | None,
                           deadline: float, think: float, rng: random.Random,
                           reply_timeout: float, signatures: list[tuple[str, ...]] | None = None,
                           ) -> list[tuple[str, ...]]:
    _, opener, answers = PERSONAS[persona]
    number = f"+336{secrets.randbelow(10 ** 8):08d}"   # a new person each time (never a reference's number)
    signatures = [] if signatures is None else signatures   # the caller's list: checked even if cut short
    text = opener
    for _ in range(MAX_TURNS):
        if time.monotonic() >= deadline:
            break
        before = len(target.twilio.bodies(number))
        params = inbound_params(number, text)
        content, headers = signed_request(target.public_url.rstrip("/") + "/webhooks/twilio", params,
                                          target.auth_token)
        started = time.monotonic()
        response = await client.post(target.api_url.rstrip("/") + "/webhooks/twilio", content=content,
                                     headers=headers, timeout=120)
        if response.status_code != 200:
            raise Turn(str(response.status_code))
        inline = [element.text or "" for element in ET.fromstring(response.text).iter("Message")]
        if stats is not None and any(FAULT in text for text in inline):
            stats.faults["sms"] += 1
        # The reply is complete when it asks a question this script knows or offers the appointment;
        # what the outbox sends later in the turn (after « Je calcule... ») belongs to it.
        # A fault notice is not the reply: the message is kept and answered later, through the outbox.
        while True:
            texts = [text for text in inline + target.twilio.bodies(number)[before:] if FAULT not in text]
            signature = sms_signature(texts, target.questions)
            if signature != (UNKNOWN,):
                break
            if time.monotonic() - started > reply_timeout:
                raise Turn("unexpected" if any(texts) else "lost")
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - started
        signatures.append(signature)
        if stats is not None:
            stats.sent["sms"] += 1
            stats.latencies["sms"].append(elapsed)
        if signature == (END,):
            break
        text = answers.get(signature[0], "je sais pas")
        await pause(think, rng)
    return signatures


async def pause(think: float, rng: random.Random) -> None:
    if think > 0:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


# -- checks -------------------------------------------------------------------------------------

def check(signatures: list[tuple[str, ...]], reference: list[tuple[str, ...]], stats: Stats) -> None:
    """Each numbered reply against the reference reply at the same number."""
    for number, signature in enumerate(signatures):
        expected = reference[number] if number < len(reference) else None
        if signature == (EMPTY,):
            stats.checks["lost"] += 1
        elif signature == expected:
            stats.checks["ok"] += 1
        elif number > 0 and signature == signatures[number - 1] and signature == reference[number - 1]:
            stats.checks["duplicated"] += 1
        elif signature in reference:
            stats.checks["out_of_order"] += 1
        else:
            stats.checks["unexpected"] += 1


async def person(index: int, channel: str, client: httpx.AsyncClient, target: SmsTarget | None,
                 references: dict[tuple[str, int], list[tuple[str, ...]]], stats: Stats, deadline: float,
                 think: float, reply_timeout: float) -> None:
    rng = random.Random(index)
    round_ = 0
    while time.monotonic() < deadline:
        persona = (index + round_) % len(PERSONAS)
        round_ += 1
        signatures: list[tuple[str, ...]] = []
        try:
            if channel == "web":
                await web_conversation(client, persona, stats, deadline, think, rng, signatures)
            else:
                await sms_conversation(client, target, persona, stats, deadline, think, rng, reply_timeout,
                                       signatures)
        except Turn as failure:
            check(signatures, references[(channel, persona)], stats)   # the replies before the failure
            if str(failure) in ("lost", "unexpected", "unanswered"):
                stats.checks[str(failure)] += 1
            else:
                stats.errors[f"{channel} HTTP {failure}"] += 1
                await asyncio.sleep(2.0)
            continue
        except httpx.HTTPError as failure:
            check(signatures, references[(channel, persona)], stats)
            stats.errors[f"{channel} {type(failure).__name__}"] += 1
            await asyncio.sleep(2.0)
            continue
        check(signatures, references[(channel, persona)], stats)
        if signatures and signatures[-1][-1:] == (END,):
            stats.conversations[channel] += 1


async def references_for(client: httpx.AsyncClient, target: SmsTarget | None,
                         channels: list[str]) -> dict[tuple[str, int], list[tuple[str, ...]]]:
    """Every persona played on each channel before the load (all at once: a handful of people), the
    replies the load must reproduce. Each must reach the estimate's offer of an appointment."""
    far = time.monotonic() + 3600

    async def one(channel: str, persona: int) -> list[tuple[str, ...]]:
        rng = random.Random(persona)
        if channel == "web":
            found = await web_conversation(client, persona, None, far, 0, rng)
        else:
            found = await sms_conversation(client, target, persona, None, far, 0, rng, 120)
        if not found or found[-1][-1:] != (END,):
            raise SystemExit(f"reference {channel} {PERSONAS[persona][0]!r} did not reach the estimate: {found}")
        print(f"reference {channel} {PERSONAS[persona][0]}: {len(found)} messages", file=sys.stderr)
        return found

    keys = [(channel, persona) for channel in channels for persona in range(len(PERSONAS))]
    return dict(zip(keys, await asyncio.gather(*(one(*key) for key in keys))))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(args: argparse.Namespace, api_url: str, target: SmsTarget | None) -> dict[str, Any]:
    channels = ["web", "sms"] if target is not None and args.sms_share > 0 else ["web"]
    limits = httpx.Limits(max_connections=args.people * 2 + 10, max_keepalive_connections=args.people * 2 + 10)
    async with httpx.AsyncClient(base_url=api_url, timeout=120, limits=limits) as client:
        references = await references_for(client, target, channels)
        stats = Stats()
        sms_people = round(args.people * args.sms_share) if "sms" in channels else 0
        started = time.monotonic()
        deadline = started + args.duration
        print(f"load: {args.people} people for {args.duration:.0f} s", file=sys.stderr)
        await asyncio.gather(*(person(i, "sms" if i < sms_people else "web", client, target, references, stats,
                                      deadline, args.think, args.reply_timeout) for i in range(args.people)))
        elapsed = time.monotonic() - started
        print(f"load over after {elapsed:.0f} s", file=sys.stderr)
    every = stats.latencies["web"] + stats.latencies["sms"]
    result: dict[str, Any] = {
        "people": args.people, "web_people": args.people - sms_people, "sms_people": sms_people,
        "think_seconds": args.think, "duration_seconds": round(elapsed, 1),
        "messages": sum(stats.sent.values()), "messages_per_second": round(sum(stats.sent.values()) / elapsed, 2),
        "completed_conversations": dict(stats.conversations),
        "turn_latency_seconds": {
            name: {"count": len(values), "p50": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3)}
            for name, values in (("all", every), ("web", stats.latencies["web"]), ("sms", stats.latencies["sms"]))
            if values},
        "errors": dict(stats.errors), "fault_notices": dict(stats.faults),
        "replies": {key: stats.checks.get(key, 0) for key in
                    ("ok", "lost", "duplicated", "out_of_order", "unexpected", "unanswered")},
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (after the references)")
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between messages, seconds")
    parser.add_argument("--sms-share", type=float, default=0.5, help="share of the people texting by SMS")
    parser.add_argument("--reply-timeout", type=float, default=60.0, help="an SMS reply later than this is lost")
    parser.add_argument("--stack-env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the stack this script starts (repeatable)")
    parser.add_argument("--rasa-replicas", type=int, default=1, help="Rasa servers of the stack started here")
    parser.add_argument("--api", help="URL of a running stack (default: start the embedded one)")
    parser.add_argument("--public-url", help="its PUBLIC_BASE_URL (default: --api)")
    parser.add_argument("--twilio-token", help="its TWILIO_AUTH_TOKEN (with --api; none: web only)")
    parser.add_argument("--standin-port", type=int, default=0, help="port of the Twilio stand-in (with --api)")
    args = parser.parse_args()

    stack = None
    if args.api:
        api_url, token = args.api, args.twilio_token
        twilio = FakeTwilio(auth_token=token, port=args.standin_port).start() if token else None
    else:
        from tests.stack import start_stack

        token = secrets.token_urlsafe(24)
        twilio = FakeTwilio(auth_token=token).start()
        settings = dict(item.split("=", 1) for item in args.stack_env)
        stack = start_stack(extra_env={"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token,
                                       "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE_URL": twilio.url,
                                       **settings}, rasa_replicas=args.rasa_replicas)
        api_url = stack.api_url
        print(f"stack ready at {api_url} (logs in {stack.workdir})", file=sys.stderr)
    target = SmsTarget(api_url, args.public_url or api_url, token, twilio, question_texts()) if twilio else None
    try:
        result = asyncio.run(run(args, api_url, target))
    finally:
        if stack is not None:
            stack.stop()
        if twilio is not None:
            twilio.stop()
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
