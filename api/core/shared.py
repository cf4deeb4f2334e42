"""What every API process must see the same way, in Redis when REDIS_URL is set (several processes
behind one proxy), in memory otherwise (one process, `make run`):

- the address book: the SMS number or Telegram chat id behind a pseudonym seen recently, needed to
  send a reminder booked later (by whichever process serves the action server's call);
- one person's turn at a time: a lock per pseudonym around the handling of one inbound message, so
  that two processes never run turns of the same person at once (their order is kept by the inbound
  store: api/gateway/inbound.py);
- the web chat's replay cache: a message sent again with the same client id gets the answer already
  given, and a retry reaching another process while the first is running waits for it.

Keys hold only pseudonyms, conversation ids and digests; what says something of a person (a number,
an answer) is encrypted with the Vault (DATA_ENCRYPTION_KEY). Without the Vault, the state stays in
memory. When Redis fails, the service goes on: an address not found means no reminder, a lock not
taken is logged, a replay not found is answered again.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from api.core.security import Vault

log = logging.getLogger(__name__)

ADDRESS_KEEP = timedelta(hours=6)     # how long a number is known after the person's last message
REPLAY_KEEP = timedelta(hours=1)      # how long a web answer is given again for the same client id


class Busy(Exception):
    """The person's lock is held elsewhere for longer than we may wait: try the message later."""


def digest(value: str) -> str:
    """A fixed-size key part for a value chosen by a client (its message id)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class SharedState(ABC):
    """The interface: three small stores (see the module docstring)."""

    # -- address book -------------------------------------------------------------------------------
    @abstractmethod
    async def remember_address(self, channel: str, person_id: str, address: str) -> None: ...

    @abstractmethod
    async def address(self, channel: str, person_id: str) -> str | None: ...

    @abstractmethod
    async def forget_person(self, person_id: str) -> None:
        """Erasure: the person's addresses on every channel."""

    # -- one turn of a person at a time ---------------------------------------------------------------
    @abstractmethod
    def person_lock(self, channel: str, person_id: str, *, hold: float, wait: float, step: str = "turn") -> Any:
        """An async context manager held while one message of the person is handled (`step` "turn"),
        or stored ("claim": so that a message sees every earlier one); raises Busy when not acquired
        within `wait` seconds. `hold`: the longest a crashed holder keeps it."""

    # -- replay cache ----------------------------------------------------------------------------------
    @abstractmethod
    async def replayed(self, conversation_id: str, client_id: str) -> list[dict[str, Any]] | None: ...

    @abstractmethod
    async def keep_replay(self, conversation_id: str, client_id: str, messages: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def replay_lock(self, conversation_id: str, client_id: str, *, hold: float) -> Any:
        """Held while the first answer to a client id is computed; a retry waits for it (at most `hold`)."""

    @abstractmethod
    async def forget_conversations(self, conversation_ids: set[str]) -> None:
        """Erasure: the cached answers of these conversations."""

    async def aclose(self) -> None:
        """Release the connections."""


@dataclass
class _Keyed:
    """asyncio locks by key, dropped when nobody uses them."""

    locks: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, key: str, wait: float | None = None) -> AsyncIterator[None]:
        lock, users = self.locks.get(key, (asyncio.Lock(), 0))
        self.locks[key] = (lock, users + 1)
        try:
            try:
                await asyncio.wait_for(lock.acquire(), timeout=wait)
            except TimeoutError:
                raise Busy() from None
            try:
                yield
            finally:
                lock.release()
        finally:
            lock, users = self.locks[key]
            if users <= 1:
                del self.locks[key]
            else:
                self.locks[key] = (lock, users - 1)


class MemoryState(SharedState):
    """One process: plain dictionaries, bounded, with the same expiries."""

    def __init__(self, clock: Any = None, size: int = 20000, replays: int = 5000):
        from api.models import utcnow
        self.clock = clock or utcnow
        self.size, self.replays_kept = size, replays
        self._addresses: OrderedDict[tuple[str, str], tuple[str, Any]] = OrderedDict()
        self._replays: OrderedDict[tuple[str, str], tuple[list[dict[str, Any]], Any]] = OrderedDict()
        self._people, self._replaying = _Keyed(), _Keyed()

    async def remember_address(self, channel: str, person_id: str, address: str) -> None:
        key = (channel, person_id)
        self._addresses.pop(key, None)
        self._addresses[key] = (address, self.clock())
        while len(self._addresses) > self.size:
            self._addresses.popitem(last=False)

    async def address(self, channel: str, person_id: str) -> str | None:
        found = self._addresses.get((channel, person_id))
        if found is None or self.clock() - found[1] > ADDRESS_KEEP:
            return None
        return found[0]

    async def forget_person(self, person_id: str) -> None:
        for key in [key for key in self._addresses if key[1] == person_id]:
            del self._addresses[key]

    def person_lock(self, channel: str, person_id: str, *, hold: float, wait: float, step: str = "turn") -> Any:
        return self._people.hold(f"{step}:{channel}:{person_id}", wait)

    async def replayed(self, conversation_id: str, client_id: str) -> list[dict[str, Any]] | None:
        found = self._replays.get((conversation_id, client_id))
        if found is None or self.clock() - found[1] > REPLAY_KEEP:
            return None
        return found[0]

    async def keep_replay(self, conversation_id: str, client_id: str, messages: list[dict[str, Any]]) -> None:
        self._replays[(conversation_id, client_id)] = (messages, self.clock())
        while len(self._replays) > self.replays_kept:
            self._replays.popitem(last=False)

    def replay_lock(self, conversation_id: str, client_id: str, *, hold: float) -> Any:
        return self._replaying.hold(f"{conversation_id}:{client_id}")

    async def forget_conversations(self, conversation_ids: set[str]) -> None:
        for key in [key for key in self._replays if key[0] in conversation_ids]:
            del self._replays[key]


