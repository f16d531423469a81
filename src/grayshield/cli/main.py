"""Entry point: assembles the noun sub-commands into one Typer app."""

from __future__ import annotations

import os

import typer

from grayshield import __version__
from grayshield.cli import callers as callers_cli
from grayshield.cli import cases as cases_cli
from grayshield.cli import compliance as compliance_cli
from grayshield.cli import config as config_cli
from grayshield.cli import db as db_cli
from grayshield.cli import evaluate as evaluate_cli
from grayshield.cli import gangs as gangs_cli
from grayshield.cli import ingest as ingest_cli
from grayshield.cli import lake as lake_cli
from grayshield.cli import pii as pii_cli
from grayshield.cli import score as score_cli
from grayshield.cli import serve as serve_cli
from grayshield.cli import simulate as simulate_cli
from grayshield.cli import social as social_cli
from grayshield.cli import strategy as strategy_cli
from grayshield.cli import tags as tags_cli
from grayshield.cli import text as text_cli
from grayshield.cli import users as users_cli
from grayshield.core.errors import GrayShieldError
from grayshield.core.logging import configure_logging
from grayshield.core.settings import get_settings

app = typer.Typer(
    name="grayshield",
    help="GrayShield — 信用卡金融黑灰产综合治理平台 (card issuer's platform against the black/gray industry).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for command in (simulate_cli.simulate, ingest_cli.ingest, serve_cli.serve):
    app.command(command.__name__, help=command.__doc__)(command)
app.command("eval", help=evaluate_cli.evaluate.__doc__)(evaluate_cli.evaluate)
app.command("train", help=evaluate_cli.train.__doc__)(evaluate_cli.train)
for name, sub in (
    ("lake", lake_cli.app), ("db", db_cli.app), ("config", config_cli.app), ("score", score_cli.app),
    ("strategy", strategy_cli.app), ("text", text_cli.app), ("pii", pii_cli.app), ("users", users_cli.app),
    ("callers", callers_cli.app), ("tags", tags_cli.app), ("compliance", compliance_cli.app),
    ("gangs", gangs_cli.app), ("cases", cases_cli.app), ("social", social_cli.app),
):
    app.add_typer(sub, name=name)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
    engine: str | None = typer.Option(None, "--engine", help="Query engine for this run: duckdb or spark "
                                      "(overrides GRAYSHIELD_LAKE__ENGINE)."),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()
    if engine is not None:
        os.environ["GRAYSHIELD_LAKE__ENGINE"] = engine
        get_settings.cache_clear()
    try:
        configure_logging(get_settings().log_level)
    except GrayShieldError:
        pass  # a broken configuration is reported by the command itself, with its exit code


def main() -> None:  # pragma: no cover - console script
    app()
