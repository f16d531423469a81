"""打击团伙 pages: the gang list, a gang's graph, the case board and a case page where cases are worked.

Views and actions over :mod:`grayshield.services.strike` and :class:`grayshield.cases.CaseService`, the same
functions the CLI calls, so every change lands in the case history and the audit log exactly as from
``grayshield cases``. Numbers are shown masked on the pages; an evidence package shows full data only when it
is exported for the police, which only roles allowed to reveal PII may do (and download), and both the choice
and each download are audited.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import zipfile
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from grayshield.cases import OUTCOMES, RECIPIENTS, STATES, TRANSITIONS, CaseService
from grayshield.cases.package import BUNDLE_FILE, EVENT_LABELS, MANIFEST_FILE, REPORT_FILE, mask_record
from grayshield.core.errors import ConflictError, GrayShieldError, NotFoundError, ValidationError
from grayshield.core.settings import Settings
from grayshield.graph.summary import KIND_LABELS
from grayshield.services import strike
from grayshield.store import Database
from grayshield.store.audit import record as audit_record
from grayshield.web.access import REVEAL_PII
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
BANK_TZ = timezone(timedelta(hours=8))  # deadlines are picked as dates in Beijing time
DONE = {"opened": "已立案", "moved": "案件状态已更新", "assigned": "承办人已更新", "deadline": "截止时间已更新",
        "noted": "调查记录已添加", "exported": "证据包已生成"}


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
def open_gang_case(request: Request, settings: AppSettings, user: CurrentUser, gang_id: GangId,
                   title: Annotated[str, Form(max_length=200)] = "", reason: Text = "",
                   assignee: Annotated[str, Form(max_length=64)] = "",
                   deadline: Annotated[str, Form(max_length=10)] = "") -> Response:
    """立案: the service snapshots the gang and attaches its summary as the first evidence item."""
    strike.get_gang(settings.home_dir / "gangs", gang_id)  # an unknown gang is a 404, not a form error
    try:
        case_id = strike.open_case(_db(request), user.username, "gang", gang_id, title,
                                   state_dir=settings.home_dir / "gangs", assignee=assignee or None,
                                   deadline=_deadline(deadline) if deadline else None, reason=_required(reason))
    except GrayShieldError as exc:
        return _gang_page(request, settings, gang_id, 422, error=exc.message)
    return RedirectResponse(f"/cases/{case_id}?done=opened", status_code=303)


@router.get("/cases")
def cases_page(request: Request, session: DbSession, state: CaseState = None) -> Response:
    cases = CaseService(session, "console").search(state=state, limit=500)
    return render(request, "strike/cases.html", cases=cases, state=state, states=STATES)


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
    """Write the evidence package; full PII (police referral) only for roles allowed to reveal it."""
    CaseService(session, user.username).get(case_id)
    if recipient not in RECIPIENTS:
        return _case_page(request, session, settings, case_id, 422,
                          error=f"请选择接收方：{', '.join(RECIPIENTS.names())}")
    if RECIPIENTS.get(recipient).reveal_pii and user.roles.isdisjoint(REVEAL_PII):
        raise Forbidden("您的角色无权导出含完整个人信息的证据包（移送公安）")
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
    if reveal and user.roles.isdisjoint(REVEAL_PII):
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


def graph_chart(holder: dict[str, Any]) -> dict[str, Any]:
    """An ECharts force-graph spec (``kind: "graph"``) from a gang's or case's stored picture; labels masked."""
    from grayshield.pii import mask_text

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
    return settings.home_dir / "cases" / "packages" / str(case_id)


def _packages(settings: Settings, case_id: int) -> list[dict[str, Any]]:
    """Packages written for this case, newest first, with their recipient as recorded in the bundle."""
    root = _packages_dir(settings, case_id)
    found = []
    for folder in sorted(root.iterdir(), reverse=True) if root.is_dir() else []:
        bundle = folder / BUNDLE_FILE
        if bundle.is_file():
            data = json.loads(bundle.read_text(encoding="utf-8"))
            found.append({"id": folder.name, "recipient": data.get("recipient"),
                          "reveal_pii": bool(data.get("reveal_pii")), "generated_at": data.get("generated_at")})
    return found


def _gang_page(request: Request, settings: Settings, gang_id: str, status_code: int = 200,
               error: str | None = None) -> Response:
    gang = strike.get_gang(settings.home_dir / "gangs", gang_id)
    return render(request, "strike/gang.html", status_code=status_code, gang=gang, kind_labels=KIND_LABELS,
                  charts={"graph": graph_chart(gang)}, error=error)


def _case_page(request: Request, session: Session, settings: Settings, case_id: int, status_code: int = 200,
               message: str | None = None, error: str | None = None) -> Response:
    record = mask_record(CaseService(session, "console").record(case_id))
    principal = getattr(request.state, "principal", None)
    may_reveal = principal is not None and not principal.roles.isdisjoint(REVEAL_PII)
    return render(request, "strike/case.html", status_code=status_code, record=record, states=STATES,
                  may_reveal=may_reveal,
                  outcomes=OUTCOMES, transitions=TRANSITIONS, recipients={k: RECIPIENTS.get(k) for k in RECIPIENTS},
                  packages=_packages(settings, case_id), event_labels=EVENT_LABELS, message=message, error=error,
                  charts={"graph": graph_chart(record.case.get("detail") or {})})


def _act(request: Request, session: Session, settings: Settings, actor: str, case_id: int,
         change: Any, done: str) -> Response:
    """Run one change; a refused change rolls back and shows the case again with why (409 stale, else 422)."""
    try:
        change(CaseService(session, actor))
    except NotFoundError:
        raise
    except GrayShieldError as exc:
        session.rollback()
        stale = isinstance(exc, ConflictError)
        return _case_page(request, session, settings, case_id, 409 if stale else 422, error=exc.message)
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