class RedisState(SharedState):
    """Several processes: Redis (redis-py's asyncio client and its Lock), values encrypted."""

    def __init__(self, url: str, vault: Vault, prefix: str = "tzn"):
        from redis.asyncio import Redis

        self.redis = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.vault = vault
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def remember_address(self, channel: str, person_id: str, address: str) -> None:
        key = self._key("address", person_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, channel, self.vault.encrypt(address))
                pipe.expire(key, int(ADDRESS_KEEP.total_seconds()))
                await pipe.execute()
        except Exception as error:  # noqa: BLE001
            log.warning("Shared state: address not kept (%s)", type(error).__name__)

    async def address(self, channel: str, person_id: str) -> str | None:
        try:
            sealed = await self.redis.hget(self._key("address", person_id), channel)
            return None if sealed is None else self.vault.decrypt(sealed.decode())
        except Exception as error:  # noqa: BLE001  (Redis down, or sealed under another key)
            log.warning("Shared state: address not read (%s)", type(error).__name__)
            return None

    async def forget_person(self, person_id: str) -> None:
        try:
            await self.redis.delete(self._key("address", person_id))
        except Exception as error:  # noqa: BLE001  (it expires within ADDRESS_KEEP anyway)
            log.warning("Shared state: address not forgotten (%s)", type(error).__name__)

    @asynccontextmanager
    async def person_lock(self, channel: str, person_id: str, *, hold: float, wait: float,
                          step: str = "turn") -> AsyncIterator[None]:
        from redis.exceptions import LockError, RedisError

        lock = self.redis.lock(self._key("person", step, channel, person_id), timeout=hold, blocking_timeout=wait)
        try:
            acquired = await lock.acquire()
        except LockError:
            acquired = False
        except RedisError as error:          # Redis down: the inbound store still orders the messages
            log.warning("Shared state: person lock not taken (%s)", type(error).__name__)
            yield
            return
        if not acquired:
            raise Busy()
        try:
            yield
        finally:
            try:
                await lock.release()
            except (LockError, RedisError) as error:    # held longer than `hold`: it had expired
                log.warning("Shared state: person lock lost (%s)", type(error).__name__)

    async def replayed(self, conversation_id: str, client_id: str) -> list[dict[str, Any]] | None:
        try:
            sealed = await self.redis.hget(self._key("replay", conversation_id), digest(client_id))
            return None if sealed is None else json.loads(self.vault.decrypt(sealed.decode()))
        except Exception as error:  # noqa: BLE001
            log.warning("Shared state: replay not read (%s)", type(error).__name__)
            return None

    async def keep_replay(self, conversation_id: str, client_id: str, messages: list[dict[str, Any]]) -> None:
        key = self._key("replay", conversation_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, digest(client_id), self.vault.encrypt(json.dumps(messages)))
                pipe.expire(key, int(REPLAY_KEEP.total_seconds()))
                await pipe.execute()
        except Exception as error:  # noqa: BLE001
            log.warning("Shared state: replay not kept (%s)", type(error).__name__)

    @asynccontextmanager
    async def replay_lock(self, conversation_id: str, client_id: str, *, hold: float) -> AsyncIterator[None]:
        from redis.exceptions import LockError, RedisError

        lock = self.redis.lock(self._key("replaying", conversation_id, digest(client_id)), timeout=hold,
                               blocking_timeout=hold)
        try:
            acquired = await lock.acquire()
        except (LockError, RedisError) as error:
            log.warning("Shared state: replay lock not taken (%s)", type(error).__name__)
            acquired = False
        try:
            yield                            # not acquired after `hold`: answer anyway (never an error)
        finally:
            if acquired:
                try:
                    await lock.release()
                except (LockError, RedisError):
                    pass

    async def forget_conversations(self, conversation_ids: set[str]) -> None:
        if not conversation_ids:
            return
        try:
            await self.redis.delete(*(self._key("replay", cid) for cid in conversation_ids))
        except Exception as error:  # noqa: BLE001  (it expires within REPLAY_KEEP anyway)
            log.warning("Shared state: replays not forgotten (%s)", type(error).__name__)

    async def aclose(self) -> None:
        await self.redis.aclose()


def shared_state(redis_url: str | None, vault: Vault | None, prefix: str) -> SharedState:
    """Redis when configured (with the Vault to seal values), else memory."""
    if not redis_url:
        return MemoryState()
    if vault is None:
        log.warning("REDIS_URL is set but DATA_ENCRYPTION_KEY is not: shared state kept in memory")
        return MemoryState()
    return RedisState(redis_url, vault, prefix)
