"""合规监测 pages: QA findings with filters, a call's masked transcript with the flagged utterances, the review
(confirm / dismiss with a reason, audited), process-anomaly alerts with their evidence and expected path, and
QA scores per agent, team or month.

Thin over :mod:`grayshield.services.compliance`, the same functions ``grayshield compliance`` calls; findings
get there with ``grayshield compliance qa|process WORLD --save``. Utterances are masked with the bank's PII
policy before they reach a page (the stored evidence was masked when saved).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from grayshield.compliance.staffops import RULES
from grayshield.core.errors import ConflictError, GrayShieldError
from grayshield.services import compliance as svc
from grayshield.web.deps import AppSettings, DbSession, render
from grayshield.web.security import CurrentUser

router = APIRouter()
PAGE_SIZE = 50
MIN_REASON = 2
STATE_LABELS = {"open": "待复核", "confirmed": "已确认", "dismissed": "已排除"}
SOURCE_LABELS = {"qa": "通话质检", "case": "投诉流程", "staff": "员工操作"}
SCORE_LABELS = {"agent": "坐席", "team": "班组", "month": "月份"}
TYPE_LABELS = {
    "threat": "威胁恐吓", "abusive_language": "辱骂贬损", "improper_third_party_contact": "不当联系第三方",
    "unauthorised_promise": "违规承诺减免", "third_party_disclosure": "向未核身第三方泄露信息",
    "greeting_identification": "缺少问候及工号", "recording_notice": "缺少录音提示",
    "identity_verification": "缺少身份核验", "risk_disclosure": "缺少风险提示",
    "process_deviation": "投诉处理流程偏离", **{rule: title for rule, (title, _) in RULES.items()},
}
Text = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_\-.:]*$")]
Month = Annotated[str | None, Query(max_length=7, pattern=r"^(\d{4}-\d{2})?$")]
State = Annotated[str | None, Query(pattern="^(open|confirmed|dismissed|all)?$")]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
CallId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
FindingId = Annotated[int, Path(ge=1, le=2**62)]


def _labels() -> dict[str, Any]:
    return {"state_labels": STATE_LABELS, "source_labels": SOURCE_LABELS, "type_labels": TYPE_LABELS}


def _filters(sources: tuple[str, ...], staff_id: str | None, team: str | None, month: str | None,
             finding_type: str | None, state: str | None) -> svc.FindingFilter:
    return svc.FindingFilter(sources=sources, staff_id=staff_id or None, team=team or None, month=month or None,
                             finding_type=finding_type or None,
                             state=None if state == "all" else (state or "open"))


def _query(**values: Any) -> dict[str, Any]:
    return {k: v or "" for k, v in values.items()}


@router.get("/compliance")
def findings_page(request: Request, session: DbSession, staff_id: Text = None, team: Text = None,
                  month: Month = None, finding_type: Text = None, state: State = "open",
                  page: PageNo = 1) -> Response:
    """QA findings (breach utterances and missing mandatory items), most severe first."""
    filters = _filters(("qa",), staff_id, team, month, finding_type, state)
    rows, total = svc.search_findings(session, filters, page, PAGE_SIZE)
    return render(request, "compliance/findings.html", rows=rows, total=total, page=page,
                  pages=max(1, -(-total // PAGE_SIZE)), facets=svc.finding_facets(session, ("qa",)),
                  counts=svc.ComplianceReview(session, "console").counts(), state=state or "open",
                  query=_query(staff_id=staff_id, team=team, month=month, finding_type=finding_type, state=state),
                  **_labels())


@router.get("/compliance/calls/{call_id}")
def call_page(request: Request, session: DbSession, settings: AppSettings, call_id: CallId) -> Response:
    view = svc.call_view(session, settings.lake_dir, call_id)
    return render(request, "compliance/call.html", view=view, **_labels())


@router.post("/compliance/findings/{finding_id}/review")
def review_finding(request: Request, session: DbSession, user: CurrentUser, finding_id: FindingId,
                   decision: Annotated[str, Form(max_length=16)] = "",
                   reason: Annotated[str, Form(max_length=500)] = "",
                   expected_version: Annotated[int | None, Form(ge=0)] = None) -> Response:
    """Confirm or dismiss; answers the review cell again (or with the refusal) for HTMX to swap in place."""
    finding = svc.get_finding(session, finding_id)
    error, status = None, 200
    if decision not in svc.DECISIONS:
        error = "请选择“确认”或“排除”"
    elif len(reason.strip()) < MIN_REASON:
        error = f"请填写至少 {MIN_REASON} 个字的复核理由"
    else:
        try:
            finding = svc.ComplianceReview(session, user.username).review(finding_id, decision, reason.strip(),
                                                                          expected_version)
        except GrayShieldError as exc:
            session.rollback()
            finding, error = svc.get_finding(session, finding_id), exc.message
            status = 409 if isinstance(exc, ConflictError) else 422
    if error and status == 200:
        status = 422
    return render(request, "compliance/_review.html", status_code=status, f=finding, error=error,
                  **_labels())


@router.get("/compliance/alerts")
def alerts_page(request: Request, session: DbSession, staff_id: Text = None, finding_type: Text = None,
                state: State = "open", page: PageNo = 1) -> Response:
    """Process-anomaly alerts: complaint cases off the normal process and staff-operation alerts."""
    sources = svc.PROCESS_SOURCES
    filters = _filters(sources, staff_id, None, None, finding_type, state)
    rows, total = svc.search_findings(session, filters, page, PAGE_SIZE)
    return render(request, "compliance/alerts.html", rows=rows, total=total, page=page,
                  pages=max(1, -(-total // PAGE_SIZE)), facets=svc.finding_facets(session, sources),
                  state=state or "open", query=_query(staff_id=staff_id, finding_type=finding_type, state=state),
                  **_labels())


@router.get("/compliance/scores")
def scores_page(request: Request, session: DbSession,
                by: Annotated[str, Query(pattern="^(agent|team|month)$")] = "agent") -> Response:
    table = svc.qa_scores(session, by)
    shown = table if by == "month" else table[:30]  # the lowest 30 agents or teams
    if by == "month":
        shown = sorted(table, key=lambda r: str(r["group"]))
    charts: dict[str, Any] = {}
    if shown:
        groups = [str(r["group"]) for r in shown]
        charts["scores"] = {"title": f"按{SCORE_LABELS[by]}：问题通话平均得分与问题数", "kind": "multi", "type": "bar",
                            "x": groups, "series": [
                                {"name": "平均得分", "data": [r["score"] for r in shown]},
                                {"name": "违规话术", "data": [r["breach"] for r in shown]},
                                {"name": "缺失必备项", "data": [r["missing"] for r in shown]}]}
    return render(request, "compliance/scores.html", table=table, by=by, by_labels=SCORE_LABELS, charts=charts,
                  **_labels())
