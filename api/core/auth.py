"""Bearer-token guards for the internal routes (action server) and the staff API."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request

from api.core.security import same_secret


def bearer(setting: str) -> Any:
    """A dependency that requires `Authorization: Bearer <settings.<setting>>` (401 otherwise)."""

    async def guard(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not same_secret(token, getattr(request.app.state.settings, setting)):
            raise HTTPException(status_code=401, detail=f"{setting} required")

    return Depends(guard)
