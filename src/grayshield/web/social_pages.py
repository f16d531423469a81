"""舆情监测 pages: overview, the watch list with its alerts, report batches (file, export, outcomes, re-reports),
effectiveness and trend.

Views and forms over :mod:`grayshield.services.social_monitoring`, the same functions the CLI calls. The console
works on crawls dropped under ``<home>/social/crawls/<name>`` (picked by name, never by path). Contacts the
reported accounts advertise are masked on pages; the exported batch is the evidence for the platform's report
form, so it keeps them, and every export is audited.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from grayshield.core.errors import GrayShieldError, ValidationError
from grayshield.pii import mask_text
from grayshield.services import social_monitoring as sm
from grayshield.services import strike
from grayshield.services.social_monitoring import Reports, WatchList
from grayshield.social.effectiveness import OUTCOME_ZH, read_outcomes
from grayshield.social.importers import IMPORTERS
from grayshield.social.reports import EXPORTERS, reason_table
from grayshield.web.deps import AppSettings, DbSession, render
from grayshield.web.security import CurrentUser
from grayshield.web.strike_pages import CaseForm, case_card, case_on_subject

if TYPE_CHECKING:
    from grayshield.store.models import SocialWatch

router = APIRouter()
WATCH_STATES = {"watching": "关注中", "closed": "已移出"}
EVENT_LABELS = {"added": "加入关注", "reach_jump": "粉丝激增", "reappeared": "换号重现", "closed": "移出关注"}
PLATFORM_LABELS = {"douyin": "抖音", "kuaishou": "快手", "weibo": "微博", "xhs": "小红书", "bilibili": "哔哩哔哩",
                   "wechat": "微信", "qq": "QQ", "toutiao": "今日头条", "zhihu": "知乎"}
EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_OUTCOME_BYTES = 5 * 1024 * 1024
BATCHES_SHOWN = 200  # newest (batch, platform, reason) rows
DUE_SHOWN = 300  # oldest first; the CLI (`grayshield social due --json`) lists them all
WATCH_EVENTS = 50  # newest events shown on an account's page
WatchId = Annotated[int, Path(ge=1, le=2**62)]
BatchId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,120}$")]
ExportFormat = Annotated[str, Path(pattern="^(csv|xlsx)$")]
Code = Annotated[str | None, Query(max_length=32, pattern=r"^[a-z0-9_]*$")]
CrawlName = Annotated[str | None, Query(max_length=100)]
ImporterName = Annotated[str, Query(max_length=32, pattern=r"^[a-z0-9_]+$")]


def mask_contact(contact: str) -> str:
    """``kind:value`` with the value masked: phones by the bank's policy, handles keep two characters each end."""
    kind, _, value = contact.partition(":")
    digits = "".join(ch for ch in value if ch.isdigit())
    if kind == "phone" and len(digits) >= 11:  # the policy's 138****5678, without a scan per cell
        return f"{kind}:{digits[-11:-8]}****{digits[-4:]}"
    if len(value) <= 4:
        return f"{kind}:{'*' * len(value)}"
    return f"{kind}:{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def page_labels() -> dict[str, Any]:
    """The code→Chinese label tables and maskers every social page template uses."""
    return {"platform_labels": PLATFORM_LABELS, "outcome_labels": OUTCOME_ZH, "event_labels": EVENT_LABELS,
            "reason_labels": {r.code: r.label for r in reason_table().reasons}, "mask_text": mask_text,
            "mask_contact": mask_contact}


@router.get("/social")
def social_page(request: Request, session: DbSession,
                state: Annotated[str, Query(pattern="^(watching|closed|all)$")] = "watching") -> Response:
    entries = _entries(session, state)
    events = sm.recent_history(session, entries[:100])
    return render(request, "social/index.html", entries=entries, events=events, state=state,
                  state_labels=WATCH_STATES, figures=sm.effectiveness_figures(session), **page_labels())


def _entries(session: Session, state: str) -> list[SocialWatch]:
    """The watch list in one state (``all``: every state), capped for a page."""
    return WatchList(session, "console").entries(None if state == "all" else state)[:500]


# ------------------------------------------------------------------------------------------ watch list
def _watchlist_page(request: Request, session: DbSession, state: str, status_code: int = 200,
                    message: str | None = None, error: str | None = None) -> Response:
    entries = _entries(session, state)
    return render(request, "social/watchlist.html", status_code=status_code, entries=entries, state=state,
                  state_labels=WATCH_STATES, alerts=sm.recent_alerts(session), message=message, error=error,
                  **page_labels())


