"""Console accounts: roles, argon2id password hashes, and lock-out after failed logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.models import ConsoleUser

ROLES = ("curator", "broadcaster", "staff", "admin")
# What each role may do; the operations console (notices, tickets) adds its pages here.
PERMISSIONS: dict[str, frozenset[str]] = {
    "curator": frozenset({"content"}),
    "broadcaster": frozenset({"notices", "codes"}),
    "staff": frozenset({"tickets"}),
    "admin": frozenset(
        {"content", "notices", "tickets", "users", "audit", "dashboard", "codes"}
    ),
}
MIN_PASSWORD_CHARS = 10
NAME_MAX_CHARS = 64
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


def may(role: str, permission: str) -> bool:
    """Return whether a role holds a permission."""
    return permission in PERMISSIONS.get(role, frozenset())


def find(session: Session, name: str) -> ConsoleUser | None:
    """Return the account with this name."""
    return session.scalars(select(ConsoleUser).where(ConsoleUser.name == name)).first()


def add_user(
    session: Session, *, name: str, password: str, role: str, now: datetime
) -> ConsoleUser:
    """Create an account (or replace the password and role of an existing one)."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_CHARS or any(c.isspace() for c in name):
        raise AccountError(f"name must be 1-{NAME_MAX_CHARS} characters without spaces")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    user = find(session, name) or ConsoleUser(name=name, created_at=now)
    user.password_hash = _hasher.hash(password)
    user.role = role
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: the account when it succeeded, else why not."""

    user: ConsoleUser | None
    outcome: str  # ok | bad | locked


def authenticate(
    session: Session,
    *,
    name: str,
    password: str,
    now: datetime,
    max_failed: int,
    lockout: timedelta,
) -> LoginResult:
    """Check a password; lock the account for `lockout` after `max_failed` failures in a row."""
    user = find(session, name.strip())
    if user is None:
        _verify(_DUMMY_HASH, password)  # same work as for a real account: no name probing
        return LoginResult(None, "bad")
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failed:
            user.locked_until = now + lockout
            user.failed_logins = 0
            return LoginResult(None, "locked")
        return LoginResult(None, "bad")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = now
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return LoginResult(user, "ok")


def _verify(password_hash: str, password: str) -> bool:
    """Return whether the password fits the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
