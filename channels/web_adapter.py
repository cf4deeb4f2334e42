"""The web chat as a channel adapter: its delivery is the HTTP response of the JSON API
(../shared/spec/chat.md), so it never goes through the outbox. The page itself lives in
channels/web/; this module only fits the web into the adapter interface of channels/base.py."""
from __future__ import annotations

from typing import Any

from channels.base import ChannelAdapter, Inbound
from channels.messages import BotMessage
from channels.render import WEB


class WebAdapter(ChannelAdapter):
    name = "web"
    capabilities = WEB
    inline_replies = True

    def normalise(self, conversation_id: str, body: dict[str, Any], event_id: str = "") -> Inbound:
        """`{"text": ...}` or `{"payload": ...}` of POST /api/chat/{id}/messages. The conversation id is
        the web's address (one conversation per QR scan)."""
        return Inbound(channel=self.name, address=conversation_id, event_id=event_id,
                       text=body.get("text"), payload=body.get("payload"))

    def respond(self, messages: list[BotMessage]) -> dict[str, Any]:
        """The JSON body of the answer: `{"messages": [{"text", "buttons", "ask"}, ...]}`."""
        return {"messages": [message.to_json() for message in self.outgoing(messages)]}

    # deliver(): inherited, refuses (DeliveryError "web_cannot_push"): a browser cannot be reached
    # outside its own request, so nothing is queued for the web.
