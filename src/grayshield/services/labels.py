"""Training labels from what the bank itself decided: case outcomes, tag reviews and platform take-downs.

A simulated world ships its truth in ``truth/``; real bank data has none, and the decisions recorded in the
operational store are the only labels a bank has. :class:`LabelSource` serves those decisions through the same
``has_truth`` / ``truth`` interface a :class:`~grayshield.lake.World` offers, so the number, complaint and
social trainers read them without knowing where they came from.

Where each label comes from (latest decision per subject wins inside the store):

- numbers: closed cases on a number or listing it in a gang snapshot (confirmed gang, police case, take-down
  → black/gray; cleared → not); reviewed tags: ``blackgray_number`` / ``proxy_agency`` confirmed → black/gray,
  rejected → not; ``verified_representative`` confirmed → not (a lawyer or relative the bank checked);
- calls: a call from a labelled number carries that number's label (a confirmed gang number's inbound calls
  are proxy calls; a cleared number's are not); calls from unlabelled numbers carry none;
- complaints: closed cases on a complaint or listing it in a gang snapshot (the verdict of complaint handling
  or of the strike team);
- social accounts: closed cases on an account, reviewed ``blackgray_social_account`` / ``proxy_agency`` tags,
  and platform answers to our reports: an account banned, or with a reported post removed, is black/gray.
  A platform *rejecting* a report gives no label: it says the post met the platform's rules, not that the
  account is not a gang's (a weak negative we do not use); ``accepted`` and ``limited`` say too little too;
- social posts: a reported post removed, or posted by a banned account, is a black/gray ad.

``--labels both`` takes the world's truth and lets the store override it for the same subject: an analyst's
decision is newer evidence than the simulator's label, and it is what the bank would act on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from grayshield.cases import OUTCOMES, SUBJECT_TYPES, CaseService
from grayshield.cases.labels import outcome_labels
from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.lake.phone import normalise_phone
from grayshield.lake.world import World
from grayshield.store.models import SocialReport, Tag

if TYPE_CHECKING:
    import ibis.expr.types as ir

LABEL_MODES = ("truth", "outcomes", "both")
MIN_PER_CLASS = 5
"""Fewer labelled positives or negatives than this and a model would only memorise a handful of cases."""

POSITIVE_TAGS: dict[str, tuple[str, ...]] = {
    "number": ("blackgray_number", "proxy_agency"),
    "social_account": ("blackgray_social_account", "proxy_agency"),
}
REASSURING_TAGS: dict[str, tuple[str, ...]] = {"number": ("verified_representative",)}
TAKEN_DOWN_POSTS = ("removed", "banned")
POSITIVE_POST_LABEL = "blackgray_ad"
NEGATIVE_POST_LABEL = "consumer_discussion"

AREA_TABLES: dict[str, tuple[str, ...]] = {
    "callers": ("numbers", "calls"),
    "complaints": ("complaints",),
    "social": ("social_accounts", "social_posts"),
}
"""The truth tables each trainer reads, and so the labels it needs."""

KEYS: dict[str, tuple[str, ...]] = {
    "numbers": ("number",), "calls": ("call_id",), "complaints": ("complaint_id",),
    "social_accounts": ("platform", "account_id"), "social_posts": ("platform", "post_id"),
}
TARGETS: dict[str, str] = {"numbers": "is_blackgray", "calls": "is_proxy", "complaints": "is_proxy",
                           "social_accounts": "is_blackgray", "social_posts": "label"}
_LABEL_COLUMNS = ["label", "source", "ref", "decided_at"]


@dataclass(frozen=True)
class StoreLabels:
    """The store's decisions per subject kind: keys, ``label`` (1/0), ``source`` and ``ref`` to follow it up."""

    numbers: pd.DataFrame
    complaints: pd.DataFrame
    social_accounts: pd.DataFrame
    social_posts: pd.DataFrame
    gangs: pd.DataFrame

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: _class_counts(getattr(self, name)["label"])
                for name in ("numbers", "complaints", "social_accounts", "social_posts", "gangs")}


