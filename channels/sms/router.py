"""Twilio's webhooks: `POST /webhooks/twilio` (a person's SMS) and `POST /webhooks/twilio/status`
(delivery reports). Both are signed: the signature is checked against PUBLIC_BASE_URL + the path
(+ query), the address Twilio called in front of any reverse proxy. A missing or wrong signature, or
no auth token configured, gets 403 and changes nothing.

The reply is TwiML when the turn ends within SMS_SYNC_REPLY_SECONDS; otherwise Twilio gets « Je
calcule, un instant… » at once and the result follows through the outbox (api/gateway/runtime.py).
"""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import Outgoing, http_error as error
from channels.sms.adapter import SmsAdapter

log = logging.getLogger(__name__)
router = APIRouter(tags=["sms"], include_in_schema=False)

FORBIDDEN = ("Signature absente ou fausse.", "Missing or invalid Twilio signature.")


class FormParams(dict):
    """Twilio's form fields; `getlist` lets Twilio's validator sign repeated fields like Twilio does."""

    def __init__(self, pairs: list[tuple[str, str]]):
        super().__init__()
        self._lists: dict[str, list[str]] = {}
        for key, value in pairs:
            self._lists.setdefault(key, []).append(value)
            self.setdefault(key, value)

    def getlist(self, key: str) -> list[str]:
        return self._lists.get(key, [])


async def signed_params(request: Request, adapter: SmsAdapter) -> FormParams | None:
    """The form fields if the request is signed by Twilio with our auth token, else None."""
    if not adapter.auth_token:
        return None
    try:
        params = FormParams(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
    url = adapter.public_url(request.url.path, request.url.query)
    valid = adapter.signature_valid(url, params, request.headers.get("X-Twilio-Signature"),
                                    request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    return params if valid else None


def twiml(parts: list[Outgoing]) -> Response:
    response = MessagingResponse()
    for part in parts:
        response.message(part.text)
    return Response(str(response), media_type="application/xml")


@router.post("/webhooks/twilio")
async def inbound_sms(request: Request) -> Response:
    """A person's SMS. Answered with TwiML within Twilio's 15 s, whatever happens."""
    runtime = request.app.state.channels
    adapter: SmsAdapter = runtime.adapter("sms")
    params = await signed_params(request, adapter)
    if params is None:
        log.warning("Twilio webhook refused: missing or invalid signature")
        return error(403, *FORBIDDEN)
    inbound = adapter.normalise(params)
    if inbound is None:
        return error(400, "Il manque des champs de Twilio.", "MessageSid and From are required.")
    if not runtime.ready:
        return error(503, "Les SMS ne sont pas configurés.", "DATA_ENCRYPTION_KEY is not set.")
    reply = await runtime.receive(adapter, inbound, interim_after=request.app.state.settings.sms_sync_reply_seconds)
    return twiml(reply.parts)


@router.post("/webhooks/twilio/status")
async def delivery_status(request: Request) -> Response:
    """Twilio's StatusCallback: queued, sent, delivered, undelivered, failed."""
    runtime = request.app.state.channels
    adapter: SmsAdapter = runtime.adapter("sms")
    params = await signed_params(request, adapter)
    if params is None:
        log.warning("Twilio status callback refused: missing or invalid signature")
        return error(403, *FORBIDDEN)
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    if sid and status and runtime.ready:
        await runtime.outbox.record_status("sms", sid, status, params.get("ErrorCode"))
    return Response(status_code=204)
