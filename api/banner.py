"""What `make run` prints once everything is ready: the web chat address, its QR code, and where the
team sees the appointments."""
from __future__ import annotations

import io

import segno


def print_banner(url: str) -> None:
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    print(
        "\n" + "=" * 60
        + "\nL'assistant est prêt. Ouvrez le chat :\n  " + url
        + "\nou scannez ce QR code avec votre téléphone :\n"
        + buffer.getvalue()
        + "Rendez-vous pris (équipe) : " + url.rstrip("/") + "/api/staff/appointments?day=AAAA-MM-JJ\n"
        + "  avec l'en-tête « Authorization: Bearer $STAFF_TOKEN » (jeton dans var/secrets.env)\n"
        + "(Ctrl-C pour tout arrêter)\n" + "=" * 60,
        flush=True,
    )
