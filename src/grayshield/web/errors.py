"""Every failure becomes a clear answer in one place: JSON for ``/api``, a page (or a sign-in redirect) for
browsers. A bad request is always a 4xx; an unexpected error is logged by type and route only (never the
request's values, which may hold PII) and answered 500 with an incident id to quote to support."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from grayshield.core.errors import ConfigError, ConflictError, GrayShieldError, NotFoundError, ValidationError
from grayshield.core.logging import get_logger
from grayshield.web.deps import render
from grayshield.web.security import Forbidden, NotAuthenticated

log = get_logger(__name__)

_STATUS: tuple[tuple[type[GrayShieldError], int], ...] = (
    (NotFoundError, 404), (ConflictError, 409), (ValidationError, 422), (ConfigError, 503),
)
_TITLES = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "未找到", 405: "不支持的请求方法",
           409: "数据已被修改", 422: "输入有误", 429: "尝试过于频繁", 500: "系统错误", 503: "服务不可用"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    if _is_api(request):
        return JSONResponse({"error": _TITLES.get(status, "错误"), "detail": message}, status_code=status,
                            headers=dict(headers or {}))
    response = render(request, "error.html", status_code=status, title=_TITLES.get(status, "错误"), message=message)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or '请求'}: {error.get('msg', 'invalid')}")
    return "参数校验失败 / invalid request — " + "; ".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse({"error": _TITLES[401], "detail": str(exc)}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, exc.message)

    @app.exception_handler(GrayShieldError)
    async def _domain(request: Request, exc: GrayShieldError) -> Response:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
        return error_response(request, status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        incident = secrets.token_hex(4)
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("incident %s: %s on %s %s", incident, type(exc).__name__, request.method, route)
        return error_response(request, 500, f"系统内部错误，请联系管理员并提供事件编号 {incident}")
