"""Domain core: settings, errors, registries and logging shared by every engine."""

from grayshield.core.errors import (
    ConfigError,
    ContractError,
    GrayShieldError,
    IngestError,
    NotFoundError,
    RegistryError,
)
from grayshield.core.registry import Registry
from grayshield.core.settings import Settings, get_settings

__all__ = [
    "ConfigError",
    "ContractError",
    "GrayShieldError",
    "IngestError",
    "NotFoundError",
    "Registry",
    "RegistryError",
    "Settings",
    "get_settings",
]
