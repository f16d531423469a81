"""Entry point: assembles the noun sub-commands into one Typer app."""

from __future__ import annotations

import typer

from grayshield import __version__
from grayshield.cli import config as config_cli
from grayshield.cli import db as db_cli
from grayshield.cli import evaluate as evaluate_cli
from grayshield.cli import score as score_cli
from grayshield.cli import strategy as strategy_cli

app = typer.Typer(
    name="grayshield",
    help="GrayShield — 信用卡金融黑灰产综合治理平台 (card issuer's platform against the black/gray industry).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(config_cli.app, name="config")
app.add_typer(db_cli.app, name="db")
app.add_typer(score_cli.app, name="score")
app.add_typer(strategy_cli.app, name="strategy")
app.command("eval", help=evaluate_cli.evaluate.__doc__)(evaluate_cli.evaluate)
app.command("train", help=evaluate_cli.train.__doc__)(evaluate_cli.train)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main() -> None:  # pragma: no cover - console script
    app()
