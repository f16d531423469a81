"""``grayshield cases``: open cases, move them through the workflow, attach evidence, export and verify packages."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from grayshield.cases import OUTCOMES, RECIPIENTS, STATES
from grayshield.cli.common import console, handle_errors, open_store, print_json, store_session
from grayshield.core.errors import ValidationError
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grayshield.cases.service import CaseService

app = typer.Typer(help="案件 — strike-team cases and their evidence packages.", no_args_is_help=True)
ACTOR = typer.Option("cli", "--actor", help="Who is acting (recorded in the case history and audit log).")


def _deadline(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"截止时间格式不正确：{text!r}（例如 2026-03-01 或 2026-03-01T18:00+08:00）") from None
    return value if value.tzinfo else value.astimezone()


def _cases(session: Session, actor: str) -> CaseService:
    """The case service, imported on use: it loads the store, which light commands and ``--help`` don't need."""
    from grayshield.cases.service import CaseService

    return CaseService(session, actor)


def _case_dict(case: object) -> dict[str, object]:
    cols = ("id", "title", "subject_type", "subject_id", "state", "assignee", "deadline", "outcome", "version")
    return {c: getattr(case, c) for c in cols}


@app.command("open")
@handle_errors
def open_cmd(
    subject_type: str = typer.Argument(..., metavar="SUBJECT_TYPE",
                                       help="gang, number, account, complaint or customer."),
    subject_id: str = typer.Argument(..., metavar="SUBJECT_ID"),
    title: str = typer.Option(..., "--title", help="Case title."),
    assignee: str | None = typer.Option(None, "--assignee"),
    deadline: str | None = typer.Option(None, "--deadline", help="ISO date or time."),
    state: Path | None = typer.Option(None, "--state", help="Gang state folder (for gang cases)."),
    actor: str = ACTOR,
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """立案 — open a case on a gang (its snapshot and summary attached), a number, an account, a complaint or a
    customer."""
    with open_store() as db:
        from grayshield.services import strike

        case_id = strike.open_case(db, actor, subject_type, subject_id, title,
                                   state_dir=state or get_settings().home_dir / "gangs", assignee=assignee,
                                   deadline=_deadline(deadline))
    if json_out:
        print_json({"id": case_id})
        return
    console.print(f"已立案：案件 {case_id}")


@app.command("list")
@handle_errors
def list_cmd(
    state: str | None = typer.Option(None, "--state", help=f"One of: {', '.join(STATES)}."),
    assignee: str | None = typer.Option(None, "--assignee"),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """案件列表 — the case board, newest first."""
    with store_session() as session:
        rows = [_case_dict(c) for c in _cases(session, "cli").search(state=state, assignee=assignee,
                                                                          limit=limit)]
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"案件（{len(rows)}）")
    for col in ("编号", "标题", "对象", "状态", "承办人", "截止"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), str(r["title"]), f"{r['subject_type']}:{r['subject_id']}",
                      STATES[str(r["state"])], str(r["assignee"] or ""), str(r["deadline"] or ""))
    console.print(table)