def store_labels(session: Session) -> StoreLabels:
    """Every label the operational store holds, latest decision per subject."""
    cases = outcome_labels(session)
    cases = cases.assign(source="case", ref=cases["case_id"].astype(str), decided_at=cases["closed_at"])
    tags = _tag_labels(session)
    reports = _report_rows(session)

    numbers = pd.concat([_subject(cases, "number"), _subject(tags, "number")], ignore_index=True)
    numbers["number"] = [normalise_phone(str(n)) for n in numbers.pop("subject_id")]
    numbers = _latest(numbers.dropna(subset=["number"]), ["number"])

    complaints = _latest(_subject(cases, "complaint").rename(columns={"subject_id": "complaint_id"}),
                         ["complaint_id"])

    account_rows = pd.concat([_subject(cases, "account"), _subject(tags, "social_account")], ignore_index=True)
    platform, account = _split_accounts(account_rows.pop("subject_id"))
    account_rows["platform"], account_rows["account_id"] = platform, account
    taken = reports[reports["outcome"].isin(TAKEN_DOWN_POSTS)]
    from_reports = taken.assign(label=1, source="social_report", ref=taken["item_id"])
    accounts = _latest(pd.concat([account_rows.dropna(subset=["platform"]),
                                  from_reports[["platform", "account_id", *_LABEL_COLUMNS]]], ignore_index=True),
                       ["platform", "account_id"])
    posts = _latest(from_reports[["platform", "post_id", *_LABEL_COLUMNS]], ["platform", "post_id"])

    gangs = _latest(_subject(cases, "gang").rename(columns={"subject_id": "gang_id"}), ["gang_id"])
    return StoreLabels(numbers, complaints, accounts, posts, gangs)


def gang_outcomes(session: Session) -> pd.DataFrame:
    """Decided gang cases (latest per gang) with the evidence counts their snapshot showed the analyst.

    The evidence as it stood when the case was decided is what the decision judged, so the gang score is
    calibrated on it rather than on a later rerun of discovery.
    """
    from grayshield.store.models import Case

    gangs = store_labels(session).gangs
    rows = []
    for gang_id, label, ref in zip(gangs["gang_id"], gangs["label"], gangs["ref"], strict=True):
        case = session.get(Case, int(ref))
        evidence = ((case.detail or {}).get("facts") or {}).get("evidence") if case is not None else None
        if isinstance(evidence, dict):
            rows.append({"gang_id": gang_id, "label": int(label), "case_id": int(ref),
                         **{str(k): int(v) for k, v in evidence.items()}})
    return pd.DataFrame(rows)


