"""打击团伙 pages: the gang list, a gang's graph, the case board and a case page.

Read-only views over :mod:`grayshield.services.strike` and :class:`grayshield.cases.CaseService`, the same
functions the CLI calls. Numbers are shown masked (the gang summaries are masked at discovery; case data goes
through the bank's PII policy here); discovery, case changes and exports stay with ``grayshield gangs|cases``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from grayshield.cases import OUTCOMES, STATES, CaseService
from grayshield.cases.package import EVENT_LABELS, mask_record
from grayshield.core.errors import NotFoundError
from grayshield.graph.summary import KIND_LABELS
from grayshield.services import strike
from grayshield.web.deps import AppSettings, DbSession, render

router = APIRouter()
GangId = Annotated[str, Path(pattern=r"^GS-\d{4,8}$")]
CaseState = Annotated[str | None, Query(pattern="^(" + "|".join(STATES) + ")$")]


@router.get("/gangs")
def gangs_page(request: Request, settings: AppSettings) -> Response:
    try:
        gangs = strike.list_gangs(settings.home_dir / "gangs")
    except NotFoundError:
        gangs = []
    return render(request, "strike/gangs.html", gangs=gangs, kind_labels=KIND_LABELS)


@router.get("/gangs/{gang_id}")
def gang_page(request: Request, settings: AppSettings, gang_id: GangId) -> Response:
    gang = strike.get_gang(settings.home_dir / "gangs", gang_id)
    return render(request, "strike/gang.html", gang=gang, kind_labels=KIND_LABELS,
                  charts={"graph": graph_chart(gang)})


@router.get("/cases")
def cases_page(request: Request, session: DbSession, state: CaseState = None) -> Response:
    cases = CaseService(session, "console").search(state=state, limit=500)
    return render(request, "strike/cases.html", cases=cases, state=state, states=STATES)


@router.get("/cases/{case_id}")
def case_page(request: Request, session: DbSession, case_id: Annotated[int, Path(ge=1)]) -> Response:
    record = mask_record(CaseService(session, "console").record(case_id))
    return render(request, "strike/case.html", record=record, states=STATES, outcomes=OUTCOMES,
                  event_labels=EVENT_LABELS, charts={"graph": graph_chart(record.case.get("detail") or {})})


def graph_chart(holder: dict[str, Any]) -> dict[str, Any]:
    """An ECharts force-graph spec (``kind: "graph"``) from a gang's or case's stored picture; labels masked."""
    from grayshield.pii import mask_text

    picture = holder.get("graph") or {}
    nodes = picture.get("nodes", [])
    kinds = sorted({n["kind"] for n in nodes})
    alias = {n["id"]: f"n{i}" for i, n in enumerate(nodes)}  # node ids hold raw numbers: never sent to the page
    return {"title": "关系图", "kind": "graph", "categories": [KIND_LABELS.get(k, k) for k in kinds],
            "nodes": [{"id": alias[n["id"]], "name": mask_text(str(n.get("label", ""))),
                       "category": kinds.index(n["kind"])} for n in nodes],
            "links": [{"source": alias[a], "target": alias[b]} for a, b in picture.get("edges", [])
                      if a in alias and b in alias]}
