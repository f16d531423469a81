"""Server-rendered pages in Simplified Chinese; HTMX swaps fragments (tables, results) without a reload.

Each handler calls the same service functions as the JSON API, so a page never shows what the API would not.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from grayshield.core.errors import GrayShieldError
from grayshield.core.logging import get_logger
from grayshield.core.roles import ROLES
from grayshield.core.settings import Settings
from grayshield.services import console_queries as q
from grayshield.services import strike, users
from grayshield.strategies.repository import StrategyRepository
from grayshield.web.access import ACCESS, PUBLIC
from grayshield.web.api.console import AlertQuery, CustomerId, TagId, Username, alerts_csv
from grayshield.web.deps import AppSettings, DbSession, Strategies, lexicons_dir, pending_screened, render
from grayshield.web.labels import SCREEN_LEVEL_LABELS
from grayshield.web.security import CurrentUser, LoginThrottle
from grayshield.web.strike_pages import CaseForm, case_card, case_on_subject

router = APIRouter()
log = get_logger(__name__)
# The model card is a self-contained report with inline styles and images but no scripts.
CARD_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
PAGE_SIZE = 50
RegistryName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
RegistryVersion = Annotated[str, Path(pattern=r"^v\d{4,8}$")]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link bounce off the bank's console."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# ---------------------------------------------------------------------------------------------- sign-in
@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)],
          next: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    throttle: LoginThrottle = request.app.state.login_throttle
    client = _client(request)
    if throttle.blocked(username, client):
        log.warning("sign-in throttled for a user from %s", client)
        return render(request, "login.html", status_code=429, next=_safe_next(next),
                      error=f"登录失败次数过多，请 {int(throttle.window_s // 60)} 分钟后再试")
    principal = request.app.state.authenticator.authenticate(username, password)
    if principal is None:
        throttle.fail(username, client)
        return render(request, "login.html", status_code=401, next=_safe_next(next), error="用户名或密码错误")
    throttle.succeed(username, client)
    request.session.clear()  # a fresh session (and CSRF token) at sign-in defeats session fixation
    request.session["user"] = principal.username
    users.record_sign_in(request.app.state.db, principal, client)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# ---------------------------------------------------------------------------------------------- overview
@router.get("/")
def overview_page(request: Request, session: DbSession, strategies: Strategies, as_of: date | None = None) -> Response:
    data = q.overview(session, as_of, pending_screened(request))
    labels = q.action_labels(strategies)
    charts = {
        "bands": {"title": "预警等级分布", "kind": "bar", "x": [c.key for c in data.by_band],
                  "y": [c.count for c in data.by_band]},
        "actions": {"title": "处置动作分布", "kind": "pie",
                    "data": [{"name": labels.get(c.key, c.key), "value": c.count} for c in data.by_action]},
        "trend": {"title": "每日预警趋势", "kind": "line", "x": [str(p.as_of) for p in data.trend],
                  "y": [p.alerts for p in data.trend]},
    }
    activity = {
        "screened": {"title": "近 14 天来电筛查（按风险等级）", "kind": "multi", "type": "bar", "stack": True,
                     "x": [str(d.day) for d in data.screened_trend],
                     "series": [{"name": name, "data": [getattr(d, level) for d in data.screened_trend]}
                                for level, name in SCREEN_LEVEL_LABELS.items()]},
        "reports": {"title": "近 30 天舆情举报与处置", "kind": "multi", "type": "line",
                    "x": [str(d.day) for d in data.report_trend],
                    "series": [{"name": "举报", "data": [d.filed for d in data.report_trend]},
                               {"name": "删除/封号", "data": [d.taken_down for d in data.report_trend]}]},
    }
    return render(request, "overview.html", data=data, charts=charts, activity=activity, labels=labels,
                  level_labels=SCREEN_LEVEL_LABELS)


# ---------------------------------------------------------------------------------------------- warnings
@router.get("/alerts")
def alerts_page(request: Request, session: DbSession, strategies: Strategies,
                filters: AlertQuery,
                page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    result = q.list_alerts(session, filters, page, PAGE_SIZE)
    context: dict[str, Any] = {"result": result, "filters": filters, "labels": q.action_labels(strategies),
               "query": filters.model_dump(exclude_none=True, mode="json")}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "alerts-table":
        return render(request, "_alerts_table.html", **context)
    return render(request, "alerts.html", facets=q.alert_facets(session), **context)


@router.get("/alerts/export.csv")
def alerts_export(session: DbSession, filters: AlertQuery) -> Response:
    return alerts_csv(session, filters)


@router.get("/customers/{customer_id}")
def customer_page(request: Request, session: DbSession, settings: AppSettings, strategies: Strategies,
                  customer_id: CustomerId) -> Response:
    return _customer_page(request, session, settings, strategies, customer_id)


@router.post("/customers/{customer_id}/cases")
def customer_case(request: Request, session: DbSession, settings: AppSettings, strategies: Strategies,
                  user: CurrentUser, customer_id: CustomerId, form: CaseForm) -> Response:
    """立案 on the customer (or add them to an open case), their latest complaint warning as evidence."""
    subject = strike.customer_subject(session, settings.lake_dir, customer_id)
    return case_on_subject(session, user.username, subject, form, lambda status, error: _customer_page(
        request, session, settings, strategies, customer_id, status, error))


def _customer_page(request: Request, session: Session, settings: Settings, strategies: StrategyRepository,
                   customer_id: str, status_code: int = 200, case_error: str | None = None) -> Response:
    view = q.customer_view(session, settings.lake_dir, customer_id)
    return render(request, "customer.html", status_code=status_code, view=view, fields=q.PII_FIELDS,
                  labels=q.action_labels(strategies), case_error=case_error,
                  **case_card(request, session, f"/customers/{customer_id}/cases", "customer", customer_id))


@router.post("/customers/{customer_id}/reveal")
def reveal_field(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                 customer_id: CustomerId, field: Annotated[str, Form(max_length=32)],
                 reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        value = q.reveal_customer_field(session, settings.lake_dir, customer_id, field, actor=user.username,
                                        reason=reason)
    except GrayShieldError as exc:  # shown inline next to the field, not as a page
        return render(request, "_reveal.html", status_code=422, field=field, value=None, error=exc.message)
    return render(request, "_reveal.html", field=field, value=value, error=None)


# ---------------------------------------------------------------------------------------------- tags
@router.get("/tags")
def tags_page(request: Request, session: DbSession, filters: Annotated[q.TagFilter, Query()],
              page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return render(request, "tags.html", result=q.list_tags(session, filters, page, PAGE_SIZE), filters=filters,
                  types=q.tag_types(), query={"state": filters.state or "", "tag_type": filters.tag_type or "",
                                              "subject_type": filters.subject_type or ""})


@router.get("/tags/{tag_id}")
def tag_page(request: Request, session: DbSession, tag_id: TagId) -> Response:
    return _tag_page(request, session, tag_id)


@router.post("/tags/{tag_id}/cases")
def tag_case(request: Request, session: DbSession, user: CurrentUser, tag_id: TagId, form: CaseForm) -> Response:
    """立案 on the tag's number, account or customer (or add it to an open case), the tag as evidence."""
    subject = strike.tag_subject(session, tag_id)
    return case_on_subject(session, user.username, subject, form,
                           lambda status, error: _tag_page(request, session, tag_id, status, error))