@router.get("/social/watchlist")
def watchlist_page(request: Request, session: DbSession,
                   state: Annotated[str, Query(pattern="^(watching|closed|all)$")] = "watching") -> Response:
    return _watchlist_page(request, session, state)


@router.get("/social/watchlist/{watch_id}")
def account_page(request: Request, session: DbSession, watch_id: WatchId) -> Response:
    return _account_page(request, session, watch_id)


@router.post("/social/watchlist/{watch_id}/cases")
def account_case(request: Request, session: DbSession, user: CurrentUser, watch_id: WatchId,
                 form: CaseForm) -> Response:
    """立案 on the watched account (or add it to an open case), its watch-list record and alerts as evidence."""
    subject = strike.watch_subject(session, watch_id)
    return case_on_subject(session, user.username, subject, form,
                           lambda status, error: _account_page(request, session, watch_id, status, error))


def _account_page(request: Request, session: Session, watch_id: int, status_code: int = 200,
                  case_error: str | None = None) -> Response:
    """One watched account: what the list knows (contacts masked), its alerts and history, and the case card."""
    entry = sm.watch_entry(session, watch_id)
    events = sm.recent_history(session, [entry], per_entry=WATCH_EVENTS)[entry.id]
    return render(request, "social/account.html", status_code=status_code, entry=entry, events=events[::-1],
                  state_labels=WATCH_STATES, case_error=case_error, **page_labels(),
                  **case_card(request, session, f"/social/watchlist/{watch_id}/cases", "account",
                              f"{entry.platform}:{entry.account_id}"))


