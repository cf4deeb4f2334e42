"""Rate limits (api/core/limits.py) on both storages: memory, and the real Redis at 127.0.0.1:6379
(a dedicated database and key prefix, wiped around each test); and the client address behind a
trusted proxy only."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis

from api.core.config import Settings
from api.core.limits import MESSAGES, NEW_CONVERSATIONS, RateLimits, storage_uri
from tests.fakes.app import make_settings, running
from tests.fakes.rasa import FakeRasa

REDIS_URL = "redis://127.0.0.1:6379/13"


class _Nowhere:
    url = "http://127.0.0.1:9"


def limit_settings(redis_url: str | None = None, **overrides: str) -> Settings:
    values = dict(_env_file=None, redis_url=redis_url, pseudonym_key="k" * 32,
                  rate_limit_key_prefix=f"tzn-test-{uuid.uuid4().hex[:8]}")
    values.update(overrides)
    return Settings(**values)


def redis_reachable() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:     # CI and this machine have it: fail loudly, never skip silently
        raise AssertionError(f"Redis is required at {REDIS_URL} ({type(error).__name__})") from None


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make_limits(request) -> AsyncIterator:  # noqa: ANN001
    made: list[RateLimits] = []

    def make(**overrides: str) -> RateLimits:
        if request.param == "redis":
            redis_reachable()
        limits = RateLimits(limit_settings(REDIS_URL if request.param == "redis" else None, **overrides))
        made.append(limits)
        return limits

    make.kind = request.param
    yield make
    for limits in made:
        await limits.storage.reset()


async def test_the_storage_is_redis_when_configured_else_memory():
    assert storage_uri(limit_settings()) == "memory://"
    assert storage_uri(limit_settings(REDIS_URL)) == "async+redis://127.0.0.1:6379/13"


async def test_a_burst_meets_the_limit_then_the_next_window_lets_it_through(make_limits):
    limits = make_limits(rate_limit_messages="3/minute")
    verdicts = [await limits.hit(MESSAGES, "someone") for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert 0 < verdicts[-1].retry_after <= 60
    assert (await limits.hit(MESSAGES, "someone-else")).allowed       # counted per identifier


async def test_every_limit_of_a_setting_counts(make_limits):
    limits = make_limits(rate_limit_new_conversations="100/minute;4/day")
    verdicts = [await limits.hit(NEW_CONVERSATIONS, "address") for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True] * 4 + [False]
    assert verdicts[-1].retry_after > 3600                             # the day's limit answered


async def test_one_polite_refusal_per_window(make_limits):
    limits = make_limits(rate_limit_messages="2/minute")
    assert [await limits.first_refusal(MESSAGES, "sender") for _ in range(3)] == [True, False, False]


@pytest.mark.redis
async def test_redis_holds_the_counts_under_the_prefix_and_no_raw_identifier():
    redis_reachable()
    limits = RateLimits(limit_settings(REDIS_URL))
    try:
        address = limits.identifier("address", "203.0.113.9")
        await limits.hit(NEW_CONVERSATIONS, address)
        keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).keys("*")]
        assert [k for k in keys if k.startswith(limits.key_prefix)]
        assert not any("203.0.113.9" in k for k in keys)
        other_process = RateLimits(limit_settings(REDIS_URL, rate_limit_key_prefix=limits.key_prefix))
        stats = await other_process.limiter.get_window_stats(other_process.rules[NEW_CONVERSATIONS][0],
                                                             NEW_CONVERSATIONS, address)
        assert stats.remaining == 19                      # another API process counts the same hits
    finally:
        await limits.storage.reset()


async def test_a_storage_failure_lets_people_through():
    limits = RateLimits(limit_settings("redis://127.0.0.1:9/0", rate_limit_messages="1/minute"))
    assert all([(await limits.hit(MESSAGES, "x")).allowed for _ in range(3)])


async def test_limits_can_be_turned_off():
    limits = RateLimits(limit_settings(rate_limits_enabled=False, rate_limit_messages="1/minute"))
    assert all([(await limits.hit(MESSAGES, "x")).allowed for _ in range(3)])


# -- the client address -----------------------------------------------------------------------------------
async def opened(api, forwarded_for: str) -> int:  # noqa: ANN001
    response = await api.client.post("/api/chat", json={}, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(tmp_path):
    settings = make_settings(tmp_path, _Nowhere(), _Nowhere(), rate_limit_new_conversations="2/minute")
    async with running(settings, FakeRasa()) as api:     # the test client's peer is 127.0.0.1, not trusted
        codes = [await opened(api, f"198.51.100.{n}") for n in range(3)]
        assert codes == [200, 200, 429]                   # one address, whatever the header claims


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(tmp_path):
    settings = make_settings(tmp_path, _Nowhere(), _Nowhere(), rate_limit_new_conversations="2/minute",
                             forwarded_allow_ips="10.0.0.0/8, 127.0.0.1")
    async with running(settings, FakeRasa()) as api:
        assert [await opened(api, "198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert await opened(api, "198.51.100.2") == 200
        # a client cannot forge its way out: the address the trusted proxy saw is the rightmost one
        assert await opened(api, "203.0.113.50, 198.51.100.1") == 429


def test_a_setting_outside_the_limits_notation_stops_the_start():
    with pytest.raises(ValueError, match="limits"):
        limit_settings(rate_limit_messages="beaucoup")
    assert limit_settings(rate_limit_messages="5 per second;100/hour").rate_limit_messages
