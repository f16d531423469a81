"""One typed settings object for the whole platform, read once at the edge.

Sources, highest first: keyword arguments, ``GRAYSHIELD_*`` environment variables (nested with
``__``, e.g. ``GRAYSHIELD_LAKE__ENGINE=spark``), a TOML file (``GRAYSHIELD_CONFIG`` or
``<home>/grayshield.toml``), defaults. Unknown keys are refused so a typo never silently falls back
to a default. All local state lives under ``home`` so two instances never share state by accident.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from grayshield.core.errors import ConfigError

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev-secret-change-me"})
DEV_SECRET = "dev-secret-change-me"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LakeSettings(_Section):
    """Where validated tables live and which engine queries them."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    path: Path | None = Field(default=None, description="Lake root; default <home>/lake")
    chunk_rows: int = Field(default=250_000, ge=1_000, description="Rows per streamed ingest chunk")
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None


SPARK_DEFAULT_OPTIONS = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",  # lake timestamps are naive contract time: no shifting on read
    "spark.sql.shuffle.partitions": "8",  # Spark's 200 is for clusters; a cluster config overrides it
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "4g",  # local mode runs everything in the driver; 1g (Spark's default) is too small
    "spark.sql.execution.arrow.pyspark.enabled": "true",  # results come back to pandas through Arrow
}


class SparkSettings(_Section):
    master: str = "local[2]"
    app_name: str = "grayshield"
    options: dict[str, str] = Field(default_factory=lambda: dict(SPARK_DEFAULT_OPTIONS))


class CasesSettings(_Section):
    """Evidence packages the console writes under ``<home>/cases/packages``."""

    package_retention_days: int = Field(
        default=180, ge=1, le=3650,
        description="Days an exported evidence package stays on disk before `grayshield cases purge-exports` "
                    "deletes it; the export itself stays in the case history and the audit log")


class Settings(BaseSettings):
    """The platform's configuration; build it through :func:`get_settings` in the shells."""

    model_config = SettingsConfigDict(
        env_prefix="GRAYSHIELD_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Field(default=Path("var"), description="Root of all local state")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in home")
    secret_key: SecretStr = SecretStr(DEV_SECRET)
    pii_token_key: SecretStr = SecretStr(DEV_SECRET)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    lake: LakeSettings = LakeSettings()
    spark: SparkSettings = SparkSettings()
    cases: CasesSettings = CasesSettings()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            for name in ("secret_key", "pii_token_key"):
                value: SecretStr = getattr(self, name)
                if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"{name} must be set to a real secret in production")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    # Derived locations -------------------------------------------------------------------
    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def lake_dir(self) -> Path:
        return (self.lake.path or self.home_dir / "lake").expanduser().resolve()

    @property
    def models_dir(self) -> Path:
        return self.home_dir / "models"

    @property
    def strategies_dir(self) -> Path:
        return self.home_dir / "strategies"

    @property
    def lexicons_dir(self) -> Path:
        """Lexicon versions saved from the console: the newest of a name replaces the packaged file."""
        return self.home_dir / "lexicons"

    @property
    def packages_dir(self) -> Path:
        """Evidence packages exported from the console, one folder per case, one sub-folder per package."""
        return self.home_dir / "cases" / "packages"

    @property
    def reports_dir(self) -> Path:
        return self.home_dir / "reports"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home_dir / 'grayshield.db'}"

    def public_dict(self) -> dict[str, Any]:
        """Everything, with secrets hidden and the database URL's password masked."""
        data = self.model_dump(mode="json")
        for name in ("secret_key", "pii_token_key"):
            data[name] = "**********"
        data["database_url"] = _mask_url_password(self.db_url)
        data["lake_dir"] = str(self.lake_dir)
        return data


class _TomlSource(PydanticBaseSettingsSource):
    """Reads ``GRAYSHIELD_CONFIG`` or ``<home>/grayshield.toml`` if present."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _config_file_path()
        if path is None:
            return {}
        try:
            with path.open("rb") as fh:
                return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc


def _config_file_path() -> Path | None:
    explicit = os.environ.get("GRAYSHIELD_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"GRAYSHIELD_CONFIG points to {path}, which is not a file")
        return path
    home = Path(os.environ.get("GRAYSHIELD_HOME", "var"))
    candidate = home / "grayshield.toml"
    return candidate if candidate.is_file() else None


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as-is minus anything that looks like credentials
        return url.split("@")[-1]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once at the edge (CLI, API, bench scripts)."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from exc
