"""The web chat page (`/`, `/c/<outreach code>`) and its static files, under a strict CSP.

The page itself is static: `chat.js` reads the outreach code from the address and opens the
conversation through the JSON API (`api/routes/chat.py`). Each scan gets its own conversation;
the code only says where the poster was.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # The outreach code is in the address: it must not leak to other sites.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


class Asset:
    """One static file, read once: small files, served with an ETag so a slow phone revalidates
    instead of downloading again (the staff pages serve theirs the same way)."""

    def __init__(self, path: Path):
        self.body = path.read_bytes()
        self.media_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


    def response(self, request: Request, headers: dict[str, str], status: int = 200) -> Response:
        headers = {**headers, "Cache-Control": "no-cache", "ETag": self.etag}
        if status == 200 and self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.body, status_code=status, media_type=self.media_type, headers=headers)


def load_assets(folder: Path) -> dict[str, Asset]:
    return {path.name: Asset(path) for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix in TYPES and not path.name.startswith(".")}


ASSETS = load_assets(STATIC_DIR)
PAGE = "index.html"
NOT_FOUND_PAGE = "notfound.html"

router = APIRouter(include_in_schema=False)


def _serve(request: Request, name: str, status: int = 200) -> Response:
    return ASSETS[name].response(request, SECURITY_HEADERS, status)


def _not_found(request: Request) -> Response:
    response = _serve(request, NOT_FOUND_PAGE, status=404)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.api_route("/", methods=["GET", "HEAD"])
async def page(request: Request) -> Response:
    """The chat page, with no outreach code."""
    return _serve(request, PAGE)


@router.api_route("/c/{code:path}", methods=["GET", "HEAD"])
async def page_for_code(request: Request, code: str) -> Response:
    """The same page, opened from a QR code: `chat.js` tags the new conversation with `code`."""
    if not CODE_PATTERN.match(code):
        return _not_found(request)
    return _serve(request, PAGE)


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"])
async def static(request: Request, name: str) -> Response:
    """Only the files of `static/`, by exact name: no directory walking."""
    if name not in ASSETS or name in (PAGE, NOT_FOUND_PAGE):
        return _not_found(request)
    return _serve(request, name)