class LabelSource(World):
    """A world whose truth tables are labels from the chosen ``mode``; its contract tables are the world's own.

    ``truth`` serves only labelled subjects; :meth:`labelled` says which those are, so a trainer can drop the
    rest instead of counting an unreviewed number as a clean one.
    """

    def __init__(self, world: World, mode: str, store: StoreLabels | None = None) -> None:
        super().__init__(world.root, world._connection)
        if mode not in LABEL_MODES:
            raise ValidationError(f"未知标签来源 {mode!r}；可用: {', '.join(LABEL_MODES)}")
        if mode != "truth" and store is None:
            raise ValidationError(f"标签来源 {mode!r} 需要运营库中的结案结论")
        self.world, self.mode, self.store = world, mode, store
        self._labels: dict[str, pd.DataFrame] = {}

    @property
    def partial(self) -> bool:
        """Outcome labels cover the subjects someone decided on, never all of them."""
        return self.mode == "outcomes"

    def has_truth(self, name: str) -> bool:
        if self.mode == "truth" or (self.mode == "both" and name not in KEYS):
            return self.world.has_truth(name)
        return name in KEYS and not self.labels(name).empty

    def truth(self, name: str) -> ir.Table:
        if self.mode == "truth" or (self.mode == "both" and name not in KEYS):
            return self.world.truth(name)
        import ibis

        frame = self.labels(name)
        if frame.empty:
            raise NotFoundError(f"运营库中没有 {name} 的标签：请先结案或审核标签")
        return ibis.memtable(frame)

    def labelled(self, name: str) -> pd.DataFrame:
        """The keys of every labelled subject of ``name`` (a truth table name)."""
        return self.labels(name)[list(KEYS[name])]

    def labels(self, name: str) -> pd.DataFrame:
        """The labels of ``name`` as a truth-shaped frame (keys, target column, ``label_source``)."""
        if name not in KEYS:
            raise ValidationError(f"{name} 没有来自运营库的标签；可用: {', '.join(KEYS)}")
        if name not in self._labels:
            self._labels[name] = self._build(name)
        return self._labels[name]

    def counts(self, area: str) -> dict[str, dict[str, int]]:
        """Positives and negatives per truth table the area's trainer reads."""
        out = {}
        for name in AREA_TABLES[area]:
            frame = self.labels(name)
            target = frame[TARGETS[name]]
            out[name] = _class_counts(target == POSITIVE_POST_LABEL if name == "social_posts" else target)
        return out

    # ------------------------------------------------------------------------------------------ building
    def _build(self, name: str) -> pd.DataFrame:
        if self.store is None:  # truth mode: the world's own labels
            truth: pd.DataFrame = self.world.truth(name).to_pandas()
            return truth.assign(label_source="truth")
        store = self._from_store(name, self.store)
        if self.mode == "outcomes" or not self.world.has_truth(name):
            frame = store.reset_index(drop=True)
        else:
            frame = _override(self.world.truth(name).to_pandas().assign(label_source="truth"), store,
                              list(KEYS[name]))
        if name in ("numbers", "social_accounts"):  # trainers carry ``kind`` along as a description
            frame["kind"] = frame["kind"].fillna("unknown") if "kind" in frame else "unknown"
        return frame

    def _from_store(self, name: str, store: StoreLabels) -> pd.DataFrame:
        if name == "numbers":
            return _shaped(store.numbers, "is_blackgray", ["number"])
        if name == "complaints":
            return _shaped(store.complaints, "is_proxy", ["complaint_id"])
        if name == "social_accounts":
            return _shaped(store.social_accounts, "is_blackgray", ["platform", "account_id"])
        if name == "social_posts":
            return self._post_labels(store)
        return self._call_labels(store)

    def _call_labels(self, store: StoreLabels) -> pd.DataFrame:
        """Calls inherit their caller number's label (decided numbers only; unlabelled numbers label nothing)."""
        numbers = _shaped(store.numbers, "is_blackgray", ["number"])
        calls = self.world.table("calls").select("call_id", "caller_number").to_pandas()
        joined = calls.merge(numbers, left_on="caller_number", right_on="number")
        out: pd.DataFrame = joined.rename(columns={"is_blackgray": "is_proxy"})[["call_id", "is_proxy", "label_source"]]
        return out

    def _post_labels(self, store: StoreLabels) -> pd.DataFrame:
        """Removed posts are ads; other posts of a decided account take the account's label (weaker, documented).

        The account model learns from its posts' classifier, which needs both kinds of post; an account the
        bank decided on is the best evidence about what its other posts are.
        """
        accounts = _shaped(store.social_accounts, "is_blackgray", ["platform", "account_id"])  # decisions only
        rows: list[pd.DataFrame] = []
        if not accounts.empty and self.world.has_table("social_posts"):
            posts = self.world.table("social_posts").select("platform", "post_id", "account_id").to_pandas()
            posts = posts.drop_duplicates(["platform", "post_id"]).merge(accounts, on=["platform", "account_id"])
            rows.append(posts.assign(
                label=posts["is_blackgray"].map({True: POSITIVE_POST_LABEL, False: NEGATIVE_POST_LABEL}),
                label_source="account")[["platform", "post_id", "label", "label_source"]])
        removed = store.social_posts.assign(label=POSITIVE_POST_LABEL, label_source="social_report")
        rows.append(removed[["platform", "post_id", "label", "label_source"]])
        merged = pd.concat(rows, ignore_index=True)
        return merged.drop_duplicates(["platform", "post_id"], keep="last").reset_index(drop=True)


def open_labels(world: World, mode: str | None, area: str, session_factory: Any | None) -> LabelSource:
    """The label source for ``area``: ``mode`` or, when not given, truth if the world has it, else outcomes.

    ``session_factory`` is a context manager factory (``Database.session``) opened only when the store is read.
    Raises a :class:`ValidationError` naming what is missing when the chosen labels are too few to train on.
    """
    if area not in AREA_TABLES:
        raise ValidationError(f"{area} 不从标签训练；可用: {', '.join(AREA_TABLES)}")
    has_truth = all(world.has_truth(name) for name in AREA_TABLES[area] if name != "calls")
    chosen = mode or ("truth" if has_truth else "outcomes")
    if chosen not in LABEL_MODES:
        raise ValidationError(f"未知标签来源 {chosen!r}；可用: {', '.join(LABEL_MODES)}")
    if chosen in ("truth", "both") and not has_truth:
        raise ValidationError(f"{world.root} 没有真值（truth/），不能用 --labels {chosen}；"
                              "真实数据请用 --labels outcomes（运营库中的结案结论）")
    if chosen == "truth":
        return LabelSource(world, chosen)  # the area trainer checks truth itself, as it always has
    if session_factory is None:
        raise ValidationError("--labels outcomes/both 需要运营库（GRAYSHIELD_DB_URL）")
    try:
        with session_factory() as session:
            store = store_labels(session)
    except SQLAlchemyError as exc:
        raise ValidationError("无法读取运营库中的结案结论：请确认数据库可用并已运行 grayshield db upgrade"
                              f"（{type(exc).__name__}）") from exc
    source = LabelSource(world, chosen, store)
    check_enough(source, area)
    return source


