"""HTTP client for the internal Rasa servers (REST channel and HTTP API, never public).

Replicas (`RASA_URLS`, else the one `RASA_URL`): each conversation (Rasa sender = the person's
pseudonym) goes to one replica, chosen by rendezvous hashing (highest random weight) of the sender
over the replicas' URLs, so that adding or removing a replica moves only about 1/n of the
conversations. A sender always goes to the first replica of its own order that is up, never to two
at a time (messages of one person are sent one at a time, in order). A replica is marked down when it
refuses the connection, its breaker is open or a probe finds it frozen or without a model; its
conversations then go to the next replica of their order (their trackers are in the shared store,
`TRACKER_STORE_URL`, once the person consented; before that they live in the memory of one replica
and start again elsewhere). A replica marked down is probed again every `recheck_seconds` and gets
its conversations back once it answers with its model loaded.

A turn may take long when it is legitimately busy (an estimate), but not when a part is frozen: a
turn still running after `probe_after` seconds has its Rasa replica (`GET /status`) and the action
server (`GET /health`) probed, each within `probe_timeout`; one that does not answer ends the turn at
once (`RasaUnavailable`), and so does an empty turn while the action server is down (Rasa answers []
when its actions fail): that turn is undone in the tracker, so that the message can be tried again.
Every failure counts in the replica's circuit breaker (api/faults.py: `rasa` with one replica,
`rasa@0`, `rasa@1`... with several): while it is open, no call is made to that replica."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.faults import RASA, BreakerOpen, Breakers
from channels.messages import BotTurn, parse_rasa_output

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa is not answering (still starting, or down)."""


class EmptyTurn(RasaUnavailable):
    """Rasa answered nothing at all: its action server failed (a failure, not silence)."""


class Frozen(TimeoutError):
    """A probe found `part` ("rasa" or "actions") not answering during a turn."""

    def __init__(self, part: str):
        super().__init__(f"{part} frozen")
        self.part = part


# Nothing was sent: the message can go to another replica at once.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


def weight(url: str, sender: str) -> int:
    """The rendezvous weight of a replica for a sender (stable across processes and restarts)."""
    return int.from_bytes(hashlib.blake2b(f"{url}\n{sender}".encode(), digest_size=8).digest(), "big")


def rendezvous_order(urls: Sequence[str], sender: str) -> list[str]:
    """The replicas' URLs for `sender`, highest weight first."""
    return sorted(urls, key=lambda url: weight(url, sender), reverse=True)


@dataclass(eq=False)
class Replica:
    index: int
    url: str
    breaker: str
    http: httpx.AsyncClient
    ready: bool = False
    was_ready: bool = False
    down_until: float | None = None       # marked down: no conversation is routed here before a probe
    recheck: asyncio.Task | None = field(default=None, repr=False)

    @property
    def up(self) -> bool:
        return self.down_until is None


