"""The console's app factory: one FastAPI app serving the JSON API under ``/api/v1`` and the Chinese pages.

Every route, including routers added later, runs :func:`grayshield.web.security.authorize` first, so a route
is reachable only through the access table. To add a router (e.g. call screening), list it in
:func:`api_routers`; its routes then need their lines in ``grayshield.web.access.ACCESS``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from grayshield import __version__
from grayshield.core.settings import Settings
from grayshield.services.screening import Screener
from grayshield.services.screening_stats import ScreeningStats
from grayshield.services.users import Authenticator, LocalAuthenticator
from grayshield.store import Database
from grayshield.web import errors, labels
from grayshield.web.security import LoginThrottle, authorize

HERE = Path(__file__).parent
SESSION_COOKIE = "grayshield_session"
SESSION_MAX_AGE = timedelta(hours=8)
# Pages load only this origin's scripts and styles; ECharts and HTMX are vendored under /static.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def api_routers() -> list[APIRouter]:
    """The JSON API routers; later work adds its router here (one line) and its routes to the access table."""
    from grayshield.web.api import console, screen

    return [console.router, screen.router]


def create_app(settings: Settings, *, authenticator: Authenticator | None = None, db: Database | None = None,
               screener: Screener | None = None) -> FastAPI:
    """Build the console for ``settings``; pass ``authenticator`` to sign in through the bank's SSO.

    Without a ``screener`` the call-screening endpoint answers 503 (``grayshield serve`` builds one).
    """
    from grayshield.web import compliance_pages, pages, social_pages, strike_pages

    app = FastAPI(
        title="GrayShield 控制台 API", version=__version__,
        openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,  # Swagger UI would need a CDN
        dependencies=[Depends(authorize)], lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.db_url)
    app.state.authenticator = authenticator or LocalAuthenticator(app.state.db)
    app.state.screener = screener
    app.state.screening_stats = ScreeningStats(app.state.db)  # counts screened calls for the overview
    app.state.login_throttle = LoginThrottle()
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.globals.update(role_labels=labels.ROLE_LABELS, proxy_labels=labels.PROXY_LABELS,
                                           attribute_labels=labels.ATTRIBUTE_LABELS, drift_labels=labels.DRIFT_LABELS,
                                           tag_state_labels=labels.TAG_STATE_LABELS,
                                           tag_source_labels=labels.TAG_SOURCE_LABELS,
                                           subject_labels=labels.SUBJECT_LABELS)

    for router in api_routers():
        app.include_router(router, prefix="/api/v1")
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(strike_pages.router, include_in_schema=False)
    app.include_router(social_pages.router, include_in_schema=False)
    app.include_router(compliance_pages.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key.get_secret_value(), session_cookie=SESSION_COOKIE,
        max_age=int(SESSION_MAX_AGE.total_seconds()), same_site="strict",
        https_only=settings.environment != "development",
    )
    app.middleware("http")(_response_headers)
    errors.install(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, freeze what is loaded so far; on shutdown, write the screened-call counts still in memory.

    Engines, lexicons and dictionaries are a few hundred thousand long-lived objects; without ``gc.freeze`` every
    full collection walks them all and stalls one page in a dozen by ≈ 300 ms (measured with bench/console.py:
    p95 of /social 415 ms before, ≈ 140 ms worst render after).
    """
    gc.collect()
    gc.freeze()
    yield
    stats: ScreeningStats | None = getattr(app.state, "screening_stats", None)
    if stats is not None:
        await run_in_threadpool(stats.close)


async def _response_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Security headers on every answer, and ``Server-Timing`` so page speed can be read from the browser
    (and by ``bench/console.py``) without a profiler."""
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if not request.url.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response
