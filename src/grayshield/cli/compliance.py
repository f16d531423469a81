"""``grayshield compliance``: transcript QA, process-anomaly checks and the QA review queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json, store_session
from grayshield.core.errors import ValidationError
from grayshield.core.settings import get_settings

if TYPE_CHECKING:
    from grayshield.services.compliance import ComplianceReview

app = typer.Typer(help="合规监测 — transcript QA, process-anomaly alerts and the QA review queue.",
                  no_args_is_help=True)
T = TypeVar("T")
SCORE_KEYS = {"agent": "agent_id", "team": "team", "month": "month"}


@contextmanager
def _review(actor: str) -> Iterator[ComplianceReview]:
    from grayshield.services.compliance import ComplianceReview

    with store_session() as session:
        yield ComplianceReview(session, actor)


def _with_review(actor: str, action: Callable[[ComplianceReview], T]) -> T:
    with _review(actor) as review:
        return action(review)


@app.command("rules")
@handle_errors
def rules_cmd(path: Path | None = typer.Argument(None, help="Rulebook TOML (default: the packaged one)."),
              json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """质检规则 — validate a QA rulebook and run every rule's own examples."""
    from grayshield.compliance import load_rulebook

    book = load_rulebook(path)
    rows = [{"id": r.id, "kind": r.kind, "target": r.target, "title_zh": r.title_zh, "penalty": r.penalty,
             "examples": len(r.examples)} for r in book.rules]
    if json_out:
        print_json({"rulebook": book.identity, "rules": rows})
        return
    console.print(f"规则集 {book.identity}：{len(rows)} 条规则，全部样例通过")
    for r in rows:
        console.print(f"  {r['id']}  {r['title_zh']}  扣分 {r['penalty']}")


