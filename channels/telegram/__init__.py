"""Telegram: the adapter (channels/telegram/adapter.py), its webhook (channels/telegram/router.py)
(the command that registers the webhook is api/gateway/telegram_webhook.py, `make telegram-webhook`)."""
from channels.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