def _tag_page(request: Request, session: Session, tag_id: int, status_code: int = 200,
              case_error: str | None = None) -> Response:
    detail = q.tag_detail(session, tag_id)
    subject_type = strike.TAG_CASE_SUBJECTS.get(detail.tag.subject_type)
    return render(request, "tag.html", status_code=status_code, detail=detail, case_error=case_error,
                  **case_card(request, session, f"/tags/{tag_id}/cases", subject_type, detail.tag.subject_id))


@router.post("/tags/{tag_id}/review")
def tag_review(request: Request, session: DbSession, user: CurrentUser, tag_id: TagId,
               decision: Annotated[str, Form(max_length=16)], reason: Annotated[str, Form(max_length=500)] = "",
               expected_version: Annotated[int | None, Form(ge=0)] = None) -> Response:
    """Answers the row again (now reviewed), or the row with the refusal, for HTMX to swap in place."""
    try:
        review = q.TagReview.model_validate({"decision": decision, "reason": reason,
                                             "expected_version": expected_version})
        tag = q.review_tag(session, tag_id, review, actor=user.username)
    except (GrayShieldError, PydanticValidationError) as exc:
        message = exc.message if isinstance(exc, GrayShieldError) else "请选择结论并填写至少 2 个字的理由"
        return render(request, "_tag_row.html", status_code=422, tag=q.tag_detail(session, tag_id).tag,
                      error=message)
    return render(request, "_tag_row.html", tag=tag, error=None)


# ---------------------------------------------------------------------------------------------- models
@router.get("/models")
def models_page(request: Request, session: DbSession, settings: AppSettings) -> Response:
    data = q.model_monitoring(session, settings.models_dir)
    charts = {"psi": {"title": "评分 PSI（相对验证期）", "kind": "line", "x": [str(d.as_of) for d in data.drift],
                      "y": [d.score_psi for d in data.drift], "markLine": [0.10, 0.25]}}
    return render(request, "models.html", data=data, charts=charts)


@router.get("/models/{name}/{version}/card")
def model_card(settings: AppSettings, name: RegistryName, version: RegistryVersion) -> Response:
    response = FileResponse(q.model_card_path(settings.models_dir, name, version), media_type="text/html")
    response.headers["Content-Security-Policy"] = CARD_POLICY
    return response


