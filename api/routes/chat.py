"""Web chat JSON API (../shared/spec/chat.md): open a conversation, send a message or a button payload."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.conversations import MAX_TEXT, SOURCE_PATTERN, ConversationNotFound, ConversationService
from api.core.errors import RASA_STARTING, error
from api.core.limits import MESSAGES, NEW_CONVERSATIONS, RateLimits, client_address, too_many
from api.core.middleware import has_lone_surrogate
from api.rasa_client import RasaUnavailable
from channels.web_adapter import WebAdapter

router = APIRouter(prefix="/api/chat", tags=["chat"])
WEB_CHANNEL = WebAdapter()


NOT_JSON = ("Envoyez la demande en JSON, avec l'en-tête Content-Type: application/json.",
            "Content-Type must be application/json.")
UNREADABLE = ("Le message contient des caractères illisibles. Écrivez-le à nouveau.",
              "Body is not valid UTF-8 text (invalid bytes or lone surrogates).")


class Unreadable(ValueError):
    """Invalid UTF-8 or lone surrogates: a 422, never a turn sent to Rasa."""


async def _json_body(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Unreadable from None
    except ValueError:
        return None
    if has_lone_surrogate(body):
        raise Unreadable
    return body if isinstance(body, dict) else None


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


async def _read(request: Request) -> dict[str, Any] | None | JSONResponse:
    """The JSON object of the request, None when it is not one, or the error to answer."""
    if not _is_json(request) and (await request.body()).strip():
        return error(415, *NOT_JSON)
    try:
        return await _json_body(request)
    except Unreadable:
        return error(422, *UNREADABLE)


def _limits(request: Request) -> RateLimits:
    return request.app.state.limits


def _service(request: Request) -> ConversationService:
    return request.app.state.conversations


def _unavailable(request: Request, source: str | None) -> JSONResponse:
    """Rasa still starting, or a part down: the page keeps the message and tries again by itself."""
    state = request.app.state
    if not state.rasa.was_ready:
        return error(503, *RASA_STARTING, headers={"Retry-After": "10"})
    retry = max(5, int(state.settings.breaker_reset_seconds))
    return error(503, state.fault_notice.text(source, kept=False), "A part of the service is down.",
                 headers={"Retry-After": str(retry)})


@router.post("")
async def open_conversation(request: Request) -> JSONResponse:
    body = await _read(request)
    if isinstance(body, JSONResponse):
        return body
    if body is None:
        return error(422, "La demande doit être un objet JSON, par exemple {\"source\": null}.",
                     "Body must be a JSON object.")
    source = body.get("source")
    if source is not None and (not isinstance(source, str) or not SOURCE_PATTERN.match(source)):
        return error(422, "Le code de l'action doit contenir seulement des lettres, des chiffres, - ou _.",
                     "source must match [A-Za-z0-9_-]{1,64} or be null.")
    limits = _limits(request)
    address = limits.identifier("address", client_address(request))
    verdict = await limits.hit(NEW_CONVERSATIONS, address)
    if not verdict.allowed:
        return too_many(NEW_CONVERSATIONS, verdict)
    try:
        conversation, turn = await _service(request).open_web(source)
    except RasaUnavailable:
        return _unavailable(request, source)
    limits.remember_web_address(conversation.person_id, address)
    return JSONResponse({"conversation_id": conversation.id,
                         "messages": [m.to_json() for m in turn.messages]})


@router.post("/{conversation_id}/messages")
async def post_message(conversation_id: str, request: Request) -> JSONResponse:
    body = await _read(request)
    if isinstance(body, JSONResponse):
        return body
    if body is None:
        return error(422, "La demande doit être un objet JSON avec « text » ou « payload ».",
                     "Body must be a JSON object with text or payload.")
    text, payload, client_id = body.get("text"), body.get("payload"), body.get("client_message_id")
    if client_id is not None and (not isinstance(client_id, str) or not 1 <= len(client_id) <= 64):
        return error(422, "L'identifiant du message doit être un texte de 64 caractères au plus.",
                     "client_message_id must be a string of 1 to 64 characters.")
    if (text is None) == (payload is None) or not isinstance(text if text is not None else payload, str):
        return error(422, "Envoyez soit « text » (votre message), soit « payload » (un bouton), en texte.",
                     "Send exactly one of text or payload, as a string.")
    if text is not None and not text.strip():
        return error(422, "Le message est vide. Écrivez quelques mots.", "Empty message.")
    if len(text if text is not None else payload) > MAX_TEXT:
        return error(422, f"Le message est trop long. Écrivez moins de {MAX_TEXT} caractères.", "Message too long.")
    service = _service(request)
    try:
        conversation = await service.get(conversation_id)
    except ConversationNotFound:
        return error(404, "Cette conversation n'existe pas ou a été effacée. Rechargez la page pour recommencer.",
                     "Unknown or erased conversation.")
    limits = _limits(request)
    verdict = await limits.hit(MESSAGES, conversation.person_id)
    if not verdict.allowed:
        return too_many(MESSAGES, verdict)
    limits.remember_web_address(conversation.person_id, limits.identifier("address", client_address(request)))
    try:
        inbound = WEB_CHANNEL.normalise(conversation.id, body)
        turn = await service.handle_once(conversation, WEB_CHANNEL.capabilities, client_id,
                                         text=inbound.text, payload=inbound.payload)
    except ValueError:
        return error(422, "Ce bouton n'est pas reconnu. Écrivez votre réponse avec vos mots.",
                     "Unknown payload.")
    except RasaUnavailable:
        return _unavailable(request, conversation.source)
    return JSONResponse({"messages": [m.to_json() for m in turn.messages]})
