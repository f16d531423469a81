"""What every service that changes the store on someone's behalf starts from: one session, one named actor.

Cases and tags both record who did what (history rows, audit entries), so both refuse an anonymous actor the same
way and answer a missing row with the same kind of error, which the console and the CLI map to 404 / exit code.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from grayshield.core.errors import ConflictError, NotFoundError, ValidationError

Row = TypeVar("Row")


class ActorSession:
    """Operations for one actor inside one session; the caller's session commits."""

    stale_message: ClassVar[str] = "数据已被他人同时修改，请刷新后重试"

    def __init__(self, session: Session, actor: str) -> None:
        if not actor or not actor.strip():
            raise ValidationError("操作人不能为空")
        self.session = session
        self.actor = actor.strip()

    def fetch(self, model: type[Row], key: int, missing: str) -> Row:
        """The row of ``model`` with primary key ``key``; ``missing`` is the message when there is none."""
        row = self.session.get(model, key)
        if row is None:
            raise NotFoundError(missing)
        return row

    def _flush(self) -> None:
        """Flush; a row changed by someone else since it was read (its version moved) is a conflict, not a 500."""
        try:
            self.session.flush()
        except StaleDataError:
            raise ConflictError(self.stale_message) from None
