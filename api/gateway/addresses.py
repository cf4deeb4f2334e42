"""The address book: the SMS number or Telegram chat id behind a pseudonym seen recently."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from api.models import utcnow


class AddressBook:
    """The number or chat id behind each pseudonym seen recently, in memory only (never stored, never
    logged): the API needs it when a conversation books a reminder or asks to be called back."""

    def __init__(self, keep: timedelta = timedelta(hours=6), size: int = 20000):
        self.keep = keep
        self.size = size
        self._seen: OrderedDict[tuple[str, str], tuple[str, datetime]] = OrderedDict()

    def remember(self, channel: str, person_id: str, address: str) -> None:
        key = (channel, person_id)
        self._seen.pop(key, None)
        self._seen[key] = (address, utcnow())
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)

    def forget(self, person_id: str) -> None:
        """Erasure: the person's addresses on every channel."""
        for key in [key for key in self._seen if key[1] == person_id]:
            del self._seen[key]

    def get(self, channel: str, person_id: str) -> str | None:
        found = self._seen.get((channel, person_id))
        if found is None or utcnow() - found[1] > self.keep:
            return None
        return found[0]
