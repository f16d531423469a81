"""Domain exceptions.

Every error a bank user can meet is one of these, with a message they can act on. The CLI maps
them to exit codes and the API maps them to HTTP statuses, each in one place; nothing below the
shells knows about either.
"""

from __future__ import annotations


class GrayShieldError(Exception):
    """Base of all domain errors; ``exit_code`` is what the CLI returns for it."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(GrayShieldError):
    """The configuration is missing, malformed or unsafe for the chosen environment."""

    exit_code = 78  # EX_CONFIG


class ContractError(GrayShieldError):
    """A file or table does not fit the data contract as a whole (not a single bad row)."""

    exit_code = 65  # EX_DATAERR


class IngestError(GrayShieldError):
    """A file cannot be ingested at all (unreadable, wrong format, unknown table)."""

    exit_code = 65


class NotFoundError(GrayShieldError):
    """A named thing (table, model, tag, case, world) does not exist."""

    exit_code = 66  # EX_NOINPUT


class RegistryError(GrayShieldError):
    """A registry was asked for an unknown name or given a duplicate one."""

    exit_code = 70  # EX_SOFTWARE


class ValidationError(GrayShieldError):
    """User-supplied data (a rule file, a lexicon, a request) failed validation."""

    exit_code = 65


class ConflictError(ValidationError):
    """Someone else changed the record since the form or request was read (optimistic concurrency): reload, retry.

    A kind of validation error (the CLI's exit code is the same); the API answers it with 409.
    """
