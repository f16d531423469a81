"""The console's JSON API: the same read models as the pages, for scripts and other desk tools.

Thin on purpose: each handler parses its input, calls one service function and returns its schema.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from grayshield import __version__
from grayshield.services import console_queries as q
from grayshield.services import users
from grayshield.web.deps import AppSettings, DbSession, Strategies, lexicons_dir, pending_screened
from grayshield.web.exports import to_csv
from grayshield.web.security import CurrentUser

router = APIRouter()
EXPORT_LIMIT = 50_000
CustomerId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
TagId = Annotated[int, Path(ge=1, le=2**62)]
AlertQuery = Annotated[q.AlertFilter, Query()]
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class Health(BaseModel):
    status: str
    version: str


class Me(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    via: str


class RevealRequest(BaseModel):
    field: q.PiiField
    reason: str = Field(min_length=q.MIN_REASON_LENGTH, max_length=500, description="Why the clear value is needed")


class RevealResponse(BaseModel):
    customer_id: str
    field: str
    value: str | None


class DraftRequest(BaseModel):
    text: str = Field(max_length=200_000, description="A rule set or lexicon in TOML")


class Diff(BaseModel):
    old: str
    new: str
    diff: str


class UserOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    active: bool


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str | None = Field(default=None, max_length=128)
    password: str = Field(min_length=users.MIN_PASSWORD_LENGTH, max_length=256)
    roles: list[str] = Field(min_length=1, max_length=5)


class ActiveChange(BaseModel):
    active: bool


class RolesChange(BaseModel):
    roles: list[str] = Field(min_length=1, max_length=5)


def alerts_csv(session: DbSession, filters: q.AlertFilter) -> Response:
    """Shared by the page's and the API's export: formula-safe CSV of the filtered warnings."""
    header = ["预警日期", "客户号", "评分", "等级", "代理风险", "代理风险等级", "客群", "处置动作", "规则",
              "主要原因", "策略版本", "模型版本"]
    rows = ([a.as_of, a.customer_id, round(a.score, 4), a.band, a.proxy_score, a.proxy_level, a.segment, a.action,
             a.rule, "；".join(r.reason for r in a.reasons), a.strategy_version, a.model_version]
            for a in q.iter_alerts(session, filters, EXPORT_LIMIT))
    return Response(to_csv(header, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="complaint_alerts.csv"'})


@router.get("/health", response_model=Health, tags=["system"])
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/me", response_model=Me, tags=["system"])
def me(user: CurrentUser) -> Me:
    return Me(username=user.username, display_name=user.display_name, roles=sorted(user.roles), via=user.via)


@router.get("/overview", response_model=q.Overview, tags=["overview"])
def overview(request: Request, session: DbSession, as_of: date | None = None) -> q.Overview:
    return q.overview(session, as_of, pending_screened(request))


@router.get("/alerts", response_model=q.AlertPage, tags=["complaint warnings"])
def alerts(session: DbSession, filters: AlertQuery,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1,
           page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> q.AlertPage:
    return q.list_alerts(session, filters, page, page_size)


@router.get("/alerts/facets", response_model=q.AlertFacets, tags=["complaint warnings"])
def alert_facets(session: DbSession) -> q.AlertFacets:
    return q.alert_facets(session)


@router.get("/alerts/export.csv", tags=["complaint warnings"], response_class=Response)
def export_alerts(session: DbSession, filters: AlertQuery) -> Response:
    return alerts_csv(session, filters)


@router.get("/customers/{customer_id}", response_model=q.CustomerView, tags=["customers"])
def customer(session: DbSession, settings: AppSettings, customer_id: CustomerId) -> q.CustomerView:
    return q.customer_view(session, settings.lake_dir, customer_id)


@router.post("/customers/{customer_id}/reveal", response_model=RevealResponse, tags=["customers"])
def reveal(session: DbSession, settings: AppSettings, user: CurrentUser, customer_id: CustomerId,
           body: Annotated[RevealRequest, Body()]) -> RevealResponse:
    value = q.reveal_customer_field(session, settings.lake_dir, customer_id, body.field, actor=user.username,
                                    reason=body.reason)
    return RevealResponse(customer_id=customer_id, field=body.field, value=value)


@router.get("/models", response_model=q.ModelMonitoring, tags=["models"])
def models(session: DbSession, settings: AppSettings) -> q.ModelMonitoring:
    return q.model_monitoring(session, settings.models_dir)


@router.get("/strategies", response_model=q.StrategyOverview, tags=["strategies"])
def strategies(repo: Strategies) -> q.StrategyOverview:
    return q.strategy_overview(repo)


@router.post("/strategies/validate", response_model=q.DraftCheck, tags=["strategies"])
def validate_draft(body: Annotated[DraftRequest, Body()]) -> q.DraftCheck:
    return q.check_draft(body.text)


@router.get("/strategies/diff", response_model=Diff, tags=["strategies"])
def diff(repo: Strategies, old: Annotated[str, Query(max_length=32)],
         new: Annotated[str, Query(max_length=32)]) -> Diff:
    return Diff(old=old, new=new, diff=q.strategy_diff(repo, old, new))


@router.get("/users", response_model=list[UserOut], tags=["admin"])
def list_users(request: Request) -> list[UserOut]:
    return [UserOut(username=u.username, display_name=u.display_name, roles=list(u.roles), active=u.active)
            for u in users.list_users(request.app.state.db)]


@router.post("/users", response_model=UserOut, status_code=201, tags=["admin"])
def add_user(request: Request, user: CurrentUser, body: Annotated[UserCreate, Body()]) -> UserOut:
    created = users.add_user(request.app.state.db, body.username, body.password, body.roles,
                             display_name=body.display_name, actor=user.username)
    return UserOut(username=created.username, display_name=created.display_name, roles=sorted(created.roles),
                   active=True)


@router.post("/users/{username}/active", status_code=204, tags=["admin"])
def set_active(request: Request, user: CurrentUser, username: Username,
               body: Annotated[ActiveChange, Body()]) -> Response:
    users.set_active(request.app.state.db, username, body.active, actor=user.username)
    return Response(status_code=204)


@router.post("/users/{username}/roles", status_code=204, tags=["admin"])
def set_roles(request: Request, user: CurrentUser, username: Username,
              body: Annotated[RolesChange, Body()]) -> Response:
    users.set_roles(request.app.state.db, username, body.roles, actor=user.username)
    return Response(status_code=204)


@router.get("/audit", response_model=q.AuditPage, tags=["audit"])
def audit(session: DbSession, page: Annotated[int, Query(ge=1, le=100_000)] = 1,
          page_size: Annotated[int, Query(ge=1, le=500)] = 50,
          actor: Annotated[str | None, Query(max_length=64)] = None,
          action: Annotated[str | None, Query(max_length=64)] = None) -> q.AuditPage:
    return q.audit_page(session, page, page_size, actor, action)


@router.get("/audit/verify", response_model=q.ChainStatus, tags=["audit"])
def audit_verify(session: DbSession) -> q.ChainStatus:
    return q.audit_chain_status(session)


@router.get("/tags", response_model=q.TagPage, tags=["tags"])
def tags(session: DbSession, filters: Annotated[q.TagFilter, Query()],
         page: Annotated[int, Query(ge=1, le=100_000)] = 1,
         page_size: Annotated[int, Query(ge=1, le=500)] = 50) -> q.TagPage:
    return q.list_tags(session, filters, page, page_size)


@router.get("/tags/{tag_id}", response_model=q.TagDetail, tags=["tags"])
def tag(session: DbSession, tag_id: TagId) -> q.TagDetail:
    return q.tag_detail(session, tag_id)


@router.post("/tags/{tag_id}/review", response_model=q.TagOut, tags=["tags"])
def review_tag(session: DbSession, user: CurrentUser, tag_id: TagId,
               body: Annotated[q.TagReview, Body()]) -> q.TagOut:
    return q.review_tag(session, tag_id, body, actor=user.username)


@router.get("/lexicons", response_model=q.LexiconView, tags=["lexicons"])
def lexicons(settings: AppSettings, name: Annotated[str | None, Query(max_length=64)] = None) -> q.LexiconView:
    return q.lexicon_view(name, lexicons_dir(settings))


@router.post("/lexicons/validate", response_model=q.LexiconCheck, tags=["lexicons"])
def validate_lexicon(settings: AppSettings, body: Annotated[DraftRequest, Body()]) -> q.LexiconCheck:
    return q.check_lexicon(body.text, lexicons_dir(settings))


@router.post("/lexicons/save", response_model=q.LexiconVersionOut, tags=["lexicons"])
def save_lexicon(session: DbSession, settings: AppSettings, user: CurrentUser,
                 body: Annotated[q.LexiconSave, Body()]) -> q.LexiconVersionOut:
    """Save a lexicon as a new version: validated, version raised, based on the current one, audited."""
    return q.save_lexicon(session, lexicons_dir(settings), body, actor=user.username)
