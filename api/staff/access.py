"""Who may do what on the staff side: the session cookie, roles, territories, CSRF, the audit log.

- Every /api/staff/* route and /staff/* page depends on `signed_in` (401 without a valid session).
- A territory other than one's own is 403 (`territory_for`); admins see every territory.
- Unsafe requests (POST, PUT, PATCH, DELETE) that come from another site are refused: the cookie is
  SameSite=Lax, and `Origin` / `Sec-Fetch-Site` are checked; HTML forms also carry the session's CSRF
  token (`check_csrf`).
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from sqlmodel import Session, select

from api.core.limits import STAFF_LOGINS, Verdict, client_address
from api.models import AuditEntry, StaffUser
from api.staff.accounts import SESSION_FOR, Principal, authenticate, open_session, principal_of
from knowledge import load

COOKIE = "tzn_staff"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def say(key: str) -> str:
    """A French sentence of knowledge/staff/messages.yml."""
    return " ".join(str(load("staff")[key]).split())


class StaffDenied(HTTPException):
    """401 or 403 with a French sentence; api/main.py answers it in the API's error shape."""

    def __init__(self, status: int, key: str):
        super().__init__(status_code=status, detail=say(key))
        self.key = key


class LoginRefused(Exception):
    """A sign-in refused: too many attempts from this address (`verdict`), or a wrong email or
    password, or a locked account (`verdict` None: the same answer for all three)."""

    def __init__(self, verdict: Verdict | None = None):
        super().__init__("login refused")
        self.verdict = verdict


async def log_in(request: Request, email: str, password: str) -> tuple[StaffUser, str]:
    """Sign in, for the API and the login page alike: the per-address rate limit, then the password
    (with the account's lockout); returns the user and the new session's cookie token."""
    limits = request.app.state.limits
    verdict = await limits.hit(STAFF_LOGINS, limits.identifier(STAFF_LOGINS, client_address(request)))
    if not verdict.allowed:
        raise LoginRefused(verdict)
    db = request.app.state.db
    user = await db.run(authenticate, email, password)
    if user is None:
        raise LoginRefused()
    token, _ = await db.run(open_session, user)
    return user, token


def set_cookie(request: Request, response: Response, token: str) -> None:
    secure = request.app.state.settings.public_base_url.startswith("https://")
    response.set_cookie(COOKIE, token, max_age=int(SESSION_FOR.total_seconds()), httponly=True, secure=secure,
                        samesite="lax", path="/")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def same_site(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "same-site", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    ours = {urlsplit(request.app.state.settings.public_base_url).netloc, request.headers.get("host", "")}
    return urlsplit(origin).netloc in ours


async def signed_in(request: Request) -> Principal:
    token = request.cookies.get(COOKIE)
    principal = await request.app.state.db.run(principal_of, token) if token else None
    if principal is None:
        raise StaffDenied(401, "login_required")
    if request.method in UNSAFE and not same_site(request):
        raise StaffDenied(403, "cross_site")
    return principal


Staff = Annotated[Principal, Depends(signed_in)]


def role(*roles: str):  # noqa: ANN201
    """A dependency: the signed-in member has one of `roles` (admins always pass)."""

    async def check(principal: Staff) -> Principal:
        if principal.role not in roles and not principal.is_admin:
            raise StaffDenied(403, "forbidden_role")
        return principal

    return Depends(check)


def territory_for(principal: Principal, territory: str | None) -> str | None:
    """The territory a request is about: the one asked if allowed (403 otherwise), else one's own
    (None for an admin who asked none: every territory)."""
    if territory is None:
        return principal.territory_id
    if not principal.may_see(territory):
        raise StaffDenied(403, "forbidden_territory")
    return territory


def check_csrf(principal: Principal, given: str | None) -> None:
    from api.core.security import same_secret
    if not same_secret(given, principal.csrf):
        raise StaffDenied(403, "csrf_invalid")


def audit(session: Session, principal: Principal, action: str, territory_id: str | None,
          appointment_id: str | None = None) -> None:
    """One line of the audit log (committed by the caller's transaction or here)."""
    session.add(AuditEntry(user_id=principal.user_id, email=principal.email, action=action,
                           territory_id=territory_id, appointment_id=appointment_id))
    session.commit()


def audit_entries(session: Session, territory_id: str | None, limit: int = 100) -> list[AuditEntry]:
    """The audit log, newest first: one territory's, or every one (None)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc()).limit(limit)
    if territory_id is not None:
        query = query.where(AuditEntry.territory_id == territory_id)
    return list(session.exec(query).all())