def check_enough(source: LabelSource, area: str, minimum: int = MIN_PER_CLASS) -> None:
    """Refuse to train on too few labels, saying how many there are and how to get more."""
    for name, counts in source.counts(area).items():
        if counts["positive"] < minimum or counts["negative"] < minimum:
            hint = ("结案（确认团伙/公安立案/已处置 或 排除嫌疑）、审核标签或录入平台处置结果"
                    if source.mode != "truth" else "换一个更大的模拟世界")
            raise ValidationError(
                f"{name} 标签不足（来源 {source.mode}）：正例 {counts['positive']}、负例 {counts['negative']}，"
                f"每类至少需要 {minimum} 个；请先{hint}")


@dataclass(frozen=True)
class Verdict:
    """A decision made elsewhere (complaint handling, a platform, a police answer) recorded as a closed case."""

    subject_type: str
    subject_id: str
    outcome: str
    reason: str
    title: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


VERDICT_COLUMNS = ("subject_type", "subject_id", "outcome", "reason")


@dataclass(frozen=True)
class RejectedVerdict:
    """A verdict row that could not be recorded: its line in the file and why (the rest still are)."""

    line: int
    reason: str


def parse_verdicts_csv(text: str) -> tuple[list[Verdict], list[RejectedVerdict]]:
    """Verdicts from a CSV (``subject_type, subject_id, outcome, reason`` and an optional ``title``).

    Complaint handling, platforms and police answer in spreadsheets; a bad row is reported with its line and
    reason and never stops the rest of the file.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [c for c in VERDICT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(f"结论文件缺少列：{', '.join(missing)}（需要 {', '.join(VERDICT_COLUMNS)}）")
    verdicts: list[Verdict] = []
    rejected: list[RejectedVerdict] = []
    for line, row in enumerate(reader, start=2):
        values = {k: (row.get(k) or "").strip() for k in (*VERDICT_COLUMNS, "title")}
        problem = _verdict_problem(values)
        if problem:
            rejected.append(RejectedVerdict(line, problem))
            continue
        verdicts.append(Verdict(values["subject_type"], values["subject_id"], values["outcome"], values["reason"],
                                title=values["title"]))
    return verdicts, rejected


def _verdict_problem(values: dict[str, str]) -> str:
    if values["subject_type"] not in SUBJECT_TYPES:
        return f"对象类型 {values['subject_type']!r} 无效（可选：{', '.join(SUBJECT_TYPES)}）"
    if not values["subject_id"]:
        return "对象编号为空"
    if values["outcome"] not in OUTCOMES:
        return f"结论 {values['outcome']!r} 无效（可选：{', '.join(OUTCOMES)}）"
    if not values["reason"]:
        return "缺少结论依据（reason）"
    return ""


def record_verdicts(session: Session, actor: str, verdicts: Iterable[Verdict], now: datetime | None = None) -> int:
    """Open and close one case per verdict, through the case workflow, so each label has its history and audit."""
    cases = CaseService(session, actor)
    done = 0
    for verdict in verdicts:
        title = verdict.title or f"{SUBJECT_TYPES.get(verdict.subject_type, verdict.subject_type)}结论录入"
        case = cases.open(verdict.subject_type, verdict.subject_id, title, detail=verdict.detail, now=now)
        cases.transition(case.id, "closed", verdict.reason, outcome=verdict.outcome, now=now)
        done += 1
    return done


# ---------------------------------------------------------------------------------------------- internals
def _class_counts(labels: pd.Series) -> dict[str, int]:
    values = labels.astype(bool)
    return {"positive": int(values.sum()), "negative": int((~values).sum())}


def _subject(rows: pd.DataFrame, subject_type: str) -> pd.DataFrame:
    return rows.loc[rows["subject_type"] == subject_type, ["subject_id", *_LABEL_COLUMNS]].copy()


def _latest(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per subject: the latest decision (stable for ties, so a later-written row wins)."""
    if rows.empty:
        return pd.DataFrame(columns=[*keys, *_LABEL_COLUMNS])
    ordered = rows.assign(decided_at=pd.to_datetime(rows["decided_at"], utc=True))
    ordered = ordered.sort_values("decided_at", kind="stable")
    out = ordered.drop_duplicates(keys, keep="last")[[*keys, *_LABEL_COLUMNS]]
    return out.assign(label=out["label"].astype(int)).reset_index(drop=True)


