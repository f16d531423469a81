"""Public-opinion monitoring as the platform runs it: scan crawled data, keep the watch list, file reports.

This is where the engine (``grayshield.social``) meets the model registry, the tag service and the operational
store; the CLI (and later the console) call these functions and nothing deeper. Every state change is written
with an audit entry in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.social.detection import AD_THRESHOLD, post_texts, score_texts
from grayshield.social.effectiveness import Outcome, due_for_rereport, effectiveness, volume_trend
from grayshield.social.history import Collected, account_history, collect, latest, post_history
from grayshield.social.importers import import_path
from grayshield.social.model import MODEL_NAME, AccountModel, published, require_model, score_accounts
from grayshield.social.model import registry as model_registry
from grayshield.social.priority import PriorityConfig, load_priority, prioritise, with_profile
from grayshield.social.reports import ITEM_COLUMNS, reason_table, report_items
from grayshield.social.watchlist import Alert, AlertRules, Watched, reach_alerts, reappearances
from grayshield.store.actor import ActorSession
from grayshield.store.audit import record
from grayshield.store.models import AuditEvent, SocialReport, SocialWatch, SocialWatchEvent
from grayshield.tags import TagProposal, TagService
from grayshield.text.engine import TextEngine

KEY = ["platform", "account_id"]
T = TypeVar("T")
# what a filed item keeps besides its columns, so a batch can be exported again from the store alone
EVIDENCE_KEYS = ("highlighted", "terms", "contacts", "posted_time", "screenshot_ref", "platform_reason", "p_post",
                 "priority", "text", "nickname", "followers", "reason_zh")
CRAWL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass
class Scan:
    """One scan of imported data: the collected rows, scored accounts in priority order, and the model used."""

    collected: Collected
    ranked: pd.DataFrame
    model: AccountModel
    engine: TextEngine

    @property
    def posts(self) -> pd.DataFrame:
        return latest(self.collected.posts, ["platform", "post_id"])

    def still_up(self) -> set[str]:
        live = self.posts[~self.posts["removed"].fillna(False).astype(bool)]
        return set(live["platform"] + ":" + live["post_id"])


def scan(path: Path, importer: str, models_dir: Path, weights: Path | None = None) -> Scan:
    """Import ``path``, score every account with the latest published model and rank by priority."""
    collected = collect(import_path(path, importer))
    if collected.posts.empty and collected.accounts.empty:
        raise ValidationError(f"{path} 中没有可导入的帖子或账号（拒收 {len(collected.rejections)} 行）")
    return rank(collected, require_model(models_dir), TextEngine(), load_priority(weights))


def rank(collected: Collected, model: AccountModel, engine: TextEngine, config: PriorityConfig) -> Scan:
    posts = latest(collected.posts, ["platform", "post_id"])
    accounts = latest(collected.accounts, KEY)
    scored = with_profile(score_accounts(model, engine, posts, accounts), accounts,
                          account_history(collected.accounts))
    return Scan(collected, prioritise(scored, config), model, engine)


def scan_summary(result: Scan, top: int = 20) -> dict[str, Any]:
    ranked = result.ranked
    history = post_history(result.collected.posts) if len(result.collected.posts) else pd.DataFrame()
    columns = ["platform", "account_id", "nickname", "p_blackgray", "priority", "business_type", "region",
               "followers", "reasons"]
    return {
        "import": result.collected.summary(), "model": result.model.source,
        "priority_version": str(ranked["priority_version"].iloc[0]) if len(ranked) else None,
        "accounts_scored": len(ranked), "accounts_flagged": int(ranked["flagged"].sum()),
        "posts_removed_seen": int(history["removed"].sum()) if len(history) else 0,
        "posts_edited_seen": int(history["edited"].sum()) if len(history) else 0,
        "top": ranked.head(top)[columns].to_dict(orient="records"),
        "rejections": [{"file": r.source, "line": r.line, "reason": r.reason} for r in result.collected.rejections[:50]],
    }


def trend(path: Path, importer: str, models_dir: Path, top_terms: int = 10) -> dict[str, Any]:
    """Black/gray volume of a crawl by month, keyword and region (posts the published post classifier flags)."""
    posts = latest(collect(import_path(path, importer)).posts, ["platform", "post_id"])
    model, engine = require_model(models_dir), TextEngine()
    signals = score_texts(engine, model.post_classifier, post_texts(posts))
    terms = [sorted({h.term.text for h in a.normalised.hits if h.term.signal == "blackgray_ad"})
             for a in signals.analyses]
    return volume_trend(posts, terms, list(signals.p_ad >= AD_THRESHOLD), top_terms)


# ------------------------------------------------------------------------------------------ tags
def propose_tags(session: Session, actor: str, ranked: pd.DataFrame, min_probability: float = 0.9) -> int:
    """Flagged accounts and the numbers and handles they spread become proposed tags for review.

    Numbers become ``blackgray_number`` on the caller-intelligence side; the accounts themselves and the WeChat /
    QQ handles (accounts on those platforms) become ``blackgray_social_account``. Links are not tagged.
    """
    service = TagService(session, actor)
    proposed = 0
    for row in ranked[ranked["p_blackgray"] >= min_probability].to_dict(orient="records"):
        source_ref = f"{row['model']}|{row['platform']}:{row['account_id']}"
        confidence = round(float(row["p_blackgray"]), 4)
        subjects = [("blackgray_social_account", "social_account", f"{row['platform']}:{row['account_id']}")]
        for contact in row["contacts"]:
            kind, _, value = contact.partition(":")
            if kind == "phone":
                subjects.append(("blackgray_number", "number", value))
            elif kind in ("wechat", "qq"):
                subjects.append(("blackgray_social_account", "social_account", f"{kind}:{value}"))
        for tag_type, subject_type, subject_id in subjects:
            try:
                service.propose(TagProposal(tag_type, subject_type, subject_id, "model", confidence,
                                            source_ref=source_ref[:128], note="舆情监测：黑灰产账号发布或关联"))
            except ValidationError:
                continue  # a number that does not parse as a phone is not worth a tag
            proposed += 1
    return proposed


# ------------------------------------------------------------------------------------------ watch list
class WatchList(ActorSession):
    """The watch list for one actor inside one session."""

    def _event(self, entry: SocialWatch, kind: str, detail: dict[str, Any], when: datetime) -> None:
        self.session.add(SocialWatchEvent(watch_id=entry.id, occurred_at=when, actor=self.actor, kind=kind,
                                          detail=detail))
        record(self.session, actor=self.actor, action=f"social.watch.{kind}", subject_type="social_account",
               subject_id=f"{entry.platform}:{entry.account_id}", detail=detail, occurred_at=when)

    def entries(self, state: str | None = "watching") -> list[SocialWatch]:
        query = select(SocialWatch).order_by(SocialWatch.priority.desc(), SocialWatch.id)
        if state:
            query = query.where(SocialWatch.state == state)
        return list(self.session.scalars(query))

    def get(self, platform: str, account_id: str) -> SocialWatch:
        entry = self.session.scalars(select(SocialWatch).where(
            SocialWatch.platform == platform, SocialWatch.account_id == account_id)).first()
        if entry is None:
            raise NotFoundError(f"关注列表中没有账号 {platform}:{account_id}")
        return entry

    def history(self, entry: SocialWatch) -> list[SocialWatchEvent]:
        return list(self.session.scalars(select(SocialWatchEvent).where(
            SocialWatchEvent.watch_id == entry.id).order_by(SocialWatchEvent.id)))

    def add(self, accounts: Iterable[Mapping[Any, Any]], reason: str, now: datetime | None = None) -> int:
        """Put scored accounts on the list (or back on it); accounts already watched are left as they are."""
        when = now or datetime.now(UTC)
        added = 0
        for account in accounts:
            existing = self.session.scalars(select(SocialWatch).where(
                SocialWatch.platform == account["platform"], SocialWatch.account_id == account["account_id"])).first()
            if existing is not None and existing.state == "watching":
                continue
            entry = existing or SocialWatch(platform=account["platform"], account_id=account["account_id"],
                                            added_by=self.actor, added_at=when)
            entry.nickname = str(account.get("nickname") or "")[:200]
            entry.state, entry.reason, entry.updated_at = "watching", reason, when
            entry.priority = float(account.get("priority", 0.0))
            followers = account.get("followers")
            entry.followers = 0 if followers is None or pd.isna(followers) else int(followers)  # posted, no profile
            entry.contacts = list(account.get("contacts") or [])
            self.session.add(entry)
            self.session.flush()
            self._event(entry, "added", {"reason": reason, "priority": entry.priority,
                                         "followers": entry.followers}, when)
            added += 1
        return added

    def close(self, platform: str, account_id: str, reason: str, now: datetime | None = None) -> SocialWatch:
        if not reason.strip():
            raise ValidationError("移出关注列表须填写原因")
        when = now or datetime.now(UTC)
        entry = self.get(platform, account_id)
        entry.state, entry.updated_at = "closed", when
        self._event(entry, "closed", {"reason": reason}, when)
        return entry

    def refresh(self, ranked: pd.DataFrame, rules: AlertRules | None = None, now: datetime | None = None
                ) -> list[Alert]:
        """Compare a new scan with the list: reach jumps of watched accounts, watched operators under new ids."""
        when, rules = now or datetime.now(UTC), rules or AlertRules()
        watching = {(e.platform, e.account_id): e for e in self.entries(state=None)}
        snapshots = [Watched(k, e.nickname, e.followers, frozenset(e.contacts)) for k, e in watching.items()]
        followers = {(str(r["platform"]), str(r["account_id"])): int(r["followers"] or 0)
                     for r in ranked[[*KEY, "followers"]].fillna({"followers": 0}).to_dict(orient="records")}
        open_snapshots = [s for s in snapshots if watching[s.key].state == "watching"]
        alerts = reach_alerts(open_snapshots, followers, rules) + reappearances(
            snapshots, ranked[[*KEY, "nickname", "contacts", "p_blackgray"]].to_dict(orient="records"), rules)
        for alert in alerts:
            origin = watching.get(alert.key) or watching[_key(alert.detail["watched"])]
            self._event(origin, alert.kind, {**alert.detail, "account": f"{alert.key[0]}:{alert.key[1]}",
                                             "message": alert.message}, when)
        for key, count in followers.items():
            if key in watching and watching[key].state == "watching":
                watching[key].followers, watching[key].updated_at = count, when
        return alerts


def watch_entry(session: Session, watch_id: int) -> SocialWatch:
    entry = session.get(SocialWatch, watch_id)
    if entry is None:
        raise NotFoundError(f"关注列表中没有编号 {watch_id}")
    return entry


def recent_alerts(session: Session, limit: int = 100) -> list[tuple[SocialWatchEvent, SocialWatch]]:
    """The newest reach-jump and reappearance alerts across the watch list, with the entry they belong to."""
    rows = session.execute(select(SocialWatchEvent, SocialWatch).join(SocialWatch, SocialWatch.id ==
                                                                      SocialWatchEvent.watch_id)
                           .where(SocialWatchEvent.kind.in_(("reach_jump", "reappeared")))
                           .order_by(SocialWatchEvent.id.desc()).limit(limit))
    return [(event, entry) for event, entry in rows]


def _key(text: str) -> tuple[str, str]:
    platform, _, account_id = text.partition(":")
    return platform, account_id


# ------------------------------------------------------------------------------------------ reports
class Reports(ActorSession):
    """Reported items for one actor inside one session: file (or re-file) batches, record outcomes, measure."""

    def file(self, items: Sequence[dict[str, Any]], batch_id: str, now: datetime | None = None) -> dict[str, int]:
        """Record the items of an exported batch as filed; an item filed before counts one more attempt."""
        when = now or datetime.now(UTC)
        new = again = 0
        for item in items:
            report = self.session.scalars(select(SocialReport).where(SocialReport.item_id == item["item_id"])).first()
            if report is None:
                report = SocialReport(
                    item_id=item["item_id"], batch_id=batch_id, platform=item["platform"],
                    account_id=item["account_id"], post_id=item["post_id"], reason=item["reason"],
                    region=item.get("region"), business_type=item.get("business_type"), url=item.get("url"),
                    evidence={k: item.get(k) for k in EVIDENCE_KEYS},
                    attempts=1, first_filed_at=when, last_filed_at=when, filed_by=self.actor)
                self.session.add(report)
                new += 1
            else:
                report.attempts += 1
                report.batch_id, report.last_filed_at, report.outcome, report.decided_at = batch_id, when, None, None
                again += 1
        record(self.session, actor=self.actor, action="social.report.filed", subject_type="report_batch",
               subject_id=batch_id, detail={"new": new, "again": again}, occurred_at=when)
        return {"new": new, "again": again}

    def record_outcomes(self, outcomes: Sequence[Outcome], now: datetime | None = None) -> dict[str, Any]:
        """Platform answers onto the filed items; answers for items never filed are listed, not guessed."""
        when = now or datetime.now(UTC)
        unknown: list[str] = []
        updated = 0
        for outcome in outcomes:
            report = self.session.scalars(select(SocialReport).where(SocialReport.item_id == outcome.item_id)).first()
            if report is None:
                unknown.append(outcome.item_id)
                continue
            before = report.outcome
            report.outcome, report.decided_at = outcome.outcome, outcome.decided_at or when
            report.note = outcome.note
            record(self.session, actor=self.actor, action="social.report.outcome", subject_type="report_item",
                   subject_id=report.item_id, detail={"before": before, "after": outcome.outcome}, occurred_at=when)
            updated += 1
        return {"updated": updated, "unknown_items": unknown}

    def frame(self) -> pd.DataFrame:
        columns = ["item_id", "batch_id", "platform", "account_id", "post_id", "reason", "region", "business_type",
                   "url", "attempts", "first_filed_at", "last_filed_at", "outcome", "decided_at"]
        rows = self.session.execute(select(*(getattr(SocialReport, c) for c in columns))).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)  # columns only: evidence stays in the store

    def due(self, still_up: Iterable[str], now: datetime | None = None, wait_days: int = 7,
            max_attempts: int = 3) -> pd.DataFrame:
        return due_for_rereport(self.frame(), still_up, now or datetime.now(UTC), wait_days, max_attempts)

    def effectiveness(self) -> dict[str, Any]:
        return effectiveness(self.frame())


def batch_items(result: Scan, top: int | None = None, posts_per_account: int = 3) -> list[dict[str, Any]]:
    """Evidence items for the flagged accounts of a scan (the ``top`` by priority, or all)."""
    ranked = result.ranked.head(top) if top else result.ranked
    return report_items(ranked, result.posts, result.engine, result.model.post_classifier, posts_per_account)


# ------------------------------------------------------------------------------------------ console
# The console works on crawls dropped into ``<home>/social/crawls/<name>`` (a folder or file per crawl), picked
# by name so a form never names an arbitrary path on the server.
def crawls_dir(home: Path) -> Path:
    return home / "social" / "crawls"


def list_crawls(home: Path) -> list[str]:
    """Crawl names, newest first (by modification time)."""
    folder = crawls_dir(home)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if CRAWL_NAME.match(p.name)]
    return [p.name for p in sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)]


def crawl_path(home: Path, name: str) -> Path:
    if not CRAWL_NAME.match(name) or name not in list_crawls(home):
        raise NotFoundError(f"没有名为 {name!r} 的抓取数据（放在 {crawls_dir(home)} 下）")
    return crawls_dir(home) / name


def new_batch_id(session: Session, now: datetime | None = None) -> str:
    """``R<UTC time>``, with a suffix when two batches are filed in the same second."""
    base = (now or datetime.now(UTC)).strftime("R%Y%m%d%H%M%S")
    taken = set(session.scalars(select(SocialReport.batch_id).where(SocialReport.batch_id.like(base + "%"))))
    suffix = 1
    batch_id = base
    while batch_id in taken:
        suffix += 1
        batch_id = f"{base}-{suffix}"
    return batch_id


def file_batch(session: Session, actor: str, result: Scan, platform: str | None = None, reason: str | None = None,
               top: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """File one batch from a scan: the evidence items of its flagged accounts, for one platform and/or reason."""
    items = [i for i in batch_items(result, top)
             if (platform is None or i["platform"] == platform) and (reason is None or i["reason"] == reason)]
    if not items:
        raise ValidationError("没有符合条件的可举报内容（无疑似黑灰产账号的在线帖子，或平台/理由不匹配）")
    batch_id = new_batch_id(session, now)
    filed = Reports(session, actor).file(items, batch_id, now)
    return {"batch_id": batch_id, "items": len(items), **filed}


def batch_summaries(session: Session) -> list[dict[str, Any]]:
    """One row per (batch, platform, reason) as last filed, newest first, with its outcome counts."""
    return _cached(session, "batches", lambda: _batch_summaries(session))


def _batch_summaries(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(SocialReport.batch_id, SocialReport.platform, SocialReport.reason,
                                  SocialReport.outcome, func.count(), func.max(SocialReport.last_filed_at),
                                  func.min(SocialReport.filed_by))
                           .group_by(SocialReport.batch_id, SocialReport.platform, SocialReport.reason,
                                     SocialReport.outcome))
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for batch_id, platform, reason, outcome, count, filed_at, filed_by in rows:
        entry = out.setdefault((batch_id, platform, reason), {
            "batch_id": batch_id, "platform": platform, "reason": reason, "items": 0, "outcomes": {},
            "filed_at": filed_at, "filed_by": filed_by})
        entry["items"] += count
        entry["outcomes"][outcome or "pending"] = count
        entry["filed_at"] = max(entry["filed_at"], filed_at)
    return sorted(out.values(), key=lambda e: (e["filed_at"], e["batch_id"], e["platform"], e["reason"]),
                  reverse=True)


def batch_reports(session: Session, batch_id: str, platform: str | None = None,
                  reason: str | None = None) -> list[SocialReport]:
    """The items last filed in ``batch_id`` (optionally one platform / reason), highest priority first."""
    query = select(SocialReport).where(SocialReport.batch_id == batch_id)
    if platform:
        query = query.where(SocialReport.platform == platform)
    if reason:
        query = query.where(SocialReport.reason == reason)
    found = list(session.scalars(query.order_by(SocialReport.platform, SocialReport.reason, SocialReport.id)))
    if not found:
        raise NotFoundError(f"没有举报批次 {batch_id}" + (f"（{platform} / {reason}）" if platform or reason else ""))
    return sorted(found, key=lambda r: -float((r.evidence or {}).get("priority") or 0.0))


def export_items(reports: Sequence[SocialReport]) -> list[dict[str, Any]]:
    """Stored items back in the export columns (``reports.ITEM_COLUMNS``), for the batch exporters."""
    labels = {r.code: r.label for r in reason_table().reasons}
    items = []
    for report in reports:
        evidence = dict(report.evidence or {})
        item = {c: getattr(report, c, None) for c in ("item_id", "platform", "reason", "account_id", "post_id",
                                                    "url", "region", "business_type")}
        item.update({k: evidence.get(k) for k in ITEM_COLUMNS if k not in item})
        item["reason_zh"] = item.get("reason_zh") or labels.get(report.reason, report.reason)
        items.append(item)
    return items


def record_export(session: Session, actor: str, batch_id: str, fmt: str, items: int) -> None:
    """An export hands evidence (with contacts) out of the system: it is audited like a reveal."""
    record(session, actor=actor, action="social.report.exported", subject_type="report_batch", subject_id=batch_id,
           detail={"format": fmt, "items": items})


_CACHE: dict[tuple[str, str], tuple[tuple[int, str], Any]] = {}  # one slot per store and kind of figure
_CACHE_LOCK = threading.Lock()


def _reports_stamp(session: Session) -> int:
    """The newest audit entry about report batches or items: every filing and every outcome writes one (in the
    same transaction), so it changes exactly when the reported items may have."""
    return session.scalar(select(func.max(AuditEvent.id)).where(
        AuditEvent.subject_type.in_(("report_batch", "report_item")))) or 0


def _cached(session: Session, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` kept per store until the next filing or outcome, so console pages over thousands of
    reported items do not re-read and re-aggregate them on every view. Callers must not modify the result.
    ``name`` is ``kind[:parameters]``: each kind keeps one value, for the latest parameters asked."""
    key = (str(session.get_bind().engine.url), name.split(":", 1)[0])
    valid = (_reports_stamp(session), name)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None and found[0] == valid:
        return cast(T, found[1])
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = (valid, value)
    return value


