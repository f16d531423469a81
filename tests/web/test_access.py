"""Every route × every role (and nobody signed in): allowed roles get through, everyone else is refused.

The routes are read from the running app (its OpenAPI schema and every route of every router it includes),
not from the access table, so a route someone adds without a line in the table fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from console_seed import CUSTOMERS, csrf_from
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from grayshield.core.roles import ROLES
from grayshield.web.access import ACCESS, PUBLIC, matrix_markdown

SAMPLE_PARAMS = {"customer_id": CUSTOMERS[0], "name": "complaints", "version": "v0001", "username": "nobody",
                 "tag_id": "2", "gang_id": "GS-0001", "case_id": "1", "watch_id": "1", "batch_id": "R1",
                 "fmt": "csv"}


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every route the app serves (API and every pages router, whichever module added it), HEAD aside."""
    routes = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    routes |= {(method, path) for path, route in _api_routes(app.routes) for method in route.methods
               if method != "HEAD"}
    # logging out ends the session the rest of the walk needs, so it goes last
    return sorted(routes, key=lambda r: (r == ("POST", "/logout"), r))


def _api_routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Routes of the app and of every router it includes (FastAPI keeps included routers nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            context = getattr(route, "include_context", None)
            yield from _api_routes(nested.routes, prefix + getattr(context, "prefix", ""))


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "1"), path)


def test_the_walk_sees_every_pages_router(app: FastAPI) -> None:
    walked = {path for _, path in app_routes(app)}
    assert {"/", "/gangs", "/social", "/social/reports", "/social/effectiveness", "/lexicon/save"} <= walked


def test_every_route_is_in_the_access_table(app: FastAPI) -> None:
    routes = app_routes(app)
    assert len(routes) > 30
    missing = [f"{m} {p}" for m, p in routes if f"{m} {p}" not in ACCESS]
    assert missing == []


def test_route_role_matrix(app: FastAPI, client_for: Callable[[str | None], TestClient]) -> None:
    clients = {role: client_for(role) for role in (*ROLES, None)}
    anonymous = clients[None]
    anonymous.headers["X-CSRF-Token"] = csrf_from(anonymous.get("/login").text)  # so POST /login is not a CSRF 403
    failures = []
    for method, path in app_routes(app):
        allowed = ACCESS[f"{method} {path}"]
        for role, client in clients.items():
            response = client.request(method, concrete(path), follow_redirects=False)
            code = response.status_code
            login_redirect = code == 303 and response.headers["location"].startswith("/login")
            if (method, path) == ("POST", "/logout") and role is not None:
                login_redirect = False  # signing out is meant to land on the sign-in page
            permitted = allowed is PUBLIC or (role is not None and role in allowed)
            if permitted:
                ok = code not in (401, 403) and not login_redirect and code < 500
            elif role is None:
                ok = code == 401 if path.startswith("/api/") else login_redirect
            else:
                ok = code == 403
            if not ok:
                failures.append(f"{method} {path} as {role or 'anonymous'}: {code}")
    assert failures == []


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-token", "Token abc", "Bearer a.b.c"])
def test_bad_authorization_headers_are_refused_everywhere(app: FastAPI, header: str) -> None:
    client = TestClient(app, base_url="https://testserver")
    for method, path in app_routes(app):
        if ACCESS[f"{method} {path}"] is PUBLIC:
            continue
        assert client.request(method, concrete(path), headers={"Authorization": header},
                              follow_redirects=False).status_code in (401, 303)


def test_docs_role_matrix_matches_the_code() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "console.md").read_text(encoding="utf-8")
    assert matrix_markdown() in doc, "docs/console.md is stale: paste grayshield.web.access.matrix_markdown()"
