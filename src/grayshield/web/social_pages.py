"""舆情监测 pages: the watch list with its latest events, and report effectiveness by platform and reason.

Read-only views over :mod:`grayshield.services.social_monitoring`, the same functions the CLI calls; scanning,
filing and outcome import stay batch jobs (``grayshield social …``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from grayshield.services.social_monitoring import Reports, WatchList
from grayshield.social.effectiveness import OUTCOME_ZH
from grayshield.web.deps import DbSession, render

router = APIRouter()
WATCH_STATES = {"watching": "关注中", "closed": "已移出"}


@router.get("/social")
def social_page(request: Request, session: DbSession,
                state: Annotated[str, Query(pattern="^(watching|closed|all)$")] = "watching") -> Response:
    watch = WatchList(session, "console")
    entries = watch.entries(None if state == "all" else state)[:500]
    events = {e.id: watch.history(e)[-3:] for e in entries[:100]}
    return render(request, "social/index.html", entries=entries, events=events, state=state,
                  state_labels=WATCH_STATES, figures=Reports(session, "console").effectiveness(),
                  outcome_labels=OUTCOME_ZH)
