"""Rate limits: what one sender can cost (docs/limits.md).

Counted with the `limits` library, in a moving window: in Redis when REDIS_URL is set (shared by every
API process), in memory otherwise. Keys never hold a raw identifier: client addresses, numbers and
chat ids are pseudonymised (HMAC) before they reach the storage.

If the storage fails (Redis down), the request passes: a limit must never take the service down.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from api.core.config import Settings
from api.core.errors import error

log = logging.getLogger(__name__)

NEW_CONVERSATIONS, MESSAGES, ELIGIBILITY, CALLBACKS, BOOKINGS, STAFF_LOGINS = (
    "conversations", "messages", "eligibility", "callbacks", "bookings", "staff_logins")
TOO_MANY = {
    NEW_CONVERSATIONS: ("Trop de conversations ont été ouvertes depuis cette connexion. "
                        "Attendez un peu, puis rechargez la page.", "Too many new conversations from this address."),
    MESSAGES: ("Vous envoyez beaucoup de messages. Attendez un peu avant d'écrire à nouveau.",
               "Too many messages in this conversation."),
    ELIGIBILITY: ("Trop de calculs ont été demandés depuis cette connexion. Attendez un peu, puis réessayez.",
                  "Too many eligibility requests from this address."),
    CALLBACKS: ("Vous avez déjà demandé à être rappelé. L'équipe va vous appeler.",
                "Too many call-back requests in this conversation."),
    BOOKINGS: ("Trop de rendez-vous ont été pris depuis cette connexion. Appelez l'équipe pour en prendre un autre.",
               "Too many bookings from this address."),
    STAFF_LOGINS: ("Trop d'essais de connexion depuis cette adresse. Attendez quelques minutes.",
                   "Too many sign-in attempts from this address."),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0      # seconds until the window lets one more through


ALLOWED = Verdict(True)


def storage_uri(settings: Settings) -> str:
    """`async+redis://...` when REDIS_URL is set, else in memory."""
    if settings.redis_url:
        return "async+" + settings.redis_url.removeprefix("async+")
    return "memory://"


class RateLimits:
    """The limits of the settings, by kind, each counted per identifier (already pseudonymous)."""

    def __init__(self, settings: Settings, storage: Storage | None = None):
        self.enabled = settings.rate_limits_enabled
        self.key_prefix = settings.rate_limit_key_prefix
        self._key = (settings.pseudonym_key or "").encode()
        self.rules: dict[str, list[RateLimitItem]] = {
            NEW_CONVERSATIONS: parse_many(settings.rate_limit_new_conversations),
            MESSAGES: parse_many(settings.rate_limit_messages),
            ELIGIBILITY: parse_many(settings.rate_limit_eligibility),
            CALLBACKS: parse_many(settings.rate_limit_callbacks),
            BOOKINGS: parse_many(settings.rate_limit_bookings),
            STAFF_LOGINS: parse_many(settings.rate_limit_staff_logins),
        }
        if storage is None:
            uri = storage_uri(settings)
            storage = (MemoryStorage() if uri == "memory://" else
                       storage_from_string(uri, implementation="redispy", key_prefix=settings.rate_limit_key_prefix))
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self._web_addresses: OrderedDict[str, str] = OrderedDict()   # web person id -> client address key

    def identifier(self, kind: str, value: str) -> str:
        """A key for `value` (a client address...) that does not reveal it."""
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return digest[:32]

    async def hit(self, kind: str, identifier: str) -> Verdict:
        """Count one request of `kind` for `identifier`; refused when one of the kind's limits is met."""
        if not self.enabled:
            return ALLOWED
        try:
            for item in self.rules[kind]:
                if not await self.limiter.hit(item, kind, identifier):
                    stats = await self.limiter.get_window_stats(item, kind, identifier)
                    return Verdict(False, max(1, math.ceil(stats.reset_time - time.time())))
        except Exception as failure:  # noqa: BLE001  (the storage is down: let people through)
            log.warning("Rate limit storage failed (%s): request let through", type(failure).__name__)
        return ALLOWED

    async def first_refusal(self, kind: str, identifier: str) -> bool:
        """True once per window of refusals: the one polite answer before silence (SMS, Telegram)."""
        told = f"told-{kind}"
        longest = max(self.rules[kind], key=lambda item: item.get_expiry())
        quiet = parse_many(f"1/{longest.get_expiry()} second")[0]
        try:
            return await self.limiter.hit(quiet, told, identifier)
        except Exception:  # noqa: BLE001
            return False

    # -- web conversations: their client address, for limits counted per address -----------------------
    def remember_web_address(self, person_id: str, address_key: str, size: int = 50000) -> None:
        self._web_addresses.pop(person_id, None)
        self._web_addresses[person_id] = address_key
        while len(self._web_addresses) > size:
            self._web_addresses.popitem(last=False)

    def web_address(self, person_id: str) -> str | None:
        return self._web_addresses.get(person_id)

    async def aclose(self) -> None:
        close = getattr(self.storage, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:  # noqa: BLE001
                pass


def too_many(kind: str, verdict: Verdict):  # noqa: ANN201
    """The 429 answer: a French sentence, its English gloss, and Retry-After."""
    fr, en = TOO_MANY[kind]
    return error(429, fr, en, headers={"Retry-After": str(verdict.retry_after)})


def client_address(request) -> str:  # noqa: ANN001
    """The client's address: the peer, or the one a trusted proxy forwarded (ProxyHeadersMiddleware,
    installed by api/main.py with FORWARDED_ALLOW_IPS, has already replaced the peer)."""
    return request.client.host if request.client else "unknown"