@app.command("qa")
@handle_errors
def qa_cmd(
    world: Path = typer.Argument(..., help="World or lake folder with call_utterances, calls and staff."),
    rules: Path | None = typer.Option(None, "--rules", help="Rulebook TOML (default: the packaged one)."),
    by: str = typer.Option("agent", "--by", help="Score grouping: agent, team or month."),
    save: bool = typer.Option(False, "--save", help="Store the findings in the review queue."),
    actor: str = typer.Option("cli", "--actor", help="Who ran the check (recorded with saved findings)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """通话质检 — breaches on agent utterances, missing mandatory items, scores per agent, team or month."""
    from grayshield.compliance.qa import describe
    from grayshield.services.compliance import qa_records, transcript_qa

    if by not in SCORE_KEYS:
        raise ValidationError(f"--by must be one of {', '.join(SCORE_KEYS)}")
    result = transcript_qa(world, get_settings().models_dir, rules)
    summary: dict[str, Any] = describe(result)
    scores = result.scores(SCORE_KEYS[by])
    summary["scores"] = scores.head(20).to_dict("records")
    if save:
        summary["saved"] = _with_review(actor, lambda r: r.save(qa_records(result)))
    if json_out:
        print_json(summary)
        return
    console.print(f"质检 {summary['calls']} 通电话，平均得分 {summary['mean_call_score']}（规则 {result.rulebook}，"
                  f"模型 {result.model}）")
    console.print(f"违规话术：{summary['breach_findings']}；缺失必讲项：{summary['missing_items']}")
    table = Table(title=f"按 {by} 的质检得分（最低 20）")
    for col in (SCORE_KEYS[by], "calls", "mean_score", "breaches", "missing_items"):
        table.add_column(col)
    for row in summary["scores"]:
        table.add_row(*(str(row[c]) for c in (SCORE_KEYS[by], "calls", "mean_score", "breaches", "missing_items")))
    console.print(table)
    if save:
        console.print(f"已入复核队列：新增 {summary['saved']['added']} 条")


@app.command("process")
@handle_errors
def process_cmd(
    world: Path = typer.Argument(..., help="World or lake folder with complaint_events, staff_operations, calls."),
    save: bool = typer.Option(False, "--save", help="Store the alerts in the review queue."),
    actor: str = typer.Option("cli", "--actor", help="Who ran the check (recorded with saved findings)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """流程异常 — complaint cases off the normal process, staff-operation alerts, unusual staff-days."""
    from grayshield.services.compliance import process_checks, process_records

    report = process_checks(world, get_settings().models_dir)
    summary = report.summary()
    summary["top_case_alerts"] = report.cases[report.cases["alert"]].head(10).loc[
        :, ["case_id", "deviations", "trace"]].to_dict("records")
    summary["top_staff_alerts"] = report.staff_alerts.head(10).drop(columns=["op_ids"]).to_dict("records")
    if save:
        summary["saved"] = _with_review(actor, lambda r: r.save(process_records(report)))
    if json_out:
        print_json(summary)
        return
    console.print(f"投诉案件 {summary['cases']} 件，流程偏离 {summary['case_alerts']} 件；员工操作告警 "
                  f"{summary['staff_alerts']} 条 {summary['staff_alerts_by_rule']}；异常员工日 {summary['unusual_staff_days']}")
    console.print(f"正常流程：{summary['expected_path']}")
    for case in summary["top_case_alerts"]:
        console.print(f"  {case['case_id']}: {'；'.join(case['deviations'])}")
    for alert in summary["top_staff_alerts"]:
        console.print(f"  {alert['staff_id']} {alert['day']} {alert['title_zh']}（{alert['operations']} 笔）"
                      f"— 应当：{alert['expected_zh']}")


def _finding_dict(f: Any) -> dict[str, Any]:
    cols = ("id", "source", "finding_type", "subject_type", "subject_id", "ref", "staff_id", "title_zh", "severity",
            "probability", "reasons", "evidence", "made_by", "state", "reviewed_by", "review_reason", "version")
    return {c: getattr(f, c) for c in cols}


@app.command("review")
@handle_errors
def review_cmd(
    confirm: int | None = typer.Option(None, "--confirm", help="Confirm this finding id."),
    dismiss: int | None = typer.Option(None, "--dismiss", help="Dismiss this finding id."),
    reason: str = typer.Option("", "--reason", help="Why (required with --confirm/--dismiss; audited)."),
    actor: str = typer.Option("cli", "--actor", help="QA reviewer (recorded in the audit log)."),
    expect_version: int | None = typer.Option(None, "--expect-version", help="Refuse if it changed meanwhile."),
    state: str = typer.Option("open", "--state", help="Queue to list: open, confirmed or dismissed."),
    source: str | None = typer.Option(None, "--source", help="qa, case or staff."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    export: Path | None = typer.Option(None, "--export-labels", help="Write reviewed QA findings as a label CSV."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """质检复核 — list the review queue, confirm or dismiss a finding, export reviews as training labels."""
    if confirm is not None and dismiss is not None:
        raise ValidationError("give --confirm or --dismiss, not both")
    finding_id = confirm if confirm is not None else dismiss
    if finding_id is not None:
        decision = "confirm" if confirm is not None else "dismiss"
        row = _with_review(actor, lambda r: _finding_dict(r.review(finding_id, decision, reason, expect_version)))
        if json_out:
            print_json(row)
        else:
            console.print(f"发现 #{row['id']} 现为 {row['state']}")
        return
    if export is not None:
        labels = _with_review(actor, lambda r: r.labels(source or "qa"))
        labels.to_csv(export, index=False)
        console.print(f"已导出 {len(labels)} 条复核标签到 {export}")
        return
    rows = _with_review(actor, lambda r: [_finding_dict(f) for f in r.queue(state=state, source=source, limit=limit)])
    if json_out:
        print_json(rows)
        return
    table = Table(title=f"复核队列（{state}，{len(rows)}）")
    for col in ("编号", "来源", "类型", "对象", "严重度", "理由"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["source"], r["title_zh"], f"{r['subject_type']}:{r['subject_id']} {r['ref']}",
                      str(r["severity"]), "；".join(map(str, r["reasons"][:2])))
    console.print(table)