@app.command("show")
@handle_errors
def show_cmd(case_id: int = typer.Argument(..., metavar="CASE_ID"),
             json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """案件详情 — the case, its history and its evidence list (PII masked)."""
    from grayshield.cases.package import mask_record

    with store_session() as session:
        record = mask_record(_cases(session, "cli").record(case_id))
    body = {"case": {k: v for k, v in record.case.items() if k != "detail"}, "events": record.events,
            "evidence": [{k: e[k] for k in ("id", "kind", "source", "title", "sha256")} for e in record.evidence]}
    if json_out:
        print_json(body)
        return
    console.print(json.dumps(body, ensure_ascii=False, indent=2, default=str))


@app.command("move")
@handle_errors
def move_cmd(
    case_id: int = typer.Argument(..., metavar="CASE_ID"),
    to_state: str = typer.Argument(..., metavar="STATE", help=f"One of: {', '.join(STATES)}."),
    reason: str = typer.Option(..., "--reason"),
    outcome: str | None = typer.Option(None, "--outcome", help=f"When closing: {', '.join(OUTCOMES)}."),
    actor: str = ACTOR,
) -> None:
    """流转 — move a case along the workflow (closing needs --outcome)."""
    with store_session() as session:
        case = _cases(session, actor).transition(case_id, to_state, reason, outcome=outcome)
        console.print(f"案件 {case.id}：{STATES[case.state]}")


@app.command("assign")
@handle_errors
def assign_cmd(case_id: int = typer.Argument(..., metavar="CASE_ID"),
               assignee: str = typer.Argument(..., metavar="ASSIGNEE"),
               reason: str | None = typer.Option(None, "--reason"), actor: str = ACTOR) -> None:
    """指派 — set the case's assignee."""
    with store_session() as session:
        _cases(session, actor).assign(case_id, assignee, reason)


@app.command("deadline")
@handle_errors
def deadline_cmd(case_id: int = typer.Argument(..., metavar="CASE_ID"),
                 when: str = typer.Argument(..., metavar="WHEN", help="ISO date or time."),
                 reason: str | None = typer.Option(None, "--reason"), actor: str = ACTOR) -> None:
    """截止时间 — set the case's deadline."""
    deadline = _deadline(when)
    assert deadline is not None
    with store_session() as session:
        _cases(session, actor).set_deadline(case_id, deadline, reason)


@app.command("note")
@handle_errors
def note_cmd(case_id: int = typer.Argument(..., metavar="CASE_ID"),
             text: str = typer.Argument(..., metavar="TEXT"), actor: str = ACTOR) -> None:
    """调查记录 — add a note to the case history (notes are never edited)."""
    with store_session() as session:
        _cases(session, actor).note(case_id, text)


@app.command("attach")
@handle_errors
def attach_cmd(
    case_id: int = typer.Argument(..., metavar="CASE_ID"),
    kind: str = typer.Option(..., "--kind", help="call, complaint, social_post, contact_change, material, ..."),
    source: str = typer.Option(..., "--source", help="Where it comes from, e.g. call:CL000123."),
    title: str = typer.Option(..., "--title"),
    content: Path = typer.Option(..., "--content", help="JSON file with the evidence content."),
    actor: str = ACTOR,
) -> None:
    """附加证据 — attach an immutable, hashed evidence item from a JSON file."""
    try:
        data = json.loads(content.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"证据内容无法读取（{content}）：{exc}") from None
    if not isinstance(data, dict):
        raise ValidationError("证据内容须为 JSON 对象")
    with store_session() as session:
        from grayshield.cases.service import NewEvidence

        item = _cases(session, actor).attach(case_id, NewEvidence(kind, source, title, data))
        console.print(f"证据 {item.id} SHA-256 {item.sha256}")


@app.command("export")
@handle_errors
def export_cmd(
    case_id: int = typer.Argument(..., metavar="CASE_ID"),
    recipient: str = typer.Option(..., "--for", help=f"One of: {', '.join(RECIPIENTS.names())} "
                                                     "(police sees full PII; others see it masked)."),
    out: Path = typer.Option(..., "--out", help="Empty or new folder for report.pdf, bundle.json, manifest.json."),
    reason: str = typer.Option(..., "--reason", help="Why it is exported (recorded in the audit log)."),
    font: Path | None = typer.Option(None, "--font", help="TrueType font to embed (default: STSong-Light)."),
    actor: str = ACTOR,
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """导出证据包 — PDF report + JSON bundle + SHA-256 manifest; the PII choice is logged."""
    with open_store() as db:
        from grayshield.services import strike

        folder, manifest_hash = strike.export_case(db, actor, case_id, recipient, out, reason, font)
    if json_out:
        print_json({"folder": str(folder), "manifest_sha256": manifest_hash})
        return
    console.print(f"证据包已导出：{folder}（清单 SHA-256 {manifest_hash}）")


@app.command("verify")
@handle_errors
def verify_cmd(folder: Path = typer.Argument(..., metavar="FOLDER"),
               json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """校验证据包 — recompute every file's SHA-256 against the manifest; exits 1 when anything changed."""
    from grayshield.services import strike

    check = strike.verify_case_package(folder)
    if json_out:
        print_json({"intact": check.intact, "checked": check.checked, "changed": check.changed,
                    "missing": check.missing})
    elif check.intact:
        console.print(f"证据包完整：{', '.join(check.checked)}")
    else:
        console.print(f"[bold red]证据包已被改动[/]：改动 {check.changed or '无'}，缺失 {check.missing or '无'}")
    if not check.intact:
        raise typer.Exit(code=1)


@app.command("purge-exports")
@handle_errors
def purge_exports_cmd(
    older_than_days: int | None = typer.Option(
        None, "--older-than-days", min=1,
        help="Delete packages generated more than N days ago (default: settings cases.package_retention_days)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted, delete nothing."),
    actor: str = ACTOR,
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """清理过期证据包 — delete console-exported packages past retention; each deletion is audited, the export
    stays in the case history (run it daily, e.g. from cron)."""
    settings = get_settings()
    days = older_than_days or settings.cases.package_retention_days
    with open_store() as db:
        from grayshield.services import strike

        purged = strike.purge_packages(db, actor, settings.packages_dir, days, dry_run=dry_run)
    if json_out:
        print_json({"older_than_days": days, "dry_run": dry_run, "packages": [p.as_dict() for p in purged]})
        return
    verb = "将删除" if dry_run else "已删除"
    console.print(f"{verb} {len(purged)} 个超过 {days} 天的证据包（{settings.packages_dir}）")
    for p in purged:
        console.print(f"  案件 {p.case_id} · {p.id} · {p.recipient or '未知接收方'}")


@app.command("import-verdicts")
@handle_errors
def import_verdicts_cmd(
    file: Path = typer.Argument(..., metavar="FILE", help="CSV: subject_type, subject_id, outcome, reason[, title]."),
    actor: str = ACTOR,
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file, record nothing."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """录入结论 — complaint verdicts, platform and police answers become closed cases, i.e. training labels.

    Valid rows are recorded together in one transaction; each bad row is reported with its line and reason.
    """
    from grayshield.services.labels import parse_verdicts_csv, record_verdicts

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"结论文件无法读取（{file}）：{exc}") from None
    verdicts, rejected = parse_verdicts_csv(text)
    recorded = 0
    if verdicts and not dry_run:
        with store_session() as session:
            recorded = record_verdicts(session, actor, verdicts)
    if json_out:
        print_json({"valid": len(verdicts), "recorded": recorded, "dry_run": dry_run,
                    "rejected": [{"line": r.line, "reason": r.reason} for r in rejected]})
    else:
        console.print(f"有效 {len(verdicts)} 行，已录入 {recorded} 行，拒绝 {len(rejected)} 行")
        for r in rejected:
            console.print(f"  第 {r.line} 行：{r.reason}")
    if rejected:
        raise typer.Exit(code=3)  # some rows refused: scripts can tell a partial import from a clean one