@router.post("/social/watchlist/{watch_id}/close")
def watchlist_close(request: Request, session: DbSession, user: CurrentUser, watch_id: WatchId,
                    reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    entry = sm.watch_entry(session, watch_id)
    if len(reason.strip()) < 2:
        return _watchlist_page(request, session, "watching", 422, error="移出关注须填写至少 2 个字的原因")
    WatchList(session, user.username).close(entry.platform, entry.account_id, reason.strip())
    session.flush()
    return _watchlist_page(request, session, "watching", message=f"已移出关注：{entry.platform}:{entry.account_id}")


# ------------------------------------------------------------------------------------------ report batches
def _reports_page(request: Request, session: DbSession, settings: AppSettings, status_code: int = 200,
                  **context: Any) -> Response:
    table, batches = reason_table(), sm.batch_summaries(session)
    platforms = sorted(set(table.platform_labels) | {b["platform"] for b in batches})
    return render(request, "social/reports.html", status_code=status_code, batches=batches[:BATCHES_SHOWN],
                  batch_total=len(batches),
                  crawls=sm.list_crawls(settings.home_dir), crawls_dir=sm.crawls_dir(settings.home_dir),
                  importers=IMPORTERS.names(), platforms=platforms, reasons=table.reasons,
                  **{"message": None, "error": None, "outcome_result": None, **context}, **page_labels())


@router.get("/social/reports")
def reports_page(request: Request, session: DbSession, settings: AppSettings) -> Response:
    return _reports_page(request, session, settings)


@router.post("/social/reports/batches")
def create_batch(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                 crawl: Annotated[str, Form(max_length=100)],
                 importer: Annotated[str, Form(max_length=32)] = "mediacrawler",
                 platform: Annotated[str, Form(max_length=32)] = "",
                 reason: Annotated[str, Form(max_length=32)] = "",
                 top: Annotated[int | None, Form(ge=1, le=100_000)] = None) -> Response:
    """Scan the chosen crawl and file one batch (one platform and/or reason, or everything flagged)."""
    try:
        if importer not in IMPORTERS:
            raise ValidationError(f"未知数据格式 {importer!r}；可用: {', '.join(IMPORTERS.names())}")
        result = sm.scan(sm.crawl_path(settings.home_dir, crawl), importer, settings.models_dir)
        filed = sm.file_batch(session, user.username, result, platform or None, reason or None, top)
    except GrayShieldError as exc:
        return _reports_page(request, session, settings, 422, error=exc.message)
    return RedirectResponse(f"/social/reports/{filed['batch_id']}", status_code=303)


@router.get("/social/reports/{batch_id}")
def batch_page(request: Request, session: DbSession, batch_id: BatchId, platform: Code = None,
               reason: Code = None) -> Response:
    reports = sm.batch_reports(session, batch_id, platform or None, reason or None)
    groups: dict[tuple[str, str], int] = {}
    for report in reports:
        groups[(report.platform, report.reason)] = groups.get((report.platform, report.reason), 0) + 1
    return render(request, "social/batch.html", batch_id=batch_id, reports=reports[:1000], total=len(reports),
                  groups=groups, platform=platform or "", reason=reason or "", **page_labels())


@router.get("/social/reports/{batch_id}/export.{fmt}")
def batch_export(session: DbSession, user: CurrentUser, batch_id: BatchId, fmt: ExportFormat,
                 platform: Code = None, reason: Code = None) -> Response:
    """The batch (or one platform / reason of it) as the platform's bulk-report file, formula-safe."""
    items = sm.export_items(sm.batch_reports(session, batch_id, platform or None, reason or None))
    with tempfile.TemporaryDirectory(prefix="gs-export-") as folder:
        path = FilePath(folder) / f"batch.{fmt}"
        EXPORTERS.get(fmt)(items, path)
        content = path.read_bytes()
    sm.record_export(session, user.username, batch_id, fmt, len(items))
    name = "_".join(p for p in (batch_id, platform, reason) if p)
    return Response(content, media_type=EXPORT_MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@router.post("/social/reports/outcomes")
async def import_outcomes(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                          file: Annotated[UploadFile, File()]) -> Response:
    """The platforms' answers (CSV ``item_id,outcome[,decided_at,note]``) onto the filed items."""
    content = await file.read(MAX_OUTCOME_BYTES + 1)
    if len(content) > MAX_OUTCOME_BYTES:
        return _reports_page(request, session, settings, 413, error="文件过大（最多 5 MB）")
    with tempfile.TemporaryDirectory(prefix="gs-outcomes-") as folder:
        path = FilePath(folder) / "outcomes.csv"
        path.write_bytes(content)
        try:
            outcomes, problems = read_outcomes(path)
        except GrayShieldError as exc:
            return _reports_page(request, session, settings, 422, error=exc.message)
    result = Reports(session, user.username).record_outcomes(outcomes)
    session.flush()
    status = 200 if outcomes and not problems and not result["unknown_items"] else 422
    return _reports_page(request, session, settings, status, outcome_result={
        "updated": result["updated"], "unknown": result["unknown_items"][:50],
        "unknown_count": len(result["unknown_items"]), "problems": problems[:50], "problem_count": len(problems)})


@router.get("/social/due")
def due_page(request: Request, session: DbSession, settings: AppSettings,
             importer: ImporterName = "mediacrawler") -> Response:
    if importer not in IMPORTERS:
        raise ValidationError(f"未知数据格式 {importer!r}；可用: {', '.join(IMPORTERS.names())}")
    due, crawl = sm.due_reports(session, settings.home_dir, importer)
    shown = due.sort_values("last_filed_at").head(DUE_SHOWN)
    return render(request, "social/due.html", due=shown.to_dict(orient="records"), total=len(due), crawl=crawl,
                  importer=importer, importers=IMPORTERS.names(), **page_labels())


# ------------------------------------------------------------------------------------------ effectiveness
@router.get("/social/effectiveness")
def effectiveness_page(request: Request, session: DbSession, settings: AppSettings, crawl: CrawlName = None,
                       importer: ImporterName = "mediacrawler") -> Response:
    figures = sm.effectiveness_figures(session)
    charts: dict[str, Any] = {}
    if figures["filed"]:
        platforms = list(figures["by_platform"])
        charts["platform"] = {"title": "各平台删除率 / 封号率（%）", "kind": "multi", "type": "bar", "x": platforms,
                              "series": [{"name": "删除率", "data": [round(figures["by_platform"][p]["removal_rate"] * 100, 1)
                                                                  for p in platforms]},
                                         {"name": "封号率", "data": [round(figures["by_platform"][p]["ban_rate"] * 100, 1)
                                                                  for p in platforms]}]}
        charts["outcomes"] = {"title": "处置结果", "kind": "pie",
                              "data": [{"name": k, "value": v} for k, v in figures["outcomes"].items()]}
    crawls = sm.list_crawls(settings.home_dir)
    volume, trend_error = None, None
    if crawl:
        try:
            if importer not in IMPORTERS:
                raise ValidationError(f"未知数据格式 {importer!r}")
            volume = sm.cached_trend(settings.home_dir, crawl, importer, settings.models_dir)
        except GrayShieldError as exc:
            trend_error = exc.message
    if volume and volume["by_month"]:
        months = list(volume["by_month"])
        charts["volume"] = {"title": f"黑灰产声量（{crawl}，按月）", "kind": "line", "x": months,
                            "y": [volume["by_month"][m] for m in months]}
    return render(request, "social/effectiveness.html", figures=figures, charts=charts, crawls=crawls, crawl=crawl or "",
                  importer=importer, importers=IMPORTERS.names(), volume=volume, trend_error=trend_error, **page_labels())
