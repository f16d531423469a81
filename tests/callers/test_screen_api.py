"""The screening endpoint never answers 500: property-based bodies, oversized and malformed requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grayshield.services.screening import MappingDirectory, Screener, TagCache
from grayshield.store import Database, upgrade
from grayshield.web.api.screen import MAX_BODY_BYTES, ScreenCallResponse, router

URL = "/api/v1/screen/call"
OK = {200, 400, 404, 413, 422}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('screen')) / 'store.db'}")
    upgrade(db)
    app = FastAPI()
    app.include_router(router, prefix="/api/v1")
    app.state.screener = Screener(TagCache(db), MappingDirectory({"C1": "+8613812345678"}))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    db.dispose()


def test_screens_a_call(client: TestClient) -> None:
    response = client.post(URL, json={"caller": "17012345678", "called_line": "95555", "claimed_customer_id": "C1"})
    assert response.status_code == 200
    body = response.json()
    assert body["risk_level"] == "medium" and body["number_type"] == "virtual" and body["reasons"]
    assert ScreenCallResponse.model_validate(body).risk_level_zh == "中风险"
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"caller": "abc", "called_line": "95555"}, 422, "来电号码格式不正确"),
    ({"caller": "13812345678", "called_line": "95555", "claimed_customer_id": "C404"}, 404, "客户不存在"),
    ({"caller": "13812345678"}, 422, "called_line"),
    ({"caller": 13812345678, "called_line": "95555"}, 422, "caller"),
    ({"caller": "13812345678", "called_line": "95555", "extra": 1}, 422, "extra"),
    ([1, 2], 422, "参数校验失败"),
])
def test_invalid_requests_get_clear_4xx(client: TestClient, payload: object, status: int, message: str) -> None:
    response = client.post(URL, json=payload)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_oversized_and_malformed_bodies(client: TestClient) -> None:
    big = json.dumps({"caller": "1" * MAX_BODY_BYTES, "called_line": "95555"})
    assert client.post(URL, content=big, headers={"content-type": "application/json"}).status_code == 413
    assert client.post(URL, content=b"{not json").status_code == 400
    assert client.post(URL, content=b"").status_code == 400
    assert client.post(URL, content=b"\xff\xfe\x00").status_code == 400


_text = st.text(max_size=40)
_value = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), _text,
                   st.lists(_text, max_size=3))
_phoneish = st.from_regex(r"\+?[0-9 \-()]{0,20}", fullmatch=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.fixed_dictionaries({"caller": st.one_of(_phoneish, _value), "called_line": st.one_of(_text, _value)},
                          optional={"claimed_customer_id": st.one_of(_text, _value)}),
    st.dictionaries(_text, _value, max_size=4),
    _value,
))
def test_any_json_body_gets_an_answer_never_a_500(client: TestClient, body: object) -> None:
    response = client.post(URL, json=body)
    assert response.status_code in OK, response.text
    assert "detail" in response.json() or response.status_code == 200


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=MAX_BODY_BYTES * 2))
def test_any_bytes_get_an_answer_never_a_500(client: TestClient, raw: bytes) -> None:
    assert client.post(URL, content=raw).status_code in OK


@pytest.mark.parametrize("caller", [None, "", "anonymous"])
def test_withheld_caller_is_answered_with_a_policy(client: TestClient, caller: str | None) -> None:
    response = client.post(URL, json={"caller": caller, "called_line": "95555", "claimed_customer_id": "C1"})
    assert response.status_code == 200, response.text
    body = ScreenCallResponse.model_validate(response.json())
    assert (body.number_type, body.risk_level) == ("withheld", "medium")
    assert body.handling[0].code == "mandatory_identity_verification" and "来电号码隐藏" in body.reasons[0]


def test_missing_caller_field_is_still_a_client_error(client: TestClient) -> None:
    response = client.post(URL, json={"called_line": "95555"})
    assert response.status_code == 422 and "caller" in response.json()["detail"]
