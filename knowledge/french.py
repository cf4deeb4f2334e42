"""French dates as the assistant says them: « mercredi 3 décembre à 9h30 » (both runtimes)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def spoken_date(moment: datetime | str) -> str:
    """« mercredi 3 décembre à 9h30 », in Paris time (an aware datetime or an ISO string)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    local = moment.astimezone(PARIS)
    minutes = f"{local.minute:02d}" if local.minute else ""
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} à {local.hour}h{minutes}"
