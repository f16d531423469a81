"""打击团伙 pages: the gang list, a gang's graph, the case board and a case page where cases are worked.

Views and actions over :mod:`grayshield.services.strike` and :class:`grayshield.cases.CaseService`, the same
functions the CLI calls, so every change lands in the case history and the audit log exactly as from
``grayshield cases``. Numbers are shown masked on the pages; an evidence package shows full data only when it
is exported for the police, which only investigators and supervisors may do (and download): roles that both work
cases and may reveal PII; the admin manages users, not evidence. Both the choice and each download are audited.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from grayshield.cases import (
    EVIDENCE_KINDS,
    OUTCOMES,
    RECIPIENTS,
    STATES,
    SUBJECT_TYPES,
    TRANSITIONS,
    CaseService,
)
from grayshield.cases.package import BUNDLE_FILE, EVENT_LABELS, MANIFEST_FILE, REPORT_FILE, mask_record
from grayshield.core.clock import BANK_TZ
from grayshield.core.errors import ConflictError, GrayShieldError, NotFoundError, ValidationError
from grayshield.core.settings import Settings
from grayshield.graph.summary import KIND_LABELS
from grayshield.pii import mask_text
from grayshield.services import strike
from grayshield.services.strike import CaseSubject
from grayshield.store import Database
from grayshield.store.audit import record as audit_record
from grayshield.web.access import POLICE_EVIDENCE, may
from grayshield.web.deps import AppSettings, DbSession, render
from grayshield.web.security import CurrentUser, Forbidden

router = APIRouter()
GangId = Annotated[str, Path(pattern=r"^GS-\d{4,8}$")]
CaseId = Annotated[int, Path(ge=1, le=2**62)]
CaseState = Annotated[str | None, Query(pattern="^(" + "|".join(STATES) + ")$")]
PackageId = Annotated[str, Path(pattern=r"^\d{8}T\d{6}-[a-z]{1,16}-[0-9a-f]{6}$")]
FileName = Annotated[str, Path(pattern=r"^(report\.pdf|bundle\.json|manifest\.json|package\.zip)$")]
Text = Annotated[str, Form(max_length=2000)]
Version = Annotated[int, Form(ge=1)]
DONE = {"opened": "已立案", "moved": "案件状态已更新", "assigned": "承办人已更新", "deadline": "截止时间已更新",
        "noted": "调查记录已添加", "exported": "证据包已生成", "added": "证据已加入本案"}


class SubjectCaseForm(BaseModel):
    """The 立案 / 加入案件 card on a number, account or customer page.

    ``target`` is ``new`` or ``<case id>:<version seen>``: the version travels with the chosen case, so a case
    moved or closed since the page was drawn is refused (409) like every other stale case form.
    """

    target: str = Field(default="new", pattern=r"^(new|\d{1,18}:\d{1,9})$")
    title: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)
    assignee: str = Field(default="", max_length=64)
    deadline: str = Field(default="", max_length=10)


CaseForm = Annotated[SubjectCaseForm, Form()]


@router.get("/gangs")
def gangs_page(request: Request, settings: AppSettings) -> Response:
    try:
        gangs = strike.list_gangs(settings.home_dir / "gangs")
    except NotFoundError:
        gangs = []
    return render(request, "strike/gangs.html", gangs=gangs, kind_labels=KIND_LABELS)


@router.get("/gangs/{gang_id}")
def gang_page(request: Request, settings: AppSettings, gang_id: GangId) -> Response:
    return _gang_page(request, settings, gang_id)


@router.post("/gangs/{gang_id}/cases")
def open_gang_case(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                   gang_id: GangId, form: CaseForm) -> Response:
    """立案: the gang is snapshotted and its summary attached as the first evidence item (unknown gang: 404)."""
    subject = strike.gang_subject(settings.home_dir / "gangs", gang_id)
    return case_on_subject(session, user.username, subject, form,
                           lambda status, error: _gang_page(request, settings, gang_id, status, error))


@router.get("/cases")
def cases_page(request: Request, session: DbSession, state: CaseState = None) -> Response:
    cases = CaseService(session, "console").search(state=state, limit=500)
    return render(request, "strike/cases.html", cases=cases, state=state, states=STATES,
                  subject_types=SUBJECT_TYPES, mask_text=mask_text)


@router.get("/cases/{case_id}")
def case_page(request: Request, session: DbSession, settings: AppSettings, case_id: CaseId,
              done: Annotated[str | None, Query(pattern="^(" + "|".join(DONE) + ")$")] = None) -> Response:
    return _case_page(request, session, settings, case_id, message=DONE.get(done or ""))


@router.post("/cases/{case_id}/transition")
def move_case(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser, case_id: CaseId,
              version: Version, to_state: Annotated[str, Form(max_length=32)], reason: Text = "",
              outcome: Annotated[str, Form(max_length=32)] = "") -> Response:
    """One workflow step with a reason; closing needs an outcome; a stale form is refused (409)."""
    def change(cases: CaseService) -> None:
        _expect(cases, case_id, version)
        cases.transition(case_id, to_state, reason, outcome=outcome or None, expected_version=version)
    return _act(request, session, settings, user.username, case_id, change, "moved")


@router.post("/cases/{case_id}/assign")
def assign_case(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser, case_id: CaseId,
                version: Version, assignee: Annotated[str, Form(max_length=64)] = "", reason: Text = "") -> Response:
    def change(cases: CaseService) -> None:
        _expect(cases, case_id, version)
        cases.assign(case_id, assignee, reason.strip() or None)
    return _act(request, session, settings, user.username, case_id, change, "assigned")


@router.post("/cases/{case_id}/deadline")
def set_case_deadline(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                      case_id: CaseId, version: Version, deadline: Annotated[str, Form(max_length=10)] = "",
                      reason: Text = "") -> Response:
    def change(cases: CaseService) -> None:
        _expect(cases, case_id, version)
        cases.set_deadline(case_id, _deadline(deadline), reason.strip() or None)
    return _act(request, session, settings, user.username, case_id, change, "deadline")


@router.post("/cases/{case_id}/notes")
def add_case_note(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                  case_id: CaseId, text: Text = "") -> Response:
    """Notes are append-only history, so they need no version check: two notes never overwrite each other."""
    return _act(request, session, settings, user.username, case_id, lambda cases: cases.note(case_id, text), "noted")


@router.post("/cases/{case_id}/export")
def export_case(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser, case_id: CaseId,
                recipient: Annotated[str, Form(max_length=16)] = "", reason: Text = "") -> Response:
    """Write the evidence package; full PII (police referral) only for case workers allowed to reveal it."""
    CaseService(session, user.username).get(case_id)
    if recipient not in RECIPIENTS:
        return _case_page(request, session, settings, case_id, 422,
                          error=f"请选择接收方：{', '.join(RECIPIENTS.names())}")
    if RECIPIENTS.get(recipient).reveal_pii and user.roles.isdisjoint(POLICE_EVIDENCE):
        raise Forbidden("您的角色无权导出含完整个人信息的证据包（移送公安仅限调查员、主管）")
    folder = _packages_dir(settings, case_id) / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{recipient}-{secrets.token_hex(3)}"
    try:
        strike.export_case(_db(request), user.username, case_id, recipient, folder, _required(reason))
    except GrayShieldError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # a package whose export was not recorded must not stay
        return _case_page(request, session, settings, case_id, 422, error=exc.message)
    return RedirectResponse(f"/cases/{case_id}?done=exported#packages", status_code=303)


@router.get("/cases/{case_id}/packages/{package}/{name}")
def download_package(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                     case_id: CaseId, package: PackageId, name: FileName) -> Response:
    """One file of a package, or all three as a zip; a police package needs a PII role; every download audited."""
    folder = _packages_dir(settings, case_id) / package
    bundle = folder / BUNDLE_FILE
    if not bundle.is_file():
        raise NotFoundError(f"案件 {case_id} 没有证据包 {package}")
    reveal = bool(json.loads(bundle.read_text(encoding="utf-8")).get("reveal_pii"))
    if reveal and user.roles.isdisjoint(POLICE_EVIDENCE):
        raise Forbidden("您的角色无权下载含完整个人信息的证据包")
    CaseService(session, user.username).get(case_id)
    audit_record(session, actor=user.username, action="case.package_downloaded", subject_type="case",
                 subject_id=str(case_id), detail={"package": package, "file": name, "reveal_pii": reveal})
    session.commit()  # the download is only handed out once its audit entry is stored
    if name != "package.zip":
        return FileResponse(folder / name, filename=f"case-{case_id}-{name}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in (REPORT_FILE, BUNDLE_FILE, MANIFEST_FILE):
            archive.write(folder / part, arcname=part)
    return Response(buffer.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="case-{case_id}-{package}.zip"'})


def case_card(request: Request, session: Session, action: str, subject_type: str | None,
              subject_id: str) -> dict[str, Any]:
    """What the 立案 / 加入案件 card on a subject's page shows: only for roles that may post it (others get no
    card and cost no query), with the cases already on the subject and the open cases it could join."""
    principal = getattr(request.state, "principal", None)
    if subject_type is None or principal is None or not may(principal.roles, "POST", action):
        return {"case_card": None}
    on_subject, active = strike.subject_cases(session, subject_type, subject_id)
    return {"case_card": {"action": action, "on_subject": on_subject, "active": active, "states": STATES}}


def case_on_subject(session: Session, actor: str, subject: CaseSubject, form: SubjectCaseForm,
                    refused: Callable[[int, str], Response]) -> Response:
    """立案 on ``subject`` or add its evidence to the case picked; a refusal redraws the subject's page with why."""
    def change() -> tuple[int, str]:
        if form.target == "new":
            deadline = _deadline(form.deadline) if form.deadline.strip() else None
            return strike.open_subject_case(session, actor, subject, form.title, assignee=form.assignee.strip() or None,
                                            deadline=deadline, reason=_required(form.reason)), "opened"
        case_id, seen = (int(part) for part in form.target.split(":"))
        strike.add_to_case(session, actor, case_id, seen, subject, _required(form.reason))
        return case_id, "added"
    return _run(session, change, refused)


