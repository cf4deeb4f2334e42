"""Rate limits: how long a burst from one address takes to meet its limit, and what the limits cost a
normal turn (latency with and without them, in one run).

    .venv-svc/bin/python bench/rate_limits.py            # memory storage, and Redis at 127.0.0.1:6379/13
    .venv-svc/bin/python bench/rate_limits.py --no-redis

The API (create_app) is served by uvicorn on loopback, with a stand-in for Rasa (tests/fakes/rasa.py)
so that only the API's own cost is measured; the client speaks HTTP to it over 127.0.0.1. Every
configuration gets the same turns, interleaved in rounds, so that drift of the machine is shared.
Bounded: --turns per configuration, and every request has a timeout.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.main import create_app  # noqa: E402
from tests.fakes.app import make_settings  # noqa: E402
from tests.fakes.rasa import FakeRasa  # noqa: E402
from tests.stack import free_port  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/13"
HIGH = "1000000/minute"


class _Nowhere:
    url = "http://127.0.0.1:9"


class Served:
    """One API on a loopback port, in its own thread and event loop."""

    def __init__(self, workdir: Path, **overrides: object):
        self.port = free_port()
        settings = make_settings(workdir, _Nowhere(), _Nowhere(), **overrides)
        app = create_app(settings, rasa_transport=FakeRasa().transport)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                proxy_headers=False, timeout_keep_alive=120)   # proxy: api/main.py, as `python -m api`
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the API did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def settings_for(kind: str, workdir: Path) -> dict[str, object]:
    base: dict[str, object] = dict(database_url=f"sqlite:///{workdir}/{kind}.db")
    if kind == "off":
        return {**base, "rate_limits_enabled": False}
    limits = {name: HIGH for name in ("rate_limit_new_conversations", "rate_limit_messages")}
    if kind == "redis":
        return {**base, **limits, "redis_url": REDIS_URL, "rate_limit_key_prefix": f"bench-{uuid.uuid4().hex[:8]}"}
    return {**base, **limits}


async def burst(url: str, path: str, body: dict, limit: int) -> tuple[int, float]:
    """Requests one after the other from one address until the first 429: (accepted, seconds)."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        start = time.perf_counter()
        for sent in range(limit * 2 + 10):
            response = await client.post(path, json=body)
            if response.status_code == 429:
                return sent, time.perf_counter() - start
            response.raise_for_status()
    raise AssertionError("no 429 met")


async def turns(urls: dict[str, str], count: int, rounds: int) -> dict[str, list[float]]:
    """`count` turns per configuration (10 conversations each), interleaved in `rounds`."""
    latencies: dict[str, list[float]] = {kind: [] for kind in urls}
    clients = {kind: httpx.AsyncClient(base_url=url, timeout=10) for kind, url in urls.items()}
    try:
        conversations = {kind: [(await client.post("/api/chat", json={})).json()["conversation_id"] for _ in range(10)]
                         for kind, client in clients.items()}
        per_round = count // rounds
        for round_number in range(rounds):
            for kind, client in clients.items():
                for n in range(per_round):
                    conversation = conversations[kind][n % 10]
                    start = time.perf_counter()
                    response = await client.post(f"/api/chat/{conversation}/messages",
                                                 json={"text": f"message {round_number}-{n}"})
                    latencies[kind].append(time.perf_counter() - start)
                    response.raise_for_status()
    finally:
        for client in clients.values():
            await client.aclose()
    return latencies


async def check_cost(kind: str, count: int = 5000) -> float:
    """Microseconds of one `RateLimits.hit` (2 limits, as RATE_LIMIT_NEW_CONVERSATIONS), alone."""
    from api.core.config import Settings
    from api.core.limits import NEW_CONVERSATIONS, RateLimits
    settings = Settings(_env_file=None, pseudonym_key="bench", redis_url=REDIS_URL if kind == "redis" else None,
                        rate_limit_new_conversations=f"{HIGH};100000000/day",
                        rate_limit_key_prefix=f"bench-{uuid.uuid4().hex[:8]}")
    limits = RateLimits(settings)
    try:
        start = time.perf_counter()
        for n in range(count):
            await limits.hit(NEW_CONVERSATIONS, f"address-{n % 100}")
        return (time.perf_counter() - start) / count * 1e6
    finally:
        await limits.storage.reset()


def ms(values: list[float], q: float) -> str:
    return f"{statistics.quantiles(values, n=100)[int(q) - 1] * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=600, help="turns per configuration")
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    kinds = ["off", "memory"] + ([] if args.no_redis else ["redis"])
    with tempfile.TemporaryDirectory(prefix="tzn-bench-limits-") as folder:
        workdir = Path(folder)
        print("Burst from one address, default limits (memory storage):")
        with Served(workdir, database_url=f"sqlite:///{workdir}/burst.db") as api:
            accepted, seconds = asyncio.run(burst(api.url, "/api/chat", {}, 20))
            print(f"  new conversations: {accepted} accepted, first 429 after {seconds * 1000:.0f} ms")
            conversation = httpx.post(f"{api.url}/api/chat", json={},
                                      headers={"X-Forwarded-For": "ignored"}).status_code
            assert conversation == 429                      # the header is not trusted: same address
        with Served(workdir, database_url=f"sqlite:///{workdir}/burst2.db") as api:
            opened = httpx.post(f"{api.url}/api/chat", json={}).json()["conversation_id"]
            accepted, seconds = asyncio.run(burst(api.url, f"/api/chat/{opened}/messages", {"text": "a"}, 30))
            print(f"  messages in one conversation: {accepted} accepted, first 429 after {seconds * 1000:.0f} ms")
        print(f"Turn latency (POST /api/chat/{{id}}/messages, fake Rasa), {args.turns} turns each, interleaved:")
        servers = [Served(workdir, **settings_for(kind, workdir)) for kind in kinds]
        for server in servers:
            server.__enter__()
        try:
            latencies = asyncio.run(turns({kind: s.url for kind, s in zip(kinds, servers)}, args.turns, 10))
        finally:
            for server in servers:
                server.__exit__()
        print("| limits | median | p95 | p99 | one check alone |")
        print("|---|---|---|---|---|")
        for kind in kinds:
            values = latencies[kind]
            alone = "" if kind == "off" else f"{asyncio.run(check_cost(kind)):.0f} µs"
            print(f"| {kind} | {statistics.median(values) * 1000:.2f} ms | {ms(values, 95)} ms | {ms(values, 99)} ms "
                  f"| {alone} |")


if __name__ == "__main__":
    main()
