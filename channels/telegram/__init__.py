"""Telegram: the adapter (channels/telegram/adapter.py), its webhook (channels/telegram/router.py)
and the command that registers the webhook (`make telegram-webhook`, channels/telegram/register.py)."""
from channels.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
