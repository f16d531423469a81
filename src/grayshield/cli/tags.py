"""``grayshield tags``: list, propose, review, import, export and expire tags in the operational store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json, store_session
from grayshield.core.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from grayshield.tags import TagService

# The tag engine and the store (SQLAlchemy, the lake's phone rules) load inside the commands, so that
# ``grayshield --help`` does not pay for them.

app = typer.Typer(help="标签 — tags on numbers, customers, social accounts and devices.", no_args_is_help=True)
T = TypeVar("T")


@contextmanager
def _service(actor: str) -> Iterator[TagService]:
    from grayshield.tags import TagService

    with store_session() as session:
        yield TagService(session, actor)


def _tag_dict(tag: object) -> dict[str, object]:
    cols = ("id", "tag_type", "subject_type", "subject_id", "source", "source_ref", "confidence", "state",
            "valid_until", "reviewed_by", "review_reason", "version")
    return {c: getattr(tag, c) for c in cols}


def _run(actor: str, action: Callable[[TagService], T]) -> T:
    with _service(actor) as service:
        return action(service)


@app.command("types")
@handle_errors
def types_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """标签类型 — the taxonomy: tag types, their subjects and default validity."""
    from grayshield.tags import TAG_TYPES

    rows = [{"name": t.name, "label_zh": t.label_zh, "subjects": list(t.subjects), "risk": t.risk,
             "validity_days": t.validity_days} for t in (TAG_TYPES.get(n) for n in TAG_TYPES.names())]
    if json_out:
        print_json(rows)
        return
    for row in rows:
        console.print(f"{row['name']}  {row['label_zh']}  对象: {', '.join(row['subjects'])}  "  # type: ignore[arg-type]
                      f"有效期: {row['validity_days'] or '长期'} 天")


@app.command("list")
@handle_errors
def list_cmd(
    state: str | None = typer.Option(None, "--state", help="proposed, confirmed, rejected or expired."),
    tag_type: str | None = typer.Option(None, "--type", help="Tag type."),
    subject_type: str | None = typer.Option(None, "--subject-type", help="number, customer, social_account, device."),
    subject_id: str | None = typer.Option(None, "--subject", help="Subject id (needs --subject-type)."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """列出标签 — tags filtered by state, type and subject."""
    if subject_id is not None and subject_type is None:
        raise ValidationError("--subject 需要同时给出 --subject-type")
    rows = _run("cli", lambda s: [_tag_dict(t) for t in s.list(state=state, tag_type=tag_type,
                                                                 subject_type=subject_type, subject_id=subject_id,
                                                                 limit=limit)])
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"标签（{len(rows)}）")
    for col in ("编号", "类型", "对象", "来源", "置信度", "状态", "有效期至"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), str(r["tag_type"]), f"{r['subject_type']}:{r['subject_id']}", str(r["source"]),
                      f"{r['confidence']:.2f}", str(r["state"]), str(r["valid_until"] or "长期"))
    console.print(table)


@app.command("propose")
@handle_errors
def propose_cmd(
    tag_type: str = typer.Argument(..., help="Tag type (see `grayshield tags types`)."),
    subject_type: str = typer.Argument(..., help="number, customer, social_account or device."),
    subject_id: str = typer.Argument(..., help="The subject's id (a number in any usual spelling)."),
    actor: str = typer.Option(..., "--actor", help="Who proposes (recorded in history and audit)."),
    confidence: float = typer.Option(1.0, "--confidence", min=0.0, max=1.0),
    valid_until: datetime | None = typer.Option(None, "--valid-until", help="Expiry (default: per tag type)."),
    note: str | None = typer.Option(None, "--note", help="Why: evidence, case number."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """提议标签 — an analyst proposes a tag; another analyst reviews it."""
    from grayshield.tags import TagProposal

    proposal = TagProposal(tag_type, subject_type, subject_id, "analyst", confidence, valid_until, note=note)
    row = _run(actor, lambda s: _tag_dict(s.propose(proposal)))
    if json_out:
        print_json(row)
    else:
        console.print(f"已提议标签 #{row['id']}（{row['state']}），等待审核")


@app.command("review")
@handle_errors
def review_cmd(
    tag_id: int = typer.Argument(..., help="Tag id."),
    decision: str = typer.Argument(..., help="confirm or reject."),
    reason: str = typer.Option(..., "--reason", help="Why (required, kept in history)."),
    actor: str = typer.Option(..., "--actor", help="Reviewer (not the proposer)."),
    version: int | None = typer.Option(None, "--expect-version", help="Refuse if the tag changed meanwhile."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """审核标签 — confirm or reject a proposed tag (or retract a confirmed one) with a reason."""
    row = _run(actor, lambda s: _tag_dict(s.review(tag_id, decision, reason, expected_version=version)))
    if json_out:
        print_json(row)
    else:
        console.print(f"标签 #{row['id']} 现为 {row['state']}")


@app.command("history")
@handle_errors
def history_cmd(tag_id: int = typer.Argument(..., help="Tag id."),
                json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """标签历史 — every change with actor, time, reason, before and after."""
    rows = _run("cli", lambda s: [{"at": e.occurred_at, "actor": e.actor, "action": e.action, "reason": e.reason,
                                   "before": e.before, "after": e.after} for e in s.history(tag_id)])
    if json_out:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['at']}  {r['actor']}  {r['action']}  {r['reason'] or ''}")


@app.command("import")
@handle_errors
def import_cmd(
    path: Path = typer.Argument(..., help="CSV with tag_type, subject_type, subject_id[, confidence, valid_until, "
                                          "note, source_ref]."),
    list_name: str = typer.Option(..., "--list", help="Name of the external list (kept as the tags' source)."),
    actor: str = typer.Option(..., "--actor", help="Who imports."),
    on_conflict: str = typer.Option("keep", "--on-conflict", help="keep, update or fail."),
    confirmed: bool = typer.Option(False, "--confirmed", help="Trusted list: tags start confirmed."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """导入名单 — bulk import an external list; bad rows are reported by line, valid rows are kept."""
    from grayshield.tags import import_csv

    if not path.is_file():
        raise NotFoundError(f"文件不存在: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError("CSV 须为 UTF-8 编码") from None
    report = _run(actor, lambda s: import_csv(s, text, list_name, conflict=on_conflict,  # type: ignore[arg-type]
                                              confirmed=confirmed).as_dict())
    if json_out:
        print_json(report)
    else:
        console.print(f"共 {report['rows']} 行：新建 {report['created']}，更新 {report['updated']}，"
                      f"保留原标签 {report['kept']}，拒绝 {report['rejected']}")
        for error in report["errors"]:
            console.print(f"  第 {error['line']} 行: {error['error']}")
    if report["rejected"]:
        raise typer.Exit(code=3)  # some rows refused: scripts can tell a partial import from a clean one


@app.command("export")
@handle_errors
def export_cmd(
    out: Path = typer.Argument(..., help="CSV file to write."),
    state: str | None = typer.Option("confirmed", "--state", help="Which state to export (default confirmed)."),
    tag_type: str | None = typer.Option(None, "--type", help="Tag type."),
) -> None:
    """导出标签 — tags as CSV for other systems and partner banks."""
    from grayshield.tags import export_csv

    text = _run("cli", lambda s: export_csv(s.list(state=state, tag_type=tag_type, limit=10_000_000)))
    out.write_text(text, encoding="utf-8")
    console.print(f"已导出 {max(text.count(chr(10)) - 1, 0)} 个标签到 {out}")


@app.command("expire")
@handle_errors
def expire_cmd(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """过期处理 — move every tag past its validity to expired (run daily)."""
    count = _run("system", lambda s: s.expire())
    if json_out:
        print_json({"expired": count})
    else:
        console.print(f"已过期 {count} 个标签")