# ---------------------------------------------------------------------------------------------- strategies
@router.get("/strategies")
def strategies_page(request: Request, strategies: Strategies) -> Response:
    data = q.strategy_overview(strategies)
    return render(request, "strategies.html", data=data, versions=["default", *reversed(strategies.versions())])


@router.post("/strategies/validate")
def strategies_validate(request: Request, text: Annotated[str, Form(max_length=200_000)]) -> Response:
    return render(request, "_draft_check.html", check=q.check_draft(text))


@router.get("/strategies/diff")
def strategies_diff(request: Request, strategies: Strategies, old: Annotated[str, Query(max_length=32)],
                    new: Annotated[str, Query(max_length=32)]) -> Response:
    return render(request, "_diff.html", diff=q.strategy_diff(strategies, old, new), old=old, new=new)


# ---------------------------------------------------------------------------------------------- lexicons
@router.get("/lexicon")
def lexicon_page(request: Request, settings: AppSettings,
                 name: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    return render(request, "lexicon.html", view=q.lexicon_view(name or None, lexicons_dir(settings)))


@router.post("/lexicon/validate")
def lexicon_validate(request: Request, settings: AppSettings,
                     text: Annotated[str, Form(max_length=200_000)]) -> Response:
    return render(request, "_lexicon_check.html", check=q.check_lexicon(text, lexicons_dir(settings)))


@router.post("/lexicon/save")
def lexicon_save(request: Request, session: DbSession, settings: AppSettings, user: CurrentUser,
                 text: Annotated[str, Form(max_length=200_000)], note: Annotated[str, Form(max_length=500)] = "",
                 based_on: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Save the draft as a new version (validated, versioned, audited) and answer the result for HTMX."""
    try:
        save = q.LexiconSave.model_validate({"text": text, "note": note, "based_on": based_on})
        saved = q.save_lexicon(session, lexicons_dir(settings), save, actor=user.username)
    except (GrayShieldError, PydanticValidationError) as exc:
        message = exc.message if isinstance(exc, GrayShieldError) else f"请填写至少 {q.MIN_REASON_LENGTH} 个字的修改说明"
        return render(request, "_lexicon_saved.html", status_code=422, saved=None, error=message)
    return render(request, "_lexicon_saved.html", saved=saved, error=None)


# ---------------------------------------------------------------------------------------------- admin
def _users_page(request: Request, status_code: int = 200, message: str | None = None,
                error: str | None = None) -> HTMLResponse:
    return render(request, "admin_users.html", status_code=status_code, users=users.list_users(request.app.state.db),
                  roles=ROLES, message=message, error=error, access=ACCESS, public=PUBLIC)


@router.get("/admin/users")
def admin_users(request: Request) -> Response:
    return _users_page(request)


@router.post("/admin/users")
def admin_add_user(request: Request, user: CurrentUser, username: Annotated[str, Form(max_length=64)],
                   password: Annotated[str, Form(max_length=256)],
                   roles: Annotated[list[str], Form(max_length=5)],
                   display_name: Annotated[str | None, Form(max_length=128)] = None) -> Response:
    try:
        users.add_user(request.app.state.db, username, password, roles, display_name=display_name or None,
                       actor=user.username)
    except GrayShieldError as exc:
        return _users_page(request, 422, error=exc.message)
    return _users_page(request, message=f"已创建用户 {username}")


@router.post("/admin/users/{username}/active")
def admin_set_active(request: Request, user: CurrentUser, username: Username,
                     active: Annotated[bool, Form()]) -> Response:
    users.set_active(request.app.state.db, username, active, actor=user.username)
    return _users_page(request, message=f"已{'启用' if active else '停用'}用户 {username}")


@router.post("/admin/users/{username}/roles")
def admin_set_roles(request: Request, user: CurrentUser, username: Username,
                    roles: Annotated[list[str], Form(max_length=5)]) -> Response:
    try:
        users.set_roles(request.app.state.db, username, roles, actor=user.username)
    except GrayShieldError as exc:
        return _users_page(request, 422, error=exc.message)
    return _users_page(request, message=f"已更新用户 {username} 的角色")


@router.get("/audit")
def audit_page(request: Request, session: DbSession, page: Annotated[int, Query(ge=1, le=100_000)] = 1,
               actor: Annotated[str | None, Query(max_length=64)] = None,
               action: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    data = q.audit_page(session, page, PAGE_SIZE, actor or None, action or None)
    return render(request, "audit.html", data=data, actor=actor or "", action=action or "")



@router.get("/audit/verify")
def audit_verify(request: Request, session: DbSession) -> Response:
    return render(request, "_chain_status.html", chain=q.audit_chain_status(session))
