"""POST /api/eligibility (contract: shared/spec/eligibility.md).

The route reads the raw body itself, so that every bad input (malformed JSON, wrong types,
absurd amounts, three adults, unknown fields...) gets a 422 saying in French what to fix:
{"detail": {"fr": ..., "en": ...}, "errors": [{"field": ..., "fr": ..., "en": ...}]}.
"""
from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.core.limits import ELIGIBILITY, TOO_MANY, client_address
from api.core.security import same_secret
from api.eligibility.errors import InvalidHousehold
from api.eligibility.worker import EngineUnavailable
from api.faults import ELIGIBILITY as ELIGIBILITY_PART, BreakerOpen

router = APIRouter(tags=["eligibility"])
log = logging.getLogger("api.eligibility")

MAX_BODY_BYTES = 64_000
REQUEST_EXAMPLE = {
    "period": "2026-11", "commune": "54395", "housing": {"status": "locataire", "rent": 450, "charges": 50},
    "adults": [{"age": 35, "activity": "salarie", "incomes": {"salary": 900}}], "children": [{"age": 9}],
    "unknown": [],
}


def _invalid(error: InvalidHousehold) -> JSONResponse:
    return JSONResponse(status_code=422, content=error.to_response())


@router.post(
    "/api/eligibility",
    summary="Estimate the benefits of a household",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object"}, "example": REQUEST_EXAMPLE}}}},
)
async def estimate(request: Request) -> JSONResponse:
    limits = getattr(request.app.state, "limits", None)       # absent from an app that mounts this router alone
    token = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip()
    if limits is not None and not same_secret(token, request.app.state.settings.internal_api_token):
        verdict = await limits.hit(ELIGIBILITY, limits.identifier("address", client_address(request)))
        if not verdict.allowed:   # the error shape of this contract: {"detail": {"fr", "en"}}
            fr, en = TOO_MANY[ELIGIBILITY]
            return JSONResponse(status_code=429, headers={"Retry-After": str(verdict.retry_after)},
                                content={"detail": {"fr": fr, "en": en}})
    service = getattr(request.app.state, "eligibility", None)
    if service is None or not service.ready:
        return JSONResponse(status_code=503, headers={"Retry-After": "10"}, content={"detail": {
            "fr": "Le calcul des aides démarre. Réessayez dans une minute.",
            "en": "The eligibility engine is starting; retry in a minute."}})
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _invalid(InvalidHousehold("La demande est trop longue.", "Request body too large."))
    try:
        payload = json.loads(body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _invalid(InvalidHousehold(
            "La demande n'est pas un JSON valide. Vérifiez les guillemets, les virgules et les accolades.",
            f"Malformed JSON: {error}"))
    breakers = getattr(request.app.state, "breakers", None)
    try:
        if breakers is None:
            return JSONResponse(await service.estimate(payload))
        return JSONResponse(await breakers.call(ELIGIBILITY_PART, lambda: service.estimate(payload)))
    except InvalidHousehold as error:
        return _invalid(error)
    except BreakerOpen:          # failed several times in a row: answered at once for a while
        return JSONResponse(status_code=503, headers={"Retry-After": "5"},
                            content={"detail": {"fr": EngineUnavailable.fr, "en": EngineUnavailable.en}})
    except EngineUnavailable as error:  # the simulation process restarts: a clear 503, never a 500
        return JSONResponse(status_code=503, headers={"Retry-After": "5"},
                            content={"detail": {"fr": error.fr, "en": error.en}})
