"""``grayshield config``: show the effective configuration with secrets hidden."""

from __future__ import annotations

import typer

from grayshield.cli.common import handle_errors, print_json
from grayshield.core.settings import get_settings

app = typer.Typer(help="配置 — show the effective configuration.", no_args_is_help=True)


@app.command("show")
@handle_errors
def show() -> None:
    """Print the effective settings as JSON; secrets and database passwords are hidden."""
    print_json(get_settings().public_dict())