def graph_chart(holder: dict[str, Any]) -> dict[str, Any]:
    """An ECharts force-graph spec (``kind: "graph"``) from a gang's or case's stored picture; labels masked."""
    picture = holder.get("graph") or {}
    nodes = picture.get("nodes", [])
    kinds = sorted({n["kind"] for n in nodes})
    alias = {n["id"]: f"n{i}" for i, n in enumerate(nodes)}  # node ids hold raw numbers: never sent to the page
    return {"title": "关系图", "kind": "graph", "categories": [KIND_LABELS.get(k, k) for k in kinds],
            "nodes": [{"id": alias[n["id"]], "name": mask_text(str(n.get("label", ""))),
                       "category": kinds.index(n["kind"])} for n in nodes],
            "links": [{"source": alias[a], "target": alias[b]} for a, b in picture.get("edges", [])
                      if a in alias and b in alias]}


# ------------------------------------------------------------------------------------------- internals
def _db(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def _packages_dir(settings: Settings, case_id: int) -> FsPath:
    return settings.packages_dir / str(case_id)


def _gang_page(request: Request, settings: Settings, gang_id: str, status_code: int = 200,
               error: str | None = None) -> Response:
    gang = strike.get_gang(settings.home_dir / "gangs", gang_id)
    return render(request, "strike/gang.html", status_code=status_code, gang=gang, kind_labels=KIND_LABELS,
                  charts={"graph": graph_chart(gang)}, error=error)


def _case_page(request: Request, session: Session, settings: Settings, case_id: int, status_code: int = 200,
               message: str | None = None, error: str | None = None) -> Response:
    record = mask_record(CaseService(session, "console").record(case_id))
    principal = getattr(request.state, "principal", None)
    may_police = principal is not None and not principal.roles.isdisjoint(POLICE_EVIDENCE)
    return render(request, "strike/case.html", status_code=status_code, record=record, states=STATES,
                  may_police=may_police, subject_types=SUBJECT_TYPES,
                  outcomes=OUTCOMES, transitions=TRANSITIONS, recipients={k: RECIPIENTS.get(k) for k in RECIPIENTS},
                  packages=strike.case_packages(settings.packages_dir, case_id), event_labels=EVENT_LABELS,
                  retention_days=settings.cases.package_retention_days, message=message, error=error,
                  evidence_kinds=EVIDENCE_KINDS, charts=_case_charts(record.case.get("detail") or {}))


def _case_charts(detail: dict[str, Any]) -> dict[str, Any]:
    """A gang case draws its gang; a case on a number, account or customer has no picture to draw."""
    return {"graph": graph_chart(detail)} if detail.get("graph") else {}


def _act(request: Request, session: Session, settings: Settings, actor: str, case_id: int,
         change: Callable[[CaseService], object], done: str) -> Response:
    """One change on the case page; a refusal shows the case again with why."""
    def run() -> tuple[int, str]:
        change(CaseService(session, actor))
        return case_id, done
    return _run(session, run, lambda status, error: _case_page(request, session, settings, case_id, status,
                                                               error=error))


def _run(session: Session, change: Callable[[], tuple[int, str]], refused: Callable[[int, str], Response]
         ) -> Response:
    """Run one case change (it answers the case and what was done); a refused change rolls back and answers
    ``refused(status, why)``: 409 for a stale form or a concurrent change, 422 otherwise. Unknown things stay 404."""
    try:
        case_id, done = change()
    except NotFoundError:
        raise
    except GrayShieldError as exc:
        session.rollback()
        return refused(409 if isinstance(exc, ConflictError) else 422, exc.message)
    session.commit()  # stored before the browser follows the redirect
    return RedirectResponse(f"/cases/{case_id}?done={done}", status_code=303)


def _expect(cases: CaseService, case_id: int, version: int) -> None:
    if cases.get(case_id).version != version:
        raise ConflictError("案件已被他人修改（表单已过期），请刷新页面后重试")


def _required(reason: str) -> str:
    if not reason.strip():
        raise ValidationError("原因不能为空")
    return reason.strip()


def _deadline(value: str) -> datetime:
    """A date picked in the form means the end of that day, Beijing time."""
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError("截止日期格式应为 YYYY-MM-DD") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=BANK_TZ)
