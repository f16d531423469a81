from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from grayshield.core import Registry, RegistryError, Settings


def test_home_holds_all_local_state(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "h")
    assert s.lake_dir == (tmp_path / "h" / "lake").resolve()
    assert s.db_url == f"sqlite:///{(tmp_path / 'h').resolve() / 'grayshield.db'}"
    assert s.models_dir.parent == s.home_dir


def test_environment_variables_and_nested_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAYSHIELD_LAKE__ENGINE", "spark")
    monkeypatch.setenv("GRAYSHIELD_LOG_LEVEL", "DEBUG")
    s = Settings()
    assert s.lake.engine == "spark" and s.log_level == "DEBUG"


def test_toml_file_is_read_and_unknown_keys_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "gs.toml"
    cfg.write_text('log_level = "WARNING"\n[lake]\nchunk_rows = 5000\n', encoding="utf-8")
    monkeypatch.setenv("GRAYSHIELD_CONFIG", str(cfg))
    assert Settings().lake.chunk_rows == 5000
    cfg.write_text('[lake]\nchunk_rowz = 5000\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="chunk_rowz"):
        Settings()


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(environment="production")
    ok = Settings(environment="production", secret_key=SecretStr("s" * 40), pii_token_key=SecretStr("k" * 40))
    assert ok.environment == "production"


def test_public_dict_hides_secrets_and_db_password() -> None:
    s = Settings(secret_key=SecretStr("topsecret"), database_url="postgresql://u:pw123@db:5432/gs")
    shown = str(s.public_dict())
    assert "topsecret" not in shown and "pw123" not in shown and "***" in shown


def test_registry_refuses_duplicates_and_names_known_items() -> None:
    reg: Registry[int] = Registry("recogniser")
    reg.register("cn_id", 1)
    reg.register("bank_card", 2)
    with pytest.raises(RegistryError, match="already registered"):
        reg.register("cn_id", 3)
    with pytest.raises(RegistryError, match="known: bank_card, cn_id"):
        reg.get("phone")
    assert reg.select(disabled=["bank_card"]) == {"cn_id": 1}
    with pytest.raises(RegistryError):
        reg.select(enabled=["nope"])
