"""Helpers shared by CLI modules: settings at the edge, error mapping, JSON output, the operational store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from grayshield.core.errors import GrayShieldError
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grayshield.store import Database

console = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Map domain errors to a clear message and their exit code: the one place the CLI does it."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except GrayShieldError as exc:
            console.print(f"[bold red]错误[/]: {exc.message}")
            raise typer.Exit(code=exc.exit_code) from exc

    return wrapper


def print_json(obj: Any) -> None:
    """One JSON object on stdout, UTF-8, no ASCII escaping (analysts read Chinese)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


@contextmanager
def open_store() -> Iterator[Database]:
    """The operational store the settings name, disposed of when the command is done.

    The store (SQLAlchemy, Alembic) is imported here, on use, so commands that never touch it start fast.
    """
    from grayshield.store import Database

    db = Database(get_settings().db_url)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def store_session() -> Iterator[Session]:
    """One session (one transaction) on the operational store, for commands that act through a service."""
    with open_store() as db, db.session() as session:
        yield session
