"""SMS adapter: GSM-7 texts packed into SMS of at most 2 segments, Twilio's webhook signature, and
delivery through Twilio's REST API at TWILIO_API_BASE_URL (a local stand-in in tests and demos).

Packing: the rendered texts of a turn (channels/render.py already made them GSM-7, with numbered
choices) are cut at line and sentence ends into pieces, a question stays with its choices, and the
pieces are grouped into as few segments as possible, each SMS within 2 segments. A sentence that
cannot fit in 2 segments alone is cut between words.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from twilio.request_validator import RequestValidator, get_signature_algorithm

from channels.base import ChannelAdapter, Delivered, DeliveryError, Inbound, Outgoing, split_text
from channels.gsm7 import segments
from channels.keywords import TWILIO_OPT_OUT_TYPES, keyword_of
from channels.messages import BotMessage
from channels.render import SMS

log = logging.getLogger(__name__)

MAX_SEGMENTS = 2
_CHOICE_LINE = re.compile(r"^(\d+ - |Répondez )")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sms_segments(text: str) -> int:
    return segments(text)[0]


def fits(text: str) -> bool:
    return sms_segments(text) <= MAX_SEGMENTS


# Where an SMS may start, from best to worst: a new message of the turn, a new line, a new sentence,
# the middle of a sentence (a sentence too long for 2 segments).
MESSAGE, LINE, SENTENCE, WORDS = 0, 1, 2, 3


@dataclass(frozen=True)
class _Unit:
    text: str
    sep: str       # what joins it to the unit before, in one SMS
    cut: int       # cost of starting an SMS here


def _sentences(line: str, cut: int) -> list[_Unit]:
    """A line cut at sentence ends (and between words when one sentence is too long)."""
    units = []
    for sentence in (s.strip() for s in _SENTENCE_END.split(line)):
        if not sentence:
            continue
        for part in split_text(sentence, fits):
            units.append(_Unit(part, "\n" if cut <= LINE else " ", cut))
            cut = SENTENCE if part.endswith((".", "!", "?")) else WORDS
    return units


def _units(texts: Sequence[str]) -> list[_Unit]:
    """Every sentence of the texts, in order. Numbered choices (« 1 - Oui » ... « Répondez 1 ou 2. »)
    form one piece, glued to the question before them when both fit in one SMS, so that a question
    keeps its choices."""
    units: list[_Unit] = []
    for text in texts:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        cut = len(lines)
        while cut > 0 and _CHOICE_LINE.match(lines[cut - 1]):
            cut -= 1
        body, choices = lines[:cut], "\n".join(lines[cut:])
        own: list[_Unit] = []
        for index, line in enumerate(body):
            own.extend(_sentences(line, MESSAGE if index == 0 else LINE))
        if choices:
            if own and fits(f"{own[-1].text}\n{choices}"):
                last = own[-1]
                own[-1] = _Unit(f"{last.text}\n{choices}", last.sep, last.cut)
            else:
                own.extend(_Unit(part, "\n", MESSAGE if not own else LINE) for part in split_text(choices, fits))
        units.extend(own)
    return units


def pack_sms(texts: Sequence[str]) -> list[str]:
    """The fewest segments, then the fewest SMS, then the cleanest cuts (between messages rather than
    between sentences) that carry these texts in order, each SMS within 2 segments."""
    units = _units(texts)
    if not units:
        return []
    count = len(units)
    # best[i]: (segments, SMS, cut cost) to carry units[:i], and where its last SMS starts
    best: list[tuple[tuple[int, int, int], int] | None] = [None] * (count + 1)
    best[0] = ((0, 0, 0), 0)
    for end in range(1, count + 1):
        text = ""
        for start in range(end - 1, -1, -1):
            text = units[start].text if not text else f"{units[start].text}{units[start + 1].sep}{text}"
            used = sms_segments(text)
            if used > MAX_SEGMENTS and start < end - 1:
                break
            previous = best[start]
            if previous is None:
                continue
            (segs, sms, cuts), _ = previous
            cost = (segs + used, sms + 1, cuts + (units[start].cut if start else 0))
            if best[end] is None or cost < best[end][0]:
                best[end] = (cost, start)
    out: list[str] = []
    end = count
    while end > 0:
        start = best[end][1]
        text = units[start].text
        for index in range(start + 1, end):
            text += units[index].sep + units[index].text
        out.append(text)
        end = start
    return out[::-1]


class SmsAdapter(ChannelAdapter):
    name = "sms"
    capabilities = SMS
    inline_replies = True   # TwiML in the webhook's answer

    def __init__(self, *, account_sid: str | None = None, auth_token: str | None = None,
                 from_number: str | None = None, api_base_url: str = "https://api.twilio.com",
                 public_base_url: str = "http://127.0.0.1:8000", timeout: float = 10.0):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.api_base_url = api_base_url.rstrip("/")
        self.public_base_url = public_base_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Any) -> SmsAdapter:
        return cls(account_sid=settings.twilio_account_sid, auth_token=settings.twilio_auth_token,
                   from_number=settings.twilio_from_number, api_base_url=settings.twilio_api_base_url,
                   public_base_url=settings.public_base_url)

    @classmethod
    def webhook_router(cls):  # noqa: ANN206
        from channels.sms.router import router
        return router

    # -- inbound ---------------------------------------------------------------------------------
    def public_url(self, path: str, query: str = "") -> str:
        """The address Twilio signed: PUBLIC_BASE_URL (what Twilio calls, in front of any reverse proxy)
        plus the request's path and query."""
        return f"{self.public_base_url}{path}" + (f"?{query}" if query else "")

    def signature_valid(self, url: str, params: Any, signature: str | None,
                        settings_header: str | None = None) -> bool:
        """Twilio's X-Twilio-Signature. Without an auth token nothing is valid."""
        if not self.auth_token or not signature:
            return False
        algorithm = get_signature_algorithm(settings_header)
        return RequestValidator(self.auth_token).validate(url, params, signature, algorithm)

    def normalise(self, params: Mapping[str, str]) -> Inbound | None:
        """Twilio's form fields as an Inbound; None when an essential field is missing."""
        sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
        number = (params.get("From") or "").strip()
        if not sid or not number or len(sid) > 64:
            return None
        body = params.get("Body") or ""
        keyword = TWILIO_OPT_OUT_TYPES.get((params.get("OptOutType") or "").upper()) or keyword_of(body)
        media = int(params.get("NumMedia") or 0) if (params.get("NumMedia") or "0").isdigit() else 0
        return Inbound(channel=self.name, address=number, event_id=sid, text=body if body.strip() else None,
                       keyword=keyword, unsupported=not body.strip() and media > 0)

    # -- outbound --------------------------------------------------------------------------------
    def fit(self, messages: list[BotMessage]) -> list[Outgoing]:
        return [Outgoing(text) for text in pack_sms([m.text for m in messages if m.text])]

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token and self.from_number)

    async def deliver(self, address: str, message: Outgoing) -> Delivered:
        if not self.configured:
            raise DeliveryError("sms_not_configured")
        url = f"{self.api_base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = {"To": address, "From": self.from_number, "Body": message.text,
                "StatusCallback": self.public_url("/webhooks/twilio/status")}
        try:
            response = await self._http.post(url, data=data, auth=(self.account_sid, self.auth_token))
        except httpx.HTTPError as error:
            raise DeliveryError(f"sms_{type(error).__name__}") from None
        if response.status_code in (200, 201):
            try:
                provider_id = str(response.json().get("sid") or "")[:64] or None
            except ValueError:
                provider_id = None
            return Delivered(provider_id, final=False)
        if response.status_code == 429:
            raise DeliveryError("twilio_429", retry_after=_seconds(response.headers.get("Retry-After")))
        if response.status_code >= 500 or response.status_code in (401, 403, 404):
            # Twilio down, or credentials being fixed: try again later (up to the outbox's limit).
            raise DeliveryError(f"twilio_{response.status_code}")
        try:
            code = response.json().get("code")
        except ValueError:
            code = None
        raise DeliveryError(f"twilio_{code or response.status_code}", permanent=True)

    async def aclose(self) -> None:
        await self._http.aclose()


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None
