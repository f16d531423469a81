"""``grayshield db``: create and migrate the operational store."""

from __future__ import annotations

import typer

from grayshield.cli.common import console, handle_errors, open_store, print_json

app = typer.Typer(help="运营库 — the operational store (users, tags, alerts, cases, audit).", no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def upgrade_cmd(revision: str = typer.Argument("heads", help="Target revision (default: the newest).")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from grayshield.store import upgrade

    with open_store() as db:
        now = upgrade(db, revision)
    console.print(f"运营库已升级到版本 {now} ({db.url.render_as_string(hide_password=True)})")


@app.command("current")
@handle_errors
def current_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the store's revision and the newest one this version of GrayShield knows."""
    from grayshield.store import current_revision
    from grayshield.store.migrate import head_revision

    with open_store() as db:
        info = {"current_revision": current_revision(db), "head_revision": head_revision()}
    if json_out:
        print_json(info)
    else:
        console.print(f"当前版本 {info['current_revision']}，最新版本 {info['head_revision']}")
