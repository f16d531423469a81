"""Authentication, authorisation and CSRF for every request, in one dependency the whole app runs.

A request is signed in either by the session cookie (browsers) or by ``Authorization: Bearer <token>``
(machine clients). Browsers must echo the session's CSRF token on every state-changing call (header
``X-CSRF-Token``, which HTMX sends, or form field ``csrf_token``); bearer calls carry no cookie, so a
forged cross-site request cannot ride on them and they need no CSRF token.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from grayshield.core.logging import get_logger
from grayshield.services.users import Authenticator, Principal, token_username
from grayshield.web.access import PUBLIC, lookup

log = get_logger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class NotAuthenticated(Exception):
    """No valid session or token: browsers are sent to the sign-in page, API clients get 401."""


class Forbidden(Exception):
    """Signed in, but the route is not for these roles (or the CSRF token is missing): 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginThrottle:
    """At most ``limit`` failed sign-ins per (username, client address) in ``window_s`` seconds.

    Kept in memory on purpose (one console process per bank site); a restart clears it, which is acceptable
    for a throttle whose job is to make online guessing slow, not to lock accounts.
    """

    def __init__(self, limit: int = 5, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def blocked(self, username: str, client: str) -> bool:
        with self._lock:
            return len(self._recent((username.lower(), client), time.monotonic())) >= self.limit

    def fail(self, username: str, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent((username.lower(), client), now).append(now)

    def succeed(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), client), None)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (the sign-in form gets one before anyone signs in)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def _check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or sent is None or not secrets.compare_digest(expected, sent):
        raise Forbidden("CSRF 校验失败，请刷新页面后重试 / CSRF token missing or wrong")


def _principal(request: Request) -> Principal | None:
    authenticator: Authenticator = request.app.state.authenticator
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("Authorization 头格式应为 'Bearer <token>'")
        username = token_username(request.app.state.settings.secret_key.get_secret_value(), token.strip())
        found = authenticator.lookup(username) if username else None
        if found is None:
            raise NotAuthenticated("令牌无效、过期或用户已停用 / invalid, expired or revoked token")
        return Principal(found.username, found.display_name, found.roles, via="token")
    username = request.session.get("user")
    if not isinstance(username, str):
        return None
    found = authenticator.lookup(username)
    if found is None:  # disabled since signing in: the session dies with the account
        request.session.clear()
    return found


async def authorize(request: Request) -> Principal | None:
    """Runs before every route: resolve who is calling, check the route table, then CSRF."""
    found = lookup(request.method, request.url.path)
    if found is None:
        log.warning("refused %s: route missing from the access table", request.method)
        raise Forbidden("该功能未开放 / route not in the access table")
    allowed = found[1]
    try:
        principal = await run_in_threadpool(_principal, request)  # a store lookup: keep it off the event loop
    except NotAuthenticated:
        if allowed is not PUBLIC:
            raise
        principal = None  # a stale or bad token must not lock anyone out of the sign-in page
    request.state.principal = principal
    if allowed is not PUBLIC:
        if principal is None:
            raise NotAuthenticated("请先登录 / sign-in required")
        if principal.roles.isdisjoint(allowed):
            raise Forbidden("您的角色无权访问此功能 / your roles do not allow this")
    if request.method not in SAFE_METHODS and (principal is None or principal.via != "token"):
        await _check_csrf(request)
    return principal


def require_principal(request: Request) -> Principal:
    """The signed-in caller for routes that are never public (``authorize`` already refused the rest)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise NotAuthenticated("请先登录 / sign-in required")
    return principal


CurrentUser = Annotated[Principal, Depends(require_principal)]
