"""``grayshield users``: console accounts and API tokens for machine clients."""

from __future__ import annotations

import sys

import typer

from grayshield.cli.common import console, handle_errors, open_store, print_json
from grayshield.core.errors import ValidationError
from grayshield.core.roles import ROLES
from grayshield.core.settings import get_settings

ROLE_HELP = f"Role (repeatable): {', '.join(ROLES)}."
app = typer.Typer(help="用户 — console users, roles and API tokens.", no_args_is_help=True)


def _read_password(password_stdin: bool) -> str:
    """Passwords come from stdin only, never from argv, where ``ps`` and shell history would keep them."""
    if not password_stdin:
        raise ValidationError("请用 --password-stdin 从标准输入提供密码 / pass the password on stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError("标准输入没有密码 / no password on stdin")
    return password


@app.command("add")
@handle_errors
def add(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: list[str] = typer.Option(..., "--role", help=ROLE_HELP),
    display_name: str | None = typer.Option(None, "--display-name", help="Name shown in the console."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """新增用户 — create an active local user."""
    from grayshield.services.users import add_user

    password = _read_password(password_stdin)
    with open_store() as db:
        created = add_user(db, username, password, role, display_name=display_name, actor="cli")
    console.print(f"已创建用户 {created.username}（角色：{'、'.join(sorted(created.roles))}）")


@app.command("list")
@handle_errors
def list_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """列出用户 — users, roles and whether they are active."""
    from grayshield.services.users import list_users

    with open_store() as db:
        found = list_users(db)
    if json_out:
        print_json([{"username": u.username, "display_name": u.display_name, "roles": list(u.roles),
                     "active": u.active} for u in found])
        return
    for u in found:
        console.print(f"{u.username:<20} {'启用' if u.active else '停用'}  {','.join(u.roles)}  {u.display_name}")


@app.command("disable")
@handle_errors
def disable(username: str = typer.Argument(..., help="User to disable.")) -> None:
    """停用用户 — the user's sessions and API tokens stop working at once."""
    from grayshield.services.users import set_active

    with open_store() as db:
        set_active(db, username, False, actor="cli")
    console.print(f"已停用用户 {username}")


@app.command("token")
@handle_errors
def token(username: str = typer.Argument(..., help="User the machine client acts as.")) -> None:
    """签发 API 令牌 — a bearer token for the IVR or agent desktop, printed on stdout (valid 90 days)."""
    from grayshield.services.users import issue_token

    settings = get_settings()
    with open_store() as db:
        issued = issue_token(db, settings.secret_key.get_secret_value(), username, actor="cli")
    sys.stdout.write(issued + "\n")


@app.command("demo")
@handle_errors
def demo() -> None:
    """演示账号 — create or reset the all-roles `demo` account; prints `USERNAME PASSWORD` on stdout (for make demo)."""
    from grayshield.services.users import ensure_demo_user

    with open_store() as db:
        username, password = ensure_demo_user(db)
    sys.stdout.write(f"{username} {password}\n")
