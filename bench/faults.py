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
    def __init__(self, stack: Stack, twilio: FakeTwilio, token: str, telegram: tg.FakeTelegram):
        self.stack, self.twilio, self.token, self.bot_api = stack, twilio, token, telegram
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
        """Until the first message reaches the person (the webhook itself answers 200 at once)."""
        chat = secrets.randbelow(10**9) + 1
        update = tg.message_update(chat, "Bonjour")
        status = httpx.post(f"{self.stack.api_url}/webhooks/telegram", json=update, timeout=120,
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).status_code
        deadline = time.monotonic() + 120
        while not any(int(c.get("chat_id", 0)) == chat for c in self.bot_api.calls("sendMessage")):
            if time.monotonic() > deadline:
                return 0
            time.sleep(0.05)
        return status


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
        channels = Channels(stack, twilio, token, telegram)
        for name in ("web", "sms", "telegram"):
            call = getattr(channels, name)
            up = [timed(call)[1] for _ in range(UP_SAMPLES)]
            stack.signal("rasa", signal.SIGSTOP)
            try:
                frozen = [timed(call) for _ in range(FROZEN_SAMPLES if "BREAKER_FAILURES" not in extra else 1)]
            finally:
                stack.signal("rasa", signal.SIGCONT)
            _, back = timed(lambda: _until_normal(stack, channels.web))
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


def _until_normal(stack: Stack, web: Any) -> None:
    """Until a web turn is answered normally and the breaker has closed again."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if web() == 200 and httpx.get(f"{stack.api_url}/health", timeout=10).json()["breakers"]["rasa"] == "closed":
            return
        time.sleep(0.5)


def main() -> None:
    print("| design | channel | answer, Rasa up (median of 5) | answers while Rasa is frozen, in turn "
          "(HTTP status) | after SIGCONT, until a normal web turn and the breaker closed |")
    print("|---|---|---|---|---|")
    run("probes + breaker (default)", {})
    run("no probe, no breaker (before)", {"DEPENDENCY_PROBE_SECONDS": "1000", "BREAKER_FAILURES": "1000"})


if __name__ == "__main__":
    main()
