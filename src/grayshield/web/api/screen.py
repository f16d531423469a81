"""``POST /api/v1/screen/call``: real-time call screening for the IVR and the agent desktop.

Thin on purpose: it bounds and validates the body, hands the fields to the :class:`Screener` the app holds in
``app.state.screener``, and turns domain errors into 4xx answers with a message an integrator can act on. The
body is read with a hard size limit before any parsing, so an oversized or malformed request costs little and
never reaches the screener. Authorisation is the app's (every route passes the access table); a deployment that
mounts this router elsewhere overrides :func:`require_screen_access`.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from grayshield.core.errors import ConfigError, GrayShieldError, NotFoundError
from grayshield.services.screening import Screener

MAX_BODY_BYTES = 4096
router = APIRouter(prefix="/screen", tags=["screening"])


class ScreenCallRequest(BaseModel):
    """The call as the IVR sees it when it rings."""

    model_config = ConfigDict(extra="forbid", strict=True)

    caller: str | None = Field(max_length=32,
                               description="Calling number, any usual spelling (required); null, empty or "
                                           "'anonymous' when withheld (answered with the withheld policy)")
    called_line: str = Field(min_length=1, max_length=32, description="Bank line dialled, e.g. 95555")
    claimed_customer_id: str | None = Field(default=None, min_length=1, max_length=64,
                                            description="Customer the caller claims to be or to call for")


class ScreenTag(BaseModel):
    id: int
    subject_type: str
    tag_type: str
    label_zh: str
    state: str
    confidence: float
    source: str


class Handling(BaseModel):
    code: str
    text: str


class ScreenCallResponse(BaseModel):
    caller: str
    number_type: str
    risk_level: str
    risk_level_zh: str
    risk_score: float
    tags: list[ScreenTag]
    reasons: list[str]
    handling: list[Handling]
    version: str


def get_screener(request: Request) -> Screener:
    """The screener the app was built with; a missing one is a deployment error (503), not a client error."""
    screener = getattr(request.app.state, "screener", None)
    if screener is None:
        raise HTTPException(503, detail=ConfigError("实时筛查服务未配置（app.state.screener）").message)
    return screener  # type: ignore[no-any-return]


def require_screen_access() -> None:
    """Hook for deployments that mount this router outside the console app (which authorises every route)."""


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise HTTPException(413, detail=f"请求体过大（最多 {MAX_BODY_BYTES} 字节）")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, detail=f"请求体过大（最多 {MAX_BODY_BYTES} 字节）")
    return bytes(body)


def _parse(body: bytes) -> ScreenCallRequest:
    if not body.strip():
        raise HTTPException(400, detail="请求体为空，应为 JSON 对象 {caller, called_line, claimed_customer_id?}")
    try:
        return ScreenCallRequest.model_validate_json(body)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise HTTPException(400, detail="请求体不是合法的 JSON") from None
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '请求'}: {e['msg']}" for e in errors[:5])
        raise HTTPException(422, detail=f"参数校验失败 — {fields}") from None


@router.post("/call", response_model=ScreenCallResponse, dependencies=[Depends(require_screen_access)])
async def screen_call(request: Request, screener: Annotated[Screener, Depends(get_screener)]) -> Response:
    """来电实时筛查 — risk level, tags, reasons and suggested handling for an incoming call."""
    payload = _parse(await _bounded_body(request))
    try:
        result = screener.screen(payload.caller, payload.called_line, payload.claimed_customer_id)
    except NotFoundError as exc:
        raise HTTPException(404, detail=exc.message) from None
    except GrayShieldError as exc:
        raise HTTPException(422, detail=exc.message) from None
    stats = getattr(request.app.state, "screening_stats", None)  # in-memory count for the overview, no DB write
    if stats is not None:
        stats.count(result.risk_level)
    # The screener's result already has the response's shape (a test checks it against ScreenCallResponse);
    # returning it directly skips a second validation pass on the hot path of every IVR call.
    return Response(json.dumps(result.as_dict(), ensure_ascii=False), media_type="application/json")