def _shaped(rows: pd.DataFrame, target: str, keys: list[str]) -> pd.DataFrame:
    out = rows[keys].copy()
    out[target] = rows["label"].astype(int).astype(bool).to_numpy()
    out["label_source"] = rows["source"].to_numpy()
    return out


def _override(truth: pd.DataFrame, store: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Truth rows, with the store's label replacing truth's for the same subject and store-only rows added;
    truth's descriptive columns (kind, gang) stay on replaced rows."""
    if store.empty:
        return truth.reset_index(drop=True)
    mask = pd.MultiIndex.from_frame(truth[keys]).isin(pd.MultiIndex.from_frame(store[keys]))
    extra = [c for c in truth.columns if c not in store.columns]
    replaced = store.merge(truth.loc[mask, [*keys, *extra]], on=keys, how="left")
    merged = pd.concat([truth[~mask], replaced], ignore_index=True)
    for column, dtype in truth.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            merged[column] = merged[column].fillna(False).astype(bool)
    return merged


def _tag_labels(session: Session) -> pd.DataFrame:
    """Reviewed tags as labels: a confirmed warning tag is positive, a rejected one negative, a reassuring one
    confirmed negative. Proposed and expired tags say nothing (nobody decided, or the decision went stale)."""
    rows: list[dict[str, Any]] = []
    warning = {t for names in POSITIVE_TAGS.values() for t in names}
    reassuring = {t for names in REASSURING_TAGS.values() for t in names}
    query = select(Tag).where(Tag.state.in_(("confirmed", "rejected")),
                              Tag.tag_type.in_(sorted(warning | reassuring))).order_by(Tag.id)
    for tag in session.scalars(query):
        if tag.tag_type in warning and tag.tag_type in POSITIVE_TAGS.get(tag.subject_type, ()):
            label = 1 if tag.state == "confirmed" else 0
        elif tag.tag_type in REASSURING_TAGS.get(tag.subject_type, ()) and tag.state == "confirmed":
            label = 0
        else:
            continue
        rows.append({"subject_type": tag.subject_type, "subject_id": tag.subject_id, "label": label,
                     "source": "tag", "ref": str(tag.id), "decided_at": tag.reviewed_at or tag.updated_at})
    return pd.DataFrame(rows, columns=["subject_type", "subject_id", *_LABEL_COLUMNS])


def _report_rows(session: Session) -> pd.DataFrame:
    columns = ["item_id", "platform", "account_id", "post_id", "outcome", "decided_at"]
    query = select(SocialReport).where(SocialReport.outcome.is_not(None))
    rows = [{c: getattr(r, c) for c in columns} for r in session.scalars(query)]
    return pd.DataFrame(rows, columns=columns)


def _split_accounts(ids: pd.Series) -> tuple[list[str | None], list[str | None]]:
    """``platform/account`` (graph members) or ``platform:account`` (tags) into its two parts."""
    platforms: list[str | None] = []
    accounts: list[str | None] = []
    for text in ids.astype(str):
        cut = min((i for i in (text.find("/"), text.find(":")) if i > 0), default=-1)
        platforms.append(text[:cut] if cut > 0 else None)
        accounts.append(text[cut + 1:] if cut > 0 else None)
    return platforms, accounts


def truth_sample_verdicts(world: World, share: float = 0.5, seed: int = 0,
                          negative_share: float | None = None) -> list[Verdict]:
    """Verdicts for a random sample of a simulated world's truth, as if analysts had closed those cases.

    For measurement and demos only: it answers "what would a model trained on the cases we closed be worth?"
    Black/gray numbers and accounts are closed as taken down, gang-driven complaints as confirmed gangs, the
    rest as cleared; ``negative_share`` samples the (far more numerous) negatives at another rate.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    negative = share if negative_share is None else negative_share
    specs = (("numbers", "number", "taken_down"), ("complaints", "complaint", "confirmed_gang"),
             ("social_accounts", "account", "taken_down"))
    verdicts: list[Verdict] = []
    for table, subject_type, positive_outcome in specs:
        if not world.has_truth(table):
            continue
        frame = world.truth(table).to_pandas()
        keys = frame[list(KEYS[table])].astype(str).agg("/".join, axis=1)
        for key, positive in zip(keys, frame[TARGETS[table]].astype(bool), strict=True):
            if rng.random() < (share if positive else negative):
                verdicts.append(Verdict(subject_type, key, positive_outcome if positive else "cleared",
                                        "模拟世界真值抽样（评估用）"))
    return verdicts
