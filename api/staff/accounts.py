"""Staff accounts: argon2 password hashes (pwdlib), server-side sessions, lockout, invitations.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256, with a CSRF
token for the HTML forms. After `MAX_FAILURES` wrong passwords in a row an account is locked for
`LOCK_FOR`; a wrong email costs the same hashing time as a wrong password, and both get the same answer.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete
from sqlmodel import Session, select

from api.models import StaffInvite, StaffSession, StaffUser, utcnow

ROLES = ("agent", "coordinator", "admin")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_FOR = timedelta(hours=12)
INVITE_FOR = timedelta(days=7)
MIN_PASSWORD = 12
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")

hasher = PasswordHash((Argon2Hasher(),))
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A field refused; `key` names the French message in knowledge/staff/messages.yml."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member, as the routes see them."""

    user_id: int
    email: str
    role: str
    territory_id: str | None
    summaries: bool
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see(self, territory_id: str | None) -> bool:
        return self.is_admin or (territory_id is not None and territory_id == self.territory_id)

    @property
    def sees_summaries(self) -> bool:
        return self.is_admin or (self.summaries and self.role in ("agent", "coordinator"))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_fields(email: str, role: str, territory_id: str | None, known_territories: set[str]) -> str:
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError("email_invalid")
    if role not in ROLES:
        raise AccountError("role_invalid")
    if role != "admin" and not territory_id:
        raise AccountError("territory_required")
    if territory_id is not None and territory_id not in known_territories:
        raise AccountError("territory_unknown")
    return email


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short")
    return password


def create_user(session: Session, email: str, password: str | None, role: str, territory_id: str | None,
                known_territories: set[str], summaries: bool = True) -> StaffUser:
    email = check_fields(email, role, territory_id, known_territories)
    password = check_password(password)
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first() is not None:
        raise AccountError("email_taken")
    user = StaffUser(email=email, password_hash=hasher.hash(password), role=role,
                     territory_id=None if role == "admin" else territory_id, summaries=summaries)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> StaffUser | None:
    """The user if the password is right and the account neither locked nor disabled; None otherwise."""
    now = now or utcnow()
    user = session.exec(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()
    if user is None:
        hasher.verify(password, _DUMMY_HASH)      # the same cost as a real check
        return None
    locked = user.locked_until is not None and _aware(user.locked_until) > now
    valid, new_hash = hasher.verify_and_update(password, user.password_hash)
    if locked or not user.active:
        return None
    if not valid:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCK_FOR, 0
        session.add(user)
        session.commit()
        return None
    if new_hash:
        user.password_hash = new_hash
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    session.add(user)
    session.commit()
    return user


def open_session(session: Session, user: StaffUser, now: datetime | None = None) -> tuple[str, StaffSession]:
    """A new session for `user`: returns the cookie's token (never stored) and the row."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = StaffSession(id=digest(token), user_id=user.id, csrf=secrets.token_urlsafe(24), created_at=now,
                       expires_at=now + SESSION_FOR)
    session.exec(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(row)
    session.commit()
    return token, row


def principal_of(session: Session, token: str, now: datetime | None = None) -> Principal | None:
    now = now or utcnow()
    row = session.get(StaffSession, digest(token))
    if row is None or _aware(row.expires_at) <= now:
        return None
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        return None
    return Principal(user.id, user.email, user.role, user.territory_id, user.summaries, row.csrf)


def close_session(session: Session, token: str) -> None:
    session.exec(delete(StaffSession).where(StaffSession.id == digest(token)))
    session.commit()


def invite(session: Session, email: str, role: str, territory_id: str | None, known_territories: set[str],
           created_by: int | None, summaries: bool = True, now: datetime | None = None) -> str:
    """An invitation: returns the token of the link the invited person opens to choose a password."""
    now = now or utcnow()
    email = check_fields(email, role, territory_id, known_territories)
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first() is not None:
        raise AccountError("email_taken")
    token = secrets.token_urlsafe(32)
    session.add(StaffInvite(id=digest(token), email=email, role=role, summaries=summaries,
                            territory_id=None if role == "admin" else territory_id, created_by=created_by,
                            created_at=now, expires_at=now + INVITE_FOR))
    session.commit()
    return token


def pending_invite(session: Session, token: str, now: datetime | None = None) -> StaffInvite | None:
    now = now or utcnow()
    row = session.get(StaffInvite, digest(token))
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
        return None
    return row


def accept_invite(session: Session, token: str, password: str | None, known_territories: set[str],
                  now: datetime | None = None) -> StaffUser:
    now = now or utcnow()
    row = pending_invite(session, token, now)
    if row is None:
        raise AccountError("invite_invalid")
    user = create_user(session, row.email, password, row.role, row.territory_id, known_territories,
                       summaries=row.summaries)
    row.used_at = now
    session.add(row)
    session.commit()
    return user


def _aware(moment: datetime) -> datetime:
    from datetime import timezone
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
