"""Web chat JSON API (../shared/spec/chat.md): open a conversation, send a message or a button payload."""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.conversations import SOURCE_PATTERN, ConversationNotFound, ConversationService
from api.core.errors import RASA_STARTING, error
from api.rasa_client import RasaUnavailable
from channels.web_adapter import WebAdapter

router = APIRouter(prefix="/api/chat", tags=["chat"])
WEB_CHANNEL = WebAdapter()


async def _json_body(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


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
    body = await _json_body(request)
    if body is None:
        return error(422, "La demande doit être un objet JSON, par exemple {\"source\": null}.",
                     "Body must be a JSON object.")
    source = body.get("source")
    if source is not None and (not isinstance(source, str) or not SOURCE_PATTERN.match(source)):
        return error(422, "Le code de l'action doit contenir seulement des lettres, des chiffres, - ou _.",
                     "source must match [A-Za-z0-9_-]{1,64} or be null.")
    try:
        conversation, turn = await _service(request).open_web(source)
    except RasaUnavailable:
        return _unavailable(request, source)
    return JSONResponse({"conversation_id": conversation.id,
                         "messages": [m.to_json() for m in turn.messages]})


@router.post("/{conversation_id}/messages")
async def post_message(conversation_id: str, request: Request) -> JSONResponse:
    body = await _json_body(request)
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
    if text is not None and len(text) > 1000:
        return error(422, "Le message est trop long. Écrivez moins de 1000 caractères.", "Message too long.")
    service = _service(request)
    try:
        conversation = await service.get(conversation_id)
    except ConversationNotFound:
        return error(404, "Cette conversation n'existe pas ou a été effacée. Rechargez la page pour recommencer.",
                     "Unknown or erased conversation.")
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
