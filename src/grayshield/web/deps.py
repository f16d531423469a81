"""Typed dependencies the routes share: the store session, settings and the template renderer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from grayshield.core.settings import Settings
from grayshield.store import Database
from grayshield.strategies.repository import StrategyRepository
from grayshield.web.access import may
from grayshield.web.security import csrf_token


def _db_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.db
    with database.session() as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _strategies(request: Request) -> StrategyRepository:
    return StrategyRepository(_settings(request).strategies_dir)


DbSession = Annotated[Session, Depends(_db_session)]
AppSettings = Annotated[Settings, Depends(_settings)]
Strategies = Annotated[StrategyRepository, Depends(_strategies)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page or an HTMX fragment, with what every template needs (who is signed in, CSRF token, nav rights)."""
    templates: Jinja2Templates = request.app.state.templates
    principal = getattr(request.state, "principal", None)
    roles = principal.roles if principal is not None else frozenset()
    return templates.TemplateResponse(
        request, template, status_code=status_code,
        context={"principal": principal, "csrf_token": csrf_token(request),
                 "may": lambda method, path: may(roles, method, path), **context},
    )


def pending_screened(request: Request) -> dict[tuple[datetime, str], int]:
    """Screened-call counts this process holds but has not flushed yet, so the overview is current."""
    stats = getattr(request.app.state, "screening_stats", None)
    return stats.pending() if stats is not None else {}


def lexicons_dir(settings: Settings) -> Path:
    """Where lexicon versions saved from the console live; the text engine uses the newest of each name."""
    return settings.lexicons_dir
