"""Who may call what: one declarative table, ``"METHOD /path/template"`` → the roles allowed.

Every request is looked up here by its method and path; a route missing from the table is refused for
everyone (deny by default), and ``tests/web/test_access.py`` walks every route × role to prove it. A router
added by later work (``/api/v1/screen/call``) gets its line here, next to the rest, so the whole policy is
reviewable in one screen.
"""

from __future__ import annotations

import re
from typing import Final

from grayshield.core.roles import ROLES

PUBLIC: Final = frozenset({"*"})  # no sign-in needed (login, health)
EVERYONE: Final = frozenset(ROLES)
ANALYSIS: Final = frozenset({"analyst", "supervisor", "admin"})  # models, strategies
CASEWORK: Final = frozenset({"analyst", "investigator", "supervisor", "admin"})  # exports
TAG_REVIEW: Final = frozenset({"analyst", "investigator", "supervisor"})
REVEAL_PII: Final = frozenset({"investigator", "supervisor", "admin"})
OVERSIGHT: Final = frozenset({"supervisor", "admin"})
ADMIN: Final = frozenset({"admin"})
SOCIAL_WORK: Final = frozenset({"analyst", "investigator", "supervisor"})  # filing reports, outcomes, watch list
LEXICON_EDIT: Final = frozenset({"analyst", "supervisor"})  # saving lexicon versions (business, not IT)
COMPLIANCE_QA: Final = frozenset({"qa", "supervisor"})  # QA findings, transcripts, reviews
COMPLIANCE_ALERTS: Final = frozenset({"qa", "investigator", "supervisor"})  # insider alerts feed cases
STRIKE_WORK: Final = frozenset({"investigator", "supervisor"})  # opening and working cases
# Separation of duties: the admin manages users and roles, not evidence. Evidence packages are written and
# downloaded by case work roles only; a police package (full PII) only by those who both work cases and may
# reveal PII, so holding REVEAL_PII as an admin is not enough.
EVIDENCE_EXPORT: Final = frozenset({"analyst", "investigator", "supervisor"})  # masked briefings and packages
POLICE_EVIDENCE: Final = STRIKE_WORK & REVEAL_PII  # full-PII packages for a police referral

