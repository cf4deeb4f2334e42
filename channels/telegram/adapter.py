"""Telegram adapter: Update JSON parsed with python-telegram-bot, inline keyboards with opaque
callback data, texts cut under 4096 characters, and delivery through `telegram.Bot` pointed at
TELEGRAM_API_BASE_URL (a local stand-in in tests).

Callback data is `c:<n>:<tag>`: choice n of the last turn, and a fingerprint of that turn's choices
(channels.base.choices_tag) so that a button of an older message is recognised as stale. It never
holds personal data. Only private chats are served: a group would expose people to each other.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from channels.base import (ChannelAdapter, Delivered, DeliveryError, Inbound, Keyword, Outgoing, choices_tag,
                           split_text)
from channels.keywords import keyword_of
from channels.messages import BotMessage
from channels.render import TELEGRAM

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH          # 4096, counted in UTF-16 code units
CALLBACK = re.compile(r"^c:(\d{1,2}):([0-9a-f]{8})$")
COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)
SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COMMANDS = {"stop": Keyword.STOP, "arret": Keyword.STOP, "aide": Keyword.HELP, "help": Keyword.HELP,
            "supprimer": Keyword.DELETE}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def fits(text: str) -> bool:
    return utf16_length(text) <= MAX_TEXT


def callback_data(number: int, tag: str) -> str:
    return f"c:{number}:{tag}"


class TelegramAdapter(ChannelAdapter):
    name = "telegram"
    capabilities = TELEGRAM
    inline_replies = False   # every answer goes through the outbox (ordered, retried, RetryAfter)

    def __init__(self, *, token: str | None = None, api_base_url: str = "https://api.telegram.org",
                 timeout: float = 10.0):
        self.bot: Bot | None = None
        if token:
            request = HTTPXRequest(connection_pool_size=16, read_timeout=timeout, write_timeout=timeout,
                                   connect_timeout=timeout, pool_timeout=timeout)
            self.bot = Bot(token, base_url=f"{api_base_url.rstrip('/')}/bot", request=request)

    @classmethod
    def from_settings(cls, settings: Any) -> TelegramAdapter:
        return cls(token=settings.telegram_bot_token, api_base_url=settings.telegram_api_base_url)

    @classmethod
    def webhook_router(cls):  # noqa: ANN206
        from channels.telegram.router import router
        return router

    # -- inbound ---------------------------------------------------------------------------------
    def parse(self, body: bytes) -> Update | None:
        """The Update, or None when the body is not one (the webhook still answers 200)."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return None
            return Update.de_json(data, self.bot)
        except Exception as error:  # noqa: BLE001  (whatever Telegram or a stranger sent)
            log.warning("Telegram update unreadable (%s)", type(error).__name__)
            return None

    def normalise(self, update: Update) -> Inbound | None:
        """A private message or button press as an Inbound; None for anything else."""
        event_id = str(update.update_id)
        query = update.callback_query
        if query is not None:
            chat = query.message.chat if query.message is not None else None
            if chat is not None and chat.type != ChatType.PRIVATE:
                return None
            match = CALLBACK.match(query.data or "")
            if match is None:
                return None
            address = str(chat.id if chat is not None else query.from_user.id)
            return Inbound(channel=self.name, address=address, event_id=event_id,
                           choice=int(match.group(1)), choice_tag=match.group(2))
        message = update.message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return None
        address = str(message.chat.id)
        text = message.text
        if text is None:
            return Inbound(channel=self.name, address=address, event_id=event_id, unsupported=True)
        command = COMMAND.match(text.strip())
        if command is not None:
            name, argument = command.group(1).lower(), (command.group(2) or "").strip()
            if name == "start":          # deep link t.me/<bot>?start=<code>: the outreach source
                source = argument if SOURCE.match(argument) else None
                return Inbound(channel=self.name, address=address, event_id=event_id, payload="/greet",
                               source=source, keyword=Keyword.START)
            if name in COMMANDS and not argument:
                return Inbound(channel=self.name, address=address, event_id=event_id, text=text,
                               keyword=COMMANDS[name])
        return Inbound(channel=self.name, address=address, event_id=event_id, text=text,
                       keyword=keyword_of(text))

    # -- outbound --------------------------------------------------------------------------------
    def fit(self, messages: list[BotMessage]) -> list[Outgoing]:
        """One Telegram message per bot message, cut under 4096 characters. Only the last message
        with choices keeps its keyboard: its choices are the ones a callback number refers to."""
        last_with_buttons = max((i for i, m in enumerate(messages) if m.buttons), default=-1)
        out: list[Outgoing] = []
        for index, message in enumerate(messages):
            buttons = message.buttons if index == last_with_buttons else ()
            pieces = split_text(message.text, fits) if message.text else [""]
            for number, piece in enumerate(pieces, start=1):
                last = number == len(pieces)
                if piece or (last and buttons):
                    out.append(Outgoing(piece or "…", buttons if last else (), message.ask if last else None))
        return out

    def keyboard(self, message: Outgoing) -> InlineKeyboardMarkup | None:
        if not message.buttons:
            return None
        tag = choices_tag(message.buttons)
        return InlineKeyboardMarkup([[InlineKeyboardButton(button.title, callback_data=callback_data(i, tag))]
                                     for i, button in enumerate(message.buttons, start=1)])

    async def deliver(self, address: str, message: Outgoing) -> Delivered:
        if self.bot is None:
            raise DeliveryError("telegram_not_configured")
        try:
            sent = await self.bot.send_message(chat_id=int(address), text=message.text,
                                               reply_markup=self.keyboard(message))
        except RetryAfter as error:
            raise DeliveryError("telegram_retry_after", retry_after=_seconds(error.retry_after)) from None
        except Forbidden:                     # the person blocked the bot
            raise DeliveryError("telegram_forbidden", permanent=True) from None
        except BadRequest as error:           # chat not found, text refused: trying again won't help
            log.warning("Telegram refused a message (%s)", type(error).__name__)
            raise DeliveryError("telegram_bad_request", permanent=True) from None
        except InvalidToken:
            raise DeliveryError("telegram_invalid_token") from None
        except TelegramError as error:        # network, timeout, Telegram's own trouble
            raise DeliveryError(f"telegram_{type(error).__name__}") from None
        return Delivered(str(sent.message_id), final=True)

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner. Always called; a failure only gets logged."""
        if self.bot is None:
            return
        try:
            await self.bot.answer_callback_query(callback_id)
        except TelegramError as error:
            log.info("answerCallbackQuery failed (%s)", type(error).__name__)

    async def typing(self, address: str) -> None:
        if self.bot is None:
            return
        try:
            await self.bot.send_chat_action(chat_id=int(address), action=ChatAction.TYPING)
        except (TelegramError, ValueError) as error:
            log.debug("sendChatAction failed (%s)", type(error).__name__)

    async def aclose(self) -> None:
        if self.bot is not None:
            try:
                await self.bot.shutdown()
            except TelegramError:
                pass


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
