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
        + "Espace de l'équipe : " + url.rstrip("/") + "/staff/\n"
        + "  premier compte : STAFF_PASSWORD=... make staff-user EMAIL=vous@exemple.fr ROLE=admin\n"
        + "(Ctrl-C pour tout arrêter)\n" + "=" * 60,
        flush=True,
    )
