"""Console users: local accounts with argon2 hashes, signed API tokens, and the sign-in seam for the bank's SSO.

The console and the ``grayshield users`` command both go through these functions, so the rules (known roles
only, unique names, disabled users refused everywhere) hold whichever door a change comes through. Every
change to a user is written to the audit log in the same transaction.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.core.roles import ROLES
from grayshield.store import Database
from grayshield.store.audit import record
from grayshield.store.models import User

_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
TOKEN_SALT = "grayshield.api-token"
DEFAULT_TOKEN_DAYS = 90
DEMO_USERNAME = "demo"

# argon2 needs a real hash to spend the same time on unknown users, so a timing probe cannot tell a
# missing account from a wrong password.
_DUMMY_HASH = _HASHER.hash("grayshield-dummy-password")


@dataclass(frozen=True)
class Principal:
    """Who is making a request, as the console's authorisation sees it."""

    username: str
    display_name: str
    roles: frozenset[str]
    via: str = "session"

    def has_any(self, roles: Iterable[str]) -> bool:
        return not self.roles.isdisjoint(roles)


class Authenticator(Protocol):
    """Checks a username and password; the bank plugs its single sign-on in by implementing this."""

    def authenticate(self, username: str, password: str) -> Principal | None: ...

    def lookup(self, username: str) -> Principal | None:
        """The current state of an account already signed in (disabled accounts return ``None``)."""
        ...


def validate_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(r.strip() for r in roles if r.strip())
    unknown = chosen - set(ROLES)
    if not chosen:
        raise ValidationError(f"至少需要一个角色 / at least one role is required: {', '.join(ROLES)}")
    if unknown:
        raise ValidationError(f"未知角色 / unknown roles {sorted(unknown)}; known: {', '.join(ROLES)}")
    return chosen


def _principal(user: User, via: str = "session") -> Principal:
    return Principal(user.username, user.display_name, user.role_set, via)


def _get(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError(f"用户不存在 / no such user: {username!r}")
    return user


def add_user(db: Database, username: str, password: str, roles: Iterable[str], *,
             display_name: str | None = None, actor: str = "system") -> Principal:
    """Create an active local user; refuses bad names, short passwords, unknown roles and duplicates."""
    if not _USERNAME.fullmatch(username):
        raise ValidationError("用户名须以字母开头，2-64 位字母、数字、'.'、'_'、'-' / invalid username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少 {MIN_PASSWORD_LENGTH} 位 / password needs {MIN_PASSWORD_LENGTH}+ characters")
    chosen = validate_roles(roles)
    with db.session() as session:
        if session.scalars(select(User.id).where(User.username == username)).first() is not None:
            raise ValidationError(f"用户已存在 / user already exists: {username!r}")
        user = User(username=username, display_name=display_name or username,
                    password_hash=_HASHER.hash(password), roles=",".join(sorted(chosen)), active=True)
        session.add(user)
        record(session, actor=actor, action="user.add", subject_type="user", subject_id=username,
               detail={"roles": sorted(chosen)})
        session.flush()
        return _principal(user)


@dataclass(frozen=True)
class UserSummary:
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool


def list_users(db: Database) -> list[UserSummary]:
    with db.session() as session:
        return [UserSummary(u.username, u.display_name, tuple(sorted(u.role_set)), u.active)
                for u in session.scalars(select(User).order_by(User.username))]


def set_active(db: Database, username: str, active: bool, *, actor: str = "system") -> None:
    """Disable (or re-enable) an account; a disabled account's sessions and tokens stop working at once."""
    with db.session() as session:
        user = _get(session, username)
        user.active = active
        record(session, actor=actor, action="user.enable" if active else "user.disable",
               subject_type="user", subject_id=username)


def set_roles(db: Database, username: str, roles: Iterable[str], *, actor: str = "system") -> None:
    chosen = validate_roles(roles)
    with db.session() as session:
        user = _get(session, username)
        before = sorted(user.role_set)
        user.roles = ",".join(sorted(chosen))
        record(session, actor=actor, action="user.roles", subject_type="user", subject_id=username,
               detail={"before": before, "after": sorted(chosen)})


class LocalAuthenticator:
    """Users of the operational store with argon2-hashed passwords."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def authenticate(self, username: str, password: str) -> Principal | None:
        with self.db.session() as session:
            user = session.scalars(select(User).where(User.username == username)).first()
            stored = user.password_hash if user is not None else _DUMMY_HASH
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None or not user.active:
                return None
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
            return _principal(user)

    def lookup(self, username: str) -> Principal | None:
        with self.db.session() as session:
            user = session.scalars(select(User).where(User.username == username)).first()
            return _principal(user) if user is not None and user.active else None


def record_sign_in(db: Database, principal: Principal, client: str) -> None:
    """Sign-ins go to the audit log (with the staff member's address), whichever authenticator vouched."""
    with db.session() as session:
        record(session, actor=principal.username, action="auth.login", subject_type="user",
               subject_id=principal.username, detail={"client": client})


# ---------------------------------------------------------------------------------------------- API tokens
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def issue_token(db: Database, secret_key: str, username: str, *, actor: str = "system") -> str:
    """A bearer token for a machine client (IVR, agent desktop) acting as ``username``.

    The token names the user only; roles and the active flag are read on every request, so disabling the
    user revokes its tokens. Issuing one is audited.
    """
    with db.session() as session:
        user = _get(session, username)
        if not user.active:
            raise ValidationError(f"用户已停用，不能签发令牌 / user {username!r} is disabled")
        nonce = secrets.token_hex(4)
        record(session, actor=actor, action="user.token", subject_type="user", subject_id=username,
               detail={"nonce": nonce})
    return _serializer(secret_key).dumps({"u": username, "n": nonce})


def token_username(secret_key: str, token: str, max_age_days: int = DEFAULT_TOKEN_DAYS) -> str | None:
    """The username a token was issued for, or ``None`` if it is forged, malformed or expired."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_days * 86_400)
    except (BadSignature, SignatureExpired):
        return None
    username = payload.get("u") if isinstance(payload, dict) else None
    return username if isinstance(username, str) else None


# ---------------------------------------------------------------------------------------------- demo
def ensure_demo_user(db: Database) -> tuple[str, str]:
    """A demo account holding every role, with a fresh random password each call (printed by ``make demo``).

    An existing demo account gets the new password and is re-enabled, so the printed login always works.
    """
    password = secrets.token_urlsafe(12)
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == DEMO_USERNAME)).first()
        if user is None:
            session.add(User(username=DEMO_USERNAME, display_name="演示用户", password_hash=_HASHER.hash(password),
                             roles=",".join(ROLES), active=True))
        else:
            user.password_hash = _HASHER.hash(password)
            user.roles = ",".join(ROLES)
            user.active = True
        record(session, actor="system", action="user.demo", subject_type="user", subject_id=DEMO_USERNAME)
    return DEMO_USERNAME, password
