"""``grayshield strategy``: analysts' front-end rules — validate, draft, backtest, publish, diff."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.errors import ValidationError
from grayshield.core.settings import get_settings
from grayshield.strategies.repository import StrategyRepository
from grayshield.strategies.rules import parse_rule_set

app = typer.Typer(help="策略 — front-end strategy rules for complaint warnings.", no_args_is_help=True)


def _repository() -> StrategyRepository:
    return StrategyRepository(get_settings().strategies_dir)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}") from None


@app.command("validate")
@handle_errors
def validate(file: Path = typer.Argument(..., help="Rule file (TOML).")) -> None:
    """校验 — check a rule file; every problem is named with where it is."""
    rules = parse_rule_set(_read(file), source=str(file))
    console.print(f"规则文件有效：版本 {rules.version}，{len(rules.rules)} 条规则，{len(rules.actions)} 个动作")


@app.command("draft")
@handle_errors
def draft(name: str = typer.Argument(...), file: Path = typer.Argument(..., help="Rule file (TOML).")) -> None:
    """保存草稿 — validate FILE and store it as draft NAME."""
    rules = _repository().save_draft(name, _read(file))
    console.print(f"草稿 {name} 已保存（版本 {rules.version}）")


@app.command("backtest")
@handle_errors
def backtest_cmd(
    name: str = typer.Argument(..., help="Draft name."),
    world: Path = typer.Option(..., "--world", help="History to replay (a world or the lake)."),
    out: Path | None = typer.Option(None, "--out", help="Write the report JSON here (needed to publish)."),
) -> None:
    """回测 — replay draft NAME on the history of --world with the newest complaint model."""
    from grayshield.services.complaint_warning import backtest_history
    from grayshield.strategies.backtest import backtest

    repo = _repository()
    rules = parse_rule_set(repo.draft_text(name), source=f"draft {name}")
    report = backtest(rules, backtest_history(world, get_settings().models_dir))
    if out is not None:
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print_json(report)


@app.command("publish")
@handle_errors
def publish(name: str = typer.Argument(...),
            report: Path = typer.Option(..., "--backtest", help="Backtest report JSON of this draft.")) -> None:
    """发布 — publish draft NAME as the next version; its backtest report is required."""
    try:
        data = json.loads(_read(report))
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{report} is not a backtest report: {exc}") from None
    version = _repository().publish(name, data)
    console.print(f"策略已发布为 {version}")


@app.command("list")
@handle_errors
def list_cmd(json_out: bool = typer.Option(False, "--json")) -> None:
    """版本列表 — published versions and the active one."""
    repo = _repository()
    info = {"versions": repo.versions(), "active": repo.active().version}
    if json_out:
        print_json(info)
    else:
        console.print(f"已发布版本：{', '.join(info['versions']) or '无'}；当前生效：{info['active']}")


@app.command("diff")
@handle_errors
def diff(old: str = typer.Argument(...), new: str = typer.Argument(...)) -> None:
    """差异 — unified diff between two published versions ('default' for the shipped rules)."""
    typer.echo(_repository().diff(old, new))