ACCESS: Final[dict[str, frozenset[str]]] = {
    # sign-in
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": EVERYONE,
    "GET /api/v1/health": PUBLIC,
    "GET /api/v1/me": EVERYONE,
    # overview and complaint warnings
    "GET /": EVERYONE,
    "GET /api/v1/overview": EVERYONE,
    "GET /alerts": EVERYONE,
    "GET /api/v1/alerts": EVERYONE,
    "GET /api/v1/alerts/facets": EVERYONE,
    "GET /alerts/export.csv": CASEWORK,
    "GET /api/v1/alerts/export.csv": CASEWORK,
    "GET /customers/{customer_id}": EVERYONE,
    "GET /api/v1/customers/{customer_id}": EVERYONE,
    "POST /customers/{customer_id}/reveal": REVEAL_PII,
    "POST /api/v1/customers/{customer_id}/reveal": REVEAL_PII,
    "POST /customers/{customer_id}/cases": STRIKE_WORK,
    # numbers and tags: everyone sees them; reviews are four-eyes work for analysts and their supervisors
    "GET /tags": EVERYONE,
    "GET /api/v1/tags": EVERYONE,
    "GET /tags/{tag_id}": EVERYONE,
    "GET /api/v1/tags/{tag_id}": EVERYONE,
    "POST /tags/{tag_id}/review": TAG_REVIEW,
    "POST /api/v1/tags/{tag_id}/review": TAG_REVIEW,
    "POST /tags/{tag_id}/cases": STRIKE_WORK,
    # public-opinion monitoring
    "GET /social": EVERYONE,
    "GET /social/watchlist": EVERYONE,
    "GET /social/watchlist/{watch_id}": EVERYONE,
    "POST /social/watchlist/{watch_id}/close": SOCIAL_WORK,
    "POST /social/watchlist/{watch_id}/cases": STRIKE_WORK,
    "GET /social/reports": CASEWORK,
    "POST /social/reports/batches": SOCIAL_WORK,
    "POST /social/reports/outcomes": SOCIAL_WORK,
    "GET /social/reports/{batch_id}": CASEWORK,
    "GET /social/reports/{batch_id}/export.{fmt}": CASEWORK,
    "GET /social/due": CASEWORK,
    "GET /social/effectiveness": EVERYONE,
    # compliance monitoring: QA findings, transcripts (masked), reviews (audited), process alerts, scores
    "GET /compliance": COMPLIANCE_QA,
    "GET /compliance/calls/{call_id}": COMPLIANCE_QA,
    "POST /compliance/findings/{finding_id}/review": COMPLIANCE_QA,
    "GET /compliance/alerts": COMPLIANCE_ALERTS,
    "GET /compliance/scores": COMPLIANCE_QA,
    # strike team: gangs and cases; changes through the case service (audited); cases are also opened from a
    # number's tag, a watched account or a customer (lines above); a police package (full PII) is exported and
    # downloaded only by POLICE_EVIDENCE roles, checked in the route on the recipient
    "GET /gangs": CASEWORK,
    "GET /gangs/{gang_id}": CASEWORK,
    "POST /gangs/{gang_id}/cases": STRIKE_WORK,
    "GET /cases": CASEWORK,
    "GET /cases/{case_id}": CASEWORK,
    "POST /cases/{case_id}/transition": STRIKE_WORK,
    "POST /cases/{case_id}/assign": STRIKE_WORK,
    "POST /cases/{case_id}/deadline": STRIKE_WORK,
    "POST /cases/{case_id}/notes": STRIKE_WORK,
    "POST /cases/{case_id}/export": EVIDENCE_EXPORT,
    "GET /cases/{case_id}/packages/{package}/{name}": EVIDENCE_EXPORT,
    # model monitoring
    "GET /models": ANALYSIS,
    "GET /api/v1/models": ANALYSIS,
    "GET /models/{name}/{version}/card": ANALYSIS,
    # strategy rules
    "GET /strategies": ANALYSIS,
    "GET /api/v1/strategies": ANALYSIS,
    "POST /strategies/validate": ANALYSIS,
    "POST /api/v1/strategies/validate": ANALYSIS,
    "GET /strategies/diff": ANALYSIS,
    "GET /api/v1/strategies/diff": ANALYSIS,
    # lexicon (validation, diff, saving new versions with history; see docs/text.md)
    "GET /lexicon": ANALYSIS,
    "GET /api/v1/lexicons": ANALYSIS,
    "POST /lexicon/validate": ANALYSIS,
    "POST /api/v1/lexicons/validate": ANALYSIS,
    "POST /lexicon/save": LEXICON_EDIT,
    "POST /api/v1/lexicons/save": LEXICON_EDIT,
    # administration and oversight
    "GET /admin/users": ADMIN,
    "POST /admin/users": ADMIN,
    "POST /admin/users/{username}/active": ADMIN,
    "POST /admin/users/{username}/roles": ADMIN,
    "GET /api/v1/users": ADMIN,
    "POST /api/v1/users": ADMIN,
    "POST /api/v1/users/{username}/active": ADMIN,
    "POST /api/v1/users/{username}/roles": ADMIN,
    "GET /audit": OVERSIGHT,
    "GET /api/v1/audit": OVERSIGHT,
    "GET /audit/verify": OVERSIGHT,
    "GET /api/v1/audit/verify": OVERSIGHT,
    # real-time call screening for the IVR and agent desktop (router in grayshield.web.api.screen)
    "POST /api/v1/screen/call": EVERYONE,
}


_PARAM = re.compile(r"\{[^}/]+\}")


def _compile(template: str) -> re.Pattern[str]:
    literal_parts = _PARAM.split(template)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in literal_parts) + "$")


# Matched against the request's concrete path, so the check does not depend on how routers were included;
# templates with fewer parameters are tried first, so a literal path always beats a parameter.
_MATCHERS: Final = sorted(
    ((key.split(" ", 1)[0], key.split(" ", 1)[1], _compile(key.split(" ", 1)[1]), roles)
     for key, roles in ACCESS.items()),
    key=lambda m: len(_PARAM.findall(m[1])),
)


def lookup(method: str, path: str) -> tuple[str, frozenset[str]] | None:
    """The table's ``(template, roles)`` for a concrete request path; ``None`` if the table has no line for it."""
    method = "GET" if method.upper() == "HEAD" else method.upper()
    for verb, template, pattern, roles in _MATCHERS:
        if verb == method and pattern.match(path):
            return template, roles
    return None


def may(roles: frozenset[str], method: str, path: str) -> bool:
    """Whether someone holding ``roles`` may call ``path`` (used to hide links they could not follow)."""
    found = lookup(method, path)
    return found is not None and (found[1] is PUBLIC or not roles.isdisjoint(found[1]))


def matrix_markdown() -> str:
    """The table as a Markdown role matrix, for docs/console.md (a test keeps the two the same)."""
    lines = ["| route | " + " | ".join(ROLES) + " |", "| --- |" + " :---: |" * len(ROLES)]
    for key, roles in ACCESS.items():
        cells = ["公开" if roles is PUBLIC else ("✓" if role in roles else "") for role in ROLES]
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
