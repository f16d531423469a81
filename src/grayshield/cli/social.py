"""``grayshield social``: train, scan crawled data, watch list, report batches, outcomes and effectiveness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json, store_session
from grayshield.core.errors import NotFoundError
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="舆情监测 — black/gray accounts on social platforms, watch list and report batches.",
                  no_args_is_help=True)
T = TypeVar("T")

FORMAT_HELP = "Importer: mediacrawler (its csv/json/jsonl output folder) or contract (contract columns)."


def _in_store(action: Callable[[Session], T]) -> T:
    with store_session() as session:
        return action(session)


@app.command("importers")
@handle_errors
def importers_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """数据格式 — the registered importers (banks add vendor formats)."""
    from grayshield.social.importers import IMPORTERS

    names = IMPORTERS.names()
    if json_out:
        print_json(names)
    else:
        console.print("、".join(names))


@app.command("train")
@handle_errors
def train_cmd(world: Path = typer.Argument(..., metavar="WORLD", help="A world with truth/social_*."),
              json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """训练模型 — fit the post classifier and the account model on a labelled world and publish a version."""
    from grayshield.social.evaluation import train_world

    result = train_world(world, get_settings().models_dir)
    if json_out:
        print_json(result)
    else:
        console.print(f"已发布舆情账号模型 {result['model']} {result['version']}"
                      f"（训练账号 {result['training_accounts']}，其中黑灰产 {result['training_blackgray_accounts']}）")


@app.command("scan")
@handle_errors
def scan_cmd(
    path: Path = typer.Argument(..., metavar="PATH", help="A crawl folder or file."),
    importer: str = typer.Option("mediacrawler", "--format", help=FORMAT_HELP),
    weights: Path | None = typer.Option(None, "--weights", help="Priority weights TOML (default: packaged)."),
    top: int = typer.Option(20, "--top", min=1, help="How many top-priority accounts to show."),
    watch: int = typer.Option(0, "--watch", min=0, help="Put the N top flagged accounts on the watch list."),
    tags: bool = typer.Option(False, "--tags", help="Propose tags for flagged accounts and their contacts."),
    actor: str = typer.Option("social-scan", "--actor", help="Recorded in the watch list, tags and audit."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """扫描 — import crawled data, score accounts, rank by priority; optionally watch, tag, and raise alerts."""
    from grayshield.services.social_monitoring import WatchList, propose_tags, scan, scan_summary

    result = scan(path, importer, get_settings().models_dir, weights)
    summary = scan_summary(result, top)
    flagged = result.ranked[result.ranked["flagged"]]

    def store(session: Session) -> dict[str, object]:
        watch_list = WatchList(session, actor)
        alerts = watch_list.refresh(result.ranked)
        added = watch_list.add(flagged.head(watch).to_dict(orient="records"), "扫描高优先级") if watch else 0
        proposed = propose_tags(session, actor, flagged) if tags else 0
        return {"alerts": [{"kind": a.kind, "message": a.message, **a.detail} for a in alerts],
                "watch_added": added, "tags_proposed": proposed}

    summary.update(_in_store(store))
    if json_out:
        print_json(summary)
        return
    table = Table(title=f"优先级最高的账号（共评分 {summary['accounts_scored']}，疑似黑灰产 {summary['accounts_flagged']}）")
    for column in ("平台", "账号", "昵称", "概率", "优先级", "业务", "地区", "主要原因"):
        table.add_column(column)
    for row in summary["top"]:  # type: ignore[union-attr]
        reasons = "；".join(f"{r['label_zh']}={r['value']}" for r in row["reasons"][:2])
        table.add_row(row["platform"], row["account_id"], str(row["nickname"] or ""), f"{row['p_blackgray']:.3f}",
                      f"{row['priority']:.1f}", str(row["business_type"]), str(row["region"] or ""), reasons)
    console.print(table)
    for alert in summary["alerts"]:  # type: ignore[union-attr]
        console.print(f"[bold yellow]预警[/] {alert['message']}")


@app.command("report")
@handle_errors
def report_cmd(
    path: Path = typer.Argument(..., metavar="PATH", help="A crawl folder or file."),
    out: Path = typer.Option(..., "--out", help="Folder for the batch files."),
    importer: str = typer.Option("mediacrawler", "--format", help=FORMAT_HELP),
    weights: Path | None = typer.Option(None, "--weights", help="Priority weights TOML."),
    top: int | None = typer.Option(None, "--top", min=1, help="Only the N top-priority flagged accounts."),
    formats: str = typer.Option("csv,json,xlsx", "--formats", help="Comma-separated: csv, json, xlsx."),
    actor: str = typer.Option(..., "--actor", help="Who files the reports."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """举报批次 — evidence per platform and report reason, exported and recorded as filed."""
    from grayshield.services.social_monitoring import Reports, batch_items, scan
    from grayshield.social.reports import export_batches, group_batches

    result = scan(path, importer, get_settings().models_dir, weights)
    items = batch_items(result, top)
    batch_id = datetime.now(UTC).strftime("R%Y%m%d%H%M%S")
    written = export_batches(items, out, [f.strip() for f in formats.split(",") if f.strip()], prefix=batch_id)
    filed = _in_store(lambda s: Reports(s, actor).file(items, batch_id))
    summary = {"batch_id": batch_id, "items": len(items), "filed": filed, "files": [str(p) for p in written],
               "batches": {f"{p}/{r}": len(v) for (p, r), v in group_batches(items).items()}}
    if json_out:
        print_json(summary)
    else:
        console.print(f"批次 {batch_id}：{len(items)} 条（新 {filed['new']}，再次举报 {filed['again']}），文件写入 {out}")


@app.command("outcomes")
@handle_errors
def outcomes_cmd(
    path: Path = typer.Argument(..., metavar="CSV", help="item_id, outcome[, decided_at, note]."),
    actor: str = typer.Option(..., "--actor", help="Who records the outcomes."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """导入处置结果 — accepted, removed, limited, banned or rejected, per reported item."""
    from grayshield.services.social_monitoring import Reports
    from grayshield.social.effectiveness import read_outcomes

    if not path.is_file():
        raise NotFoundError(f"文件不存在: {path}")
    outcomes, problems = read_outcomes(path)
    result = _in_store(lambda s: Reports(s, actor).record_outcomes(outcomes))
    result["problems"] = [{"line": p.line, "reason": p.reason} for p in problems]
    if json_out:
        print_json(result)
    else:
        console.print(f"已更新 {result['updated']} 条；未找到举报记录 {len(result['unknown_items'])} 条；"
                      f"无法识别 {len(problems)} 行")
        for problem in problems:
            console.print(f"  第 {problem.line} 行: {problem.reason}")
    if problems or result["unknown_items"]:
        raise typer.Exit(code=3)  # partial import: scripts can tell it from a clean one


@app.command("due")
@handle_errors
def due_cmd(
    path: Path = typer.Argument(..., metavar="PATH", help="The latest crawl (tells what is still up)."),
    importer: str = typer.Option("mediacrawler", "--format", help=FORMAT_HELP),
    wait_days: int = typer.Option(7, "--wait-days", min=0),
    max_attempts: int = typer.Option(3, "--max-attempts", min=1),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """待再次举报 — items still up after a rejection or no answer, on the re-report schedule."""
    from grayshield.services.social_monitoring import Reports
    from grayshield.social.history import collect, latest
    from grayshield.social.importers import import_path

    posts = latest(collect(import_path(path, importer)).posts, ["platform", "post_id"])
    live = posts[~posts["removed"].fillna(False).astype(bool)]
    still_up = set(live["platform"] + ":" + live["post_id"])
    due = _in_store(lambda s: Reports(s, "cli").due(still_up, wait_days=wait_days, max_attempts=max_attempts))
    rows = due[["item_id", "platform", "reason", "attempts", "outcome", "url"]].to_dict(orient="records")
    if json_out:
        print_json(rows)
    else:
        console.print(f"待再次举报 {len(rows)} 条")
        for row in rows:
            console.print(f"  {row['item_id']}  第 {row['attempts'] + 1} 次  {row['url'] or ''}")


@app.command("effectiveness")
@handle_errors
def effectiveness_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """举报成效 — removal and ban rates by platform, reason and region; time to take-down."""
    from grayshield.services.social_monitoring import Reports

    figures = _in_store(lambda s: Reports(s, "cli").effectiveness())
    if json_out:
        print_json(figures)
        return
    console.print(f"共举报 {figures['filed']} 条")
    for platform, row in figures["by_platform"].items():
        console.print(f"  {platform}: 举报 {row['filed']}，删除率 {row['removal_rate']:.0%}，封号率 {row['ban_rate']:.0%}，"
                      f"处置中位时长 {row['median_hours_to_takedown'] or '-'} 小时")


@app.command("trend")
@handle_errors
def trend_cmd(
    path: Path = typer.Argument(..., metavar="PATH", help="A crawl folder or file."),
    importer: str = typer.Option("mediacrawler", "--format", help=FORMAT_HELP),
    top_terms: int = typer.Option(10, "--top-terms", min=1),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """黑灰产声量趋势 — black/gray posts per month, by keyword and by region."""
    from grayshield.services.social_monitoring import trend

    figures = trend(path, importer, get_settings().models_dir, top_terms)
    if json_out:
        print_json(figures)
        return
    for month, count in figures["by_month"].items():
        terms = "、".join(f"{t} {n}" for t, n in sorted(figures["by_month_keyword"].get(month, {}).items(),
                                                        key=lambda kv: -kv[1])[:5])
        console.print(f"{month}: {count} 条  {terms}")


@app.command("watchlist")
@handle_errors
def watchlist_cmd(
    state: str = typer.Option("watching", "--state", help="watching, closed or all."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """关注列表 — accounts under monitoring, highest priority first."""
    from grayshield.services.social_monitoring import WatchList

    def rows(session: Session) -> list[dict[str, object]]:
        entries = WatchList(session, "cli").entries(None if state == "all" else state)
        return [{"platform": e.platform, "account_id": e.account_id, "nickname": e.nickname, "state": e.state,
                 "priority": e.priority, "followers": e.followers, "reason": e.reason, "added_by": e.added_by}
                for e in entries]

    found = _in_store(rows)
    if json_out:
        print_json(found)
        return
    for row in found:
        console.print(f"{row['platform']}:{row['account_id']}  {row['nickname']}  优先级 {row['priority']}  "
                      f"粉丝 {row['followers']}  {row['state']}")


@app.command("unwatch")
@handle_errors
def unwatch_cmd(
    platform: str = typer.Argument(...), account_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why (kept in history)."),
    actor: str = typer.Option(..., "--actor"),
) -> None:
    """移出关注 — close a watch-list entry with a reason (it still alerts if the operator reappears)."""
    from grayshield.services.social_monitoring import WatchList

    _in_store(lambda s: WatchList(s, actor).close(platform, account_id, reason))
    console.print(f"已移出关注列表: {platform}:{account_id}")
