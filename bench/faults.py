"""What a frozen Rasa does to the answer time on each channel (web chat API, SMS webhook, Telegram
webhook), with the probes and the breaker (default settings) and without them (the former design).

    .venv-svc/bin/python bench/faults.py          # needs `make model`; about 4 minutes, loopback only

Starts the real stack (tests/stack.py) twice, with local stand-ins for Twilio and Telegram: once
with the default fault settings, once with probes and breaker disabled (DEPENDENCY_PROBE_SECONDS and
BREAKER_FAILURES huge). Each time: answer times with everything up, then Rasa frozen (SIGSTOP):
each request in turn, until the breaker has opened; then SIGCONT and the time until a normal answer.
Prints a Markdown table for docs/benchmarks.md.
"""
from __future__ import annotations

import secrets
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from channels.sms.console import SmsPhone  # noqa: E402
from tests.fakes import telegram as tg  # noqa: E402
from tests.fakes.twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio  # noqa: E402
from tests.stack import Stack, start_stack  # noqa: E402

SECRET = "bench-telegram-secret_0123456789"
UP_SAMPLES = 5
FROZEN_SAMPLES = 5          # the breaker opens after 3 failures (default): the last ones are immediate


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


class Channels:
    def __init__(self, stack: Stack, twilio: FakeTwilio, token: str):
        self.stack, self.twilio, self.token = stack, twilio, token
        self.web_id = httpx.post(f"{stack.api_url}/api/chat", json={"source": None}, timeout=60).json()[
            "conversation_id"]

    def web(self) -> int:
        return httpx.post(f"{self.stack.api_url}/api/chat/{self.web_id}/messages", json={"text": "bonjour"},
                          timeout=120).status_code

    def sms(self) -> int:
        phone = SmsPhone(self.stack.api_url, self.stack.api_url, self.token,
                         f"+336{secrets.randbelow(10**8):08d}", self.twilio)
        phone.send("Bonjour")
        return 200

    def telegram(self) -> int:
        update = tg.message_update(secrets.randbelow(10**9) + 1, "Bonjour")
        return httpx.post(f"{self.stack.api_url}/webhooks/telegram", json=update, timeout=120,
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).status_code


def run(label: str, extra: dict[str, str]) -> list[str]:
    token = secrets.token_urlsafe(24)
    twilio = FakeTwilio(auth_token=token).start()
    telegram = tg.FakeTelegram().start()
    stack = start_stack(extra_env={
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": token, "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": twilio.url, "TELEGRAM_BOT_TOKEN": tg.BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": telegram.url, **extra})
    rows = []
    try:
        channels = Channels(stack, twilio, token)
        for name in ("web", "sms", "telegram"):
            call = getattr(channels, name)
            up = [timed(call)[1] for _ in range(UP_SAMPLES)]
            stack.signal("rasa", signal.SIGSTOP)
            try:
                frozen = [timed(call) for _ in range(FROZEN_SAMPLES if "BREAKER_FAILURES" not in extra else 1)]
            finally:
                stack.signal("rasa", signal.SIGCONT)
            _, back = timed(lambda: _until_normal(call))
            statuses = "/".join(str(status) for status, _ in frozen)
            rows.append(f"| {label} | {name} | {statistics.median(up) * 1000:.0f} ms | "
                        + ", ".join(f"{seconds:.1f}" for _, seconds in frozen)
                        + f" s ({statuses}) | {back:.1f} s |")
            print(rows[-1], flush=True)
    finally:
        stack.stop()
        twilio.stop()
        telegram.stop()
    return rows


def _until_normal(call: Any) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if call() == 200:
            return
        time.sleep(0.5)


def main() -> None:
    print("| design | channel | answer, Rasa up (median of 5) | answers while Rasa is frozen, in turn "
          "(HTTP status) | after SIGCONT, first normal answer |")
    print("|---|---|---|---|---|")
    run("probes + breaker (default)", {})
    run("no probe, no breaker (before)", {"DEPENDENCY_PROBE_SECONDS": "1000", "BREAKER_FAILURES": "1000"})


if __name__ == "__main__":
    main()