def reports_frame(session: Session) -> pd.DataFrame:
    """:meth:`Reports.frame` with its times parsed once (UTC), cached until the reported items change."""

    def build() -> pd.DataFrame:
        frame = Reports(session, "console").frame()
        for column in ("first_filed_at", "last_filed_at", "decided_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
        return frame

    return _cached(session, "frame", build)


def effectiveness_figures(session: Session) -> dict[str, Any]:
    return _cached(session, "effectiveness", lambda: effectiveness(reports_frame(session)))


def recent_history(session: Session, entries: Sequence[SocialWatch], per_entry: int = 3
                   ) -> dict[int, list[SocialWatchEvent]]:
    """The last ``per_entry`` events of each entry, in one query."""
    ids = [e.id for e in entries]
    out: dict[int, list[SocialWatchEvent]] = {i: [] for i in ids}
    if ids:
        for event in session.scalars(select(SocialWatchEvent).where(SocialWatchEvent.watch_id.in_(ids))
                                     .order_by(SocialWatchEvent.id)):
            out[event.watch_id].append(event)
    return {i: events[-per_entry:] for i, events in out.items()}


def due_reports(session: Session, home: Path, importer: str = "mediacrawler", now: datetime | None = None,
                wait_days: int = 7, max_attempts: int = 3) -> tuple[pd.DataFrame, str | None]:
    """Items to report again, checked against the newest crawl; without a crawl every unresolved item counts as
    still up (returned with ``None`` as the crawl name, so the page can say so). Kept per hour, crawl and
    reported items: reading a crawl takes seconds."""
    when = now or datetime.now(UTC)
    crawls = list_crawls(home)
    crawl = crawls[0] if crawls else None
    version = (crawls_dir(home) / crawl).stat().st_mtime_ns if crawl else 0
    name = f"due:{crawl}:{version}:{importer}:{when:%Y%m%d%H}:{wait_days}:{max_attempts}"

    def compute() -> pd.DataFrame:
        frame = reports_frame(session)
        still_up: set[str] = set(frame["item_id"])
        if crawl is not None:
            posts = latest(collect(import_path(crawls_dir(home) / crawl, importer)).posts, ["platform", "post_id"])
            live = posts[~posts["removed"].fillna(False).astype(bool)] if len(posts) else posts
            still_up = set(live["platform"] + ":" + live["post_id"]) if len(live) else set()
        return due_for_rereport(frame, still_up, when, wait_days, max_attempts)

    return _cached(session, name, compute), crawl


def cached_trend(home: Path, name: str, importer: str, models_dir: Path, top_terms: int = 10) -> dict[str, Any]:
    """:func:`trend` of a named crawl, kept next to the crawls per (crawl, its mtime, importer, model): scoring
    every post takes seconds, the page must not."""
    path = crawl_path(home, name)
    if not published(models_dir):
        require_model(models_dir)  # raises the clear "train first" error
    version = model_registry(models_dir).get(MODEL_NAME)
    model = f"{version.version}:{version.path}"
    key = json.dumps([name, path.stat().st_mtime_ns, importer, str(model), top_terms])
    cache = home / "social" / "trend-cache" / f"{name}.json"
    if cache.is_file():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return dict(cached["trend"])
    figures = trend(path, importer, models_dir, top_terms)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "trend": figures}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(cache)
    return figures