class RasaClient:
    def __init__(self, base_url: str | Sequence[str], timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None, auth_token: str | None = None, *,
                 actions_url: str | None = None, probe_after: float = 2.0, probe_timeout: float = 3.0,
                 breakers: Breakers | None = None, recheck_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        urls = list(dict.fromkeys(url.strip().rstrip("/") for url in urls if url.strip()))
        if not urls:
            raise ValueError("no Rasa URL")
        # Rasa's HTTP API (`--auth-token`) and our REST channel (bot/rest_channel.py) read `?token=`.
        params = {"token": auth_token} if auth_token else None
        self.replicas = [
            Replica(index, url, RASA if len(urls) == 1 else f"{RASA}@{index}",
                    httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport, params=params))
            for index, url in enumerate(urls)]
        self._by_url = {replica.url: replica for replica in self.replicas}
        self.timeout = timeout
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self.probe_after = probe_after
        self.probe_timeout = probe_timeout
        self.breakers = breakers or Breakers()
        self.recheck_seconds = recheck_seconds
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def ready(self) -> bool:
        """At least one replica answers with its model loaded and is not marked down."""
        return any(replica.ready and replica.up for replica in self.replicas)

    @property
    def was_ready(self) -> bool:
        """Rasa has been up once: later failures are faults, not a start-up to wait for."""
        return any(replica.was_ready for replica in self.replicas)

    def order(self, sender: str) -> list[Replica]:
        """The replicas for `sender`, in its rendezvous order."""
        return [self._by_url[url] for url in rendezvous_order(list(self._by_url), sender)]

    def route(self, sender: str) -> Replica:
        """The replica that handles `sender` now: the first of its order that is up (else the first)."""
        order = self.order(sender)
        return next((replica for replica in order if replica.up), order[0])

    def replica_status(self, replica: Replica) -> str:
        if replica.ready and replica.up and not self.breakers.is_open(replica.breaker):
            return "ready"
        return "down" if replica.was_ready else "starting"

    def breaker_state(self) -> str:
        """Rasa's breaker as one: closed while a replica's is closed, opened when all are."""
        states = {self.breakers.state(replica.breaker) for replica in self.replicas}
        return next(state for state in ("closed", "half-opened", "opened") if state in states)

    def status(self) -> list[dict[str, Any]]:
        """Each replica: index (its place in RASA_URLS; /health is public, the internal URLs are not
        shown), status (ready, down, starting) and breaker."""
        return [{"index": replica.index, "status": self.replica_status(replica),
                 "breaker": self.breakers.state(replica.breaker)} for replica in self.replicas]

    # Up and down -----------------------------------------------------------------------------------

    def _mark_down(self, replica: Replica, why: str) -> None:
        replica.ready = False
        if replica.up:
            log.warning("Rasa replica %d marked down (%s)", replica.index, why)
        replica.down_until = self.clock() + self.recheck_seconds

    def _mark_up(self, replica: Replica) -> None:
        if not replica.up:
            log.warning("Rasa replica %d is back", replica.index)
        replica.down_until = None
        replica.ready = replica.was_ready = True

    async def _probe_ready(self, replica: Replica, timeout: float) -> bool:
        try:
            response = await asyncio.wait_for(replica.http.get("/status"), timeout)
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError, TimeoutError):
            return False

    async def _check(self, replica: Replica, timeout: float) -> bool:
        if await self._probe_ready(replica, timeout):
            self._mark_up(replica)
            if self.breakers.state(replica.breaker) != "closed":        # past its reset delay: closed again
                await self.breakers.record(replica.breaker, failed=False)
            return True
        self._mark_down(replica, "probe")
        if replica.was_ready:                  # a fault, not a start-up: it counts in its breaker
            await self.breakers.record(replica.breaker, failed=True)
        return False

    def _schedule_rechecks(self, replicas: Sequence[Replica]) -> None:
        """Probe again, in the background, the replicas marked down whose re-check is due."""
        now = self.clock()
        for replica in replicas:
            if replica.up or replica.down_until > now or (replica.recheck and not replica.recheck.done()):
                continue
            replica.recheck = asyncio.create_task(self._check(replica, self.probe_timeout))

    async def check_ready(self) -> bool:
        """Probe every replica; True once one answers and has a model loaded."""
        await asyncio.gather(*(self._check(replica, 3.0) for replica in self.replicas))
        return self.ready

    async def wait_ready(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not await self.check_ready():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.5)
        return True

    # Turns -----------------------------------------------------------------------------------------

    def _lock(self, sender: str) -> asyncio.Lock:
        return self._locks.setdefault(sender, asyncio.Lock())

    def _candidates(self, sender: str) -> list[Replica]:
        """The replicas to try for `sender`, in turn: those up, then (last resort) those marked down."""
        order = self.order(sender)
        self._schedule_rechecks(order)
        return [replica for replica in order if replica.up] + [replica for replica in order if not replica.up]

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> BotTurn:
        """Send one message of one person and return the bot's turn. Messages of one person are
        processed one at a time, in order. A replica that refuses the connection or whose breaker is
        open has not seen the message: the next one of the sender's order gets it at once."""
        async with self._lock(sender):
            failure = "no replica"
            for replica in self._candidates(sender):
                try:
                    turn = await self.breakers.call(
                        replica.breaker, lambda replica=replica: self._turn(replica, sender, text, metadata))
                except BreakerOpen:
                    self._mark_down(replica, "circuit open")
                    failure = "circuit open"
                    continue
                except NOT_SENT as error:
                    self._mark_down(replica, type(error).__name__)
                    failure = type(error).__name__
                    continue
                except EmptyTurn:
                    raise
                except Frozen as error:
                    if error.part == "rasa":
                        self._mark_down(replica, "frozen")
                    log.warning("Rasa did not answer: %s", error)
                    raise RasaUnavailable(str(error)) from error
                except (httpx.HTTPError, ValueError, TimeoutError) as error:
                    replica.ready = False
                    log.warning("Rasa did not answer: %s", type(error).__name__)
                    raise RasaUnavailable(type(error).__name__) from error
                self._mark_up(replica)                 # it answered: up and ready
                return turn
            log.warning("No Rasa replica answered (%s)", failure)
            raise RasaUnavailable(failure)

    async def _turn(self, replica: Replica, sender: str, text: str, metadata: dict[str, Any] | None) -> BotTurn:
        request = asyncio.ensure_future(replica.http.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata or {}}))
        try:
            response = await self._watch(replica, request)
        finally:
            if not request.done():
                request.cancel()
        response.raise_for_status()
        items = response.json()
        turn = parse_rasa_output(items if isinstance(items, list) else [])
        if not turn.messages and not turn.controls and await self.broken_part(replica) is not None:
            log.warning("Rasa answered an empty turn, its action server is down: turn undone")
            await self._rewind(replica, sender)
            raise EmptyTurn("empty turn")
        return turn

    async def _rewind(self, replica: Replica, sender: str) -> None:
        """Undo the failed turn in the tracker (Rasa's `rewind` event: back to before the message),
        so that the message, tried again later, meets the conversation as it was. Best effort."""
        try:
            await asyncio.wait_for(replica.http.post(f"/conversations/{sender}/tracker/events",
                                                     json={"event": "rewind"}), self.probe_timeout)
        except (httpx.HTTPError, TimeoutError) as error:
            log.warning("Failed turn not undone (%s)", type(error).__name__)

    async def _watch(self, replica: Replica, request: asyncio.Future) -> httpx.Response:
        """The response, unless a probe finds the replica or the action server frozen or gone first."""
        deadline = time.monotonic() + self.timeout
        wait = self.probe_after
        while True:
            remaining = deadline - time.monotonic()
            done, _ = await asyncio.wait({request}, timeout=max(0.0, min(wait, remaining)))
            if done:
                return request.result()
            if remaining <= wait:
                raise TimeoutError("turn too long")
            broken = await self.broken_part(replica)
            if broken:
                log.warning("%s does not answer: turn abandoned", broken)
                raise Frozen(broken)
            wait = self.probe_timeout

    async def broken_part(self, replica: Replica | None = None) -> str | None:
        """"rasa" or "actions" when it does not answer a probe in time; None when both answer."""
        http = (replica or self.replicas[0]).http
        probes = [("rasa", http.build_request("GET", "/status"))]
        if self.actions_url:
            probes.append(("actions", http.build_request("GET", f"{self.actions_url}/health")))

        async def alive(request: httpx.Request) -> bool:
            try:
                response = await asyncio.wait_for(http.send(request), self.probe_timeout)
                return response.status_code < 500
            except (httpx.HTTPError, TimeoutError):
                return False

        answers = await asyncio.gather(*(alive(request) for _, request in probes))
        for (name, _), answered in zip(probes, answers):
            if not answered:
                return name
        return None

    async def erase(self, sender: str) -> None:
        """Forget a conversation entirely: replace its tracker with an empty one, on every replica
        (one that handled it before a move may still hold a copy in memory)."""
        async def one(replica: Replica) -> str | None:
            try:
                response = await replica.http.put(f"/conversations/{sender}/tracker/events", json=[])
                response.raise_for_status()
                return None
            except httpx.HTTPError as error:
                return f"replica {replica.index}: {type(error).__name__}"

        async with self._lock(sender):
            failures = [failure for failure in await asyncio.gather(*(one(r) for r in self.replicas)) if failure]
        if failures:
            raise RasaUnavailable(", ".join(failures))

    async def aclose(self) -> None:
        for replica in self.replicas:
            if replica.recheck and not replica.recheck.done():
                replica.recheck.cancel()
            await replica.http.aclose()
