"""Helpers shared by CLI modules: settings at the edge, error mapping, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from grayshield.core.errors import GrayShieldError

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
