"""Client of the API, for the action server. Kept out of the action code (one place for URLs,
timeouts and errors)."""
from __future__ import annotations

import os
from typing import Any

import aiohttp

API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")
# The month to estimate; empty means the current month (set in tests and demos for fixed figures).
ESTIMATE_PERIOD = os.environ.get("ESTIMATE_PERIOD", "")
TIMEOUT = aiohttp.ClientTimeout(total=float(os.environ.get("ELIGIBILITY_TIMEOUT_SECONDS", "25")))


class ApiError(RuntimeError):
    pass


async def estimate(household: dict[str, Any]) -> dict[str, Any]:
    """POST /api/eligibility (see ../shared/spec/eligibility.md)."""
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            body = {**household, "period": ESTIMATE_PERIOD} if ESTIMATE_PERIOD else household
            async with session.post(f"{API_URL}/api/eligibility", json=body) as response:
                body = await response.json(content_type=None)
                if response.status != 200:
                    raise ApiError(f"eligibility answered {response.status}: {body}")
                return body
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise ApiError(str(error)) from error
