"""SMS over Twilio: the adapter (channels/sms/adapter.py), its webhooks (channels/sms/router.py) and
a terminal console to chat as an SMS user (channels/sms/console.py, `make sms-console`)."""
from channels.sms.adapter import SmsAdapter, pack_sms

__all__ = ["SmsAdapter", "pack_sms"]
