"""``grayshield callers``: score caller numbers over a world or the lake, look up one number."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from grayshield.cli.common import console, handle_errors, print_json
from grayshield.core.errors import ValidationError
from grayshield.core.settings import get_settings

app = typer.Typer(help="来电号码 — habitual black/gray numbers and proxy calls.", no_args_is_help=True)


def _source(world: Path | None) -> Any:
    """A world directory when given, else the configured lake."""
    if world is not None:
        from grayshield.lake import open_world

        return open_world(world)
    from grayshield.lake import Lake

    return Lake(get_settings())


def _reasons_text(reasons: list[dict[str, Any]], k: int = 3) -> str:
    return "；".join(r["text"] for r in reasons[:k])


@app.command("score")
@handle_errors
def score_cmd(
    world: Path | None = typer.Option(None, "--world", help="World directory (default: the lake)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Scoring date YYYY-MM-DD (default: day after the "
                                                            "last call)."),
    version: str | None = typer.Option(None, "--model-version", help="callers model version (default: newest)."),
    top: int = typer.Option(20, "--top", min=1, help="Rows to show."),
    out: Path | None = typer.Option(None, "--out", help="Write every scored number to this CSV."),
    propose_tags: bool = typer.Option(False, "--propose-tags", help="Propose a blackgray_number tag (for review) "
                                                                     "on every flagged number."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    reveal: bool = typer.Option(False, "--reveal", help="Show the shown numbers in full (masked 138****8000 by "
                                                        "default); needs --reason and --actor, audited."),
    reason: str = typer.Option("", "--reason", help="Why the full numbers are needed (recorded in the audit log)."),
    actor: str = typer.Option("", "--actor", help="Who asks to see them (recorded in the audit log)."),
) -> None:
    """给号码打分 — score every caller number with the trained model and rules; reasons for each.

    Numbers are printed masked by the PII policy (the --out file keeps them whole, for the review queue).
    """
    if reveal:
        _check_reveal(reason, actor)
    from grayshield.callers.dataset import build_frames, world_end
    from grayshield.callers.numbers import mask_numbers
    from grayshield.callers.scoring import MODEL_NAME, CallerModels, score_numbers
    from grayshield.callers.transcripts import default_scorer
    from grayshield.models.registry import ModelRegistry

    settings = get_settings()
    model = ModelRegistry(settings.models_dir).get(MODEL_NAME, version)
    models = CallerModels.load(model.path)
    source = _source(world)
    try:
        day = date.fromisoformat(as_of) if as_of else world_end(source)
    except ValueError:
        raise ValidationError("--as-of 应为 YYYY-MM-DD") from None
    scored = score_numbers(models, build_frames(source, day, default_scorer(str(settings.models_dir)), models.voice))
    if out is not None:
        flat = scored.assign(reasons=scored["reasons"].map(_reasons_text))
        flat.to_csv(out, index=False)
    proposed = _propose(scored[scored["flagged"]], f"{model.name}/{model.version}") if propose_tags else 0
    summary = {"as_of": str(day), "model": f"{model.name}/{model.version}", "numbers": len(scored),
               "flagged": int(scored["flagged"].sum()), "tags_proposed": proposed, "numbers_masked": not reveal}
    head = scored.head(top)
    if reveal:
        _audit_reveal(head["number"].tolist(), reason, actor, str(summary["model"]))
    else:
        head = head.assign(number=mask_numbers(head["number"].tolist()))
    if json_out:
        print_json({**summary, "top": head.assign(flagged=head["flagged"].astype(bool)).to_dict("records")})
        return
    table = Table(title=f"来电号码评分 {summary['as_of']}（{summary['model']}）")
    for col in ("号码", "类型", "分数", "等级", "客户数", "理由"):
        table.add_column(col)
    for row in head.to_dict("records"):
        table.add_row(str(row["number"]), str(row["number_type"]), f"{row['score']:.3f}", str(row["level"]),
                      f"{row['distinct_customers_180d']:.0f}", _reasons_text(row["reasons"]))
    console.print(table)
    console.print(f"共 {summary['numbers']} 个号码，{summary['flagged']} 个达到阈值；提议标签 {proposed} 个")


def _check_reveal(reason: str, actor: str) -> None:
    """A reveal names who asks and why, as the console's does, before anything is scored."""
    from grayshield.services.console_queries import MIN_REASON_LENGTH

    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError(f"--reveal 须用 --reason 说明查看完整号码的原因（至少 {MIN_REASON_LENGTH} 个字）")
    if not actor.strip():
        raise ValidationError("--reveal 须用 --actor 注明查看人")


def _audit_reveal(numbers: list[str], reason: str, actor: str, model_ref: str) -> None:
    """One ``pii.reveal`` audit entry per number shown in full, committed before it is printed."""
    from grayshield.cli.common import open_store
    from grayshield.store.audit import record

    with open_store() as db, db.session() as session:
        for number in numbers:
            record(session, actor=actor.strip(), action="pii.reveal", subject_type="number", subject_id=number,
                   reason=reason.strip(), detail={"field": "caller_number", "command": "callers score",
                                                  "model": model_ref})


def _propose(flagged: Any, model_ref: str) -> int:
    from grayshield.store import Database
    from grayshield.tags import TagProposal, TagService

    db = Database(get_settings().db_url)
    try:
        with db.session() as session:
            service = TagService(session, "callers-model")
            for row in flagged.itertuples():
                service.propose(TagProposal(
                    "blackgray_number", "number", str(row.number), "model", round(float(row.score), 4),
                    source_ref=model_ref, detail={"reasons": [r["text"] for r in row.reasons][:5]}))
    finally:
        db.dispose()
    return len(flagged)


@app.command("show")
@handle_errors
def show_cmd(
    number: str = typer.Argument(..., help="Phone number in any usual spelling."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """查看号码 — segment attributes (type, carrier, region) and the tags on a number, with their history."""
    from grayshield.callers.numbers import describe_number
    from grayshield.store import Database
    from grayshield.tags import TagService

    attrs = describe_number(number)
    if not attrs.is_valid or attrs.number is None:
        raise ValidationError("号码格式不正确（应为手机号、固话、400 或 95 短号）")
    db = Database(get_settings().db_url)
    try:
        with db.session() as session:
            service = TagService(session, "cli")
            tags = [{"id": t.id, "tag_type": t.tag_type, "state": t.state, "source": t.source,
                     "source_ref": t.source_ref, "confidence": t.confidence, "valid_until": t.valid_until,
                     "history": [{"at": e.occurred_at, "actor": e.actor, "action": e.action, "reason": e.reason}
                                 for e in service.history(t.id)]}
                    for t in service.list(subject_type="number", subject_id=attrs.number)]
    finally:
        db.dispose()
    info = {**attrs.as_dict(), "tags": tags}
    if json_out:
        print_json(info)
        return
    console.print(f"{attrs.number}  {info['number_type_zh']}  {attrs.carrier or '运营商未知'}  "
                  f"{attrs.province}{attrs.city if attrs.city != attrs.province else ''}")
    for tag in tags:
        console.print(f"  标签 #{tag['id']} {tag['tag_type']} [{tag['state']}] 来源 {tag['source']} "
                      f"置信度 {tag['confidence']:.2f}")
    if not tags:
        console.print("  无标签")
