"""Staff operation monitoring: behavioural rules with evidence, and an unsupervised per-staff-day detector.

The rules encode what a bank's internal-control manual says, each with the expected behaviour beside it:
look-ups need a reason (a call, a complaint, the work queue), waivers need identity verification first,
customer data is touched during working hours from the staff member's own site, nobody looks up dozens of
customers in an hour, and an agent does not keep serving the callers of the same gang. The detector
(an isolation forest over per-staff-day activity profiles) ranks days that look unlike everyone's
ordinary days, for patterns no rule names yet; its alerts are kept apart from the rule alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grayshield.compliance.collusion import (
    CollusionParams,
    collusion_operations,
    collusion_tests,
    number_rings,
)
from grayshield.core.errors import ValidationError

OP_COLUMNS = (
    "op_id",
    "staff_id",
    "op_time",
    "operation",
    "customer_id",
    "call_id",
    "complaint_id",
    "location",
    "in_queue",
)
TOUCHING = (
    "customer_lookup",
    "view_card_details",
    "view_transactions",
    "contact_change",
    "fee_waiver",
    "interest_waiver",
    "limit_change",
    "export_customer_list",
)
WAIVERS = ("fee_waiver", "interest_waiver", "limit_change")


@dataclass(frozen=True)
class StaffRuleParams:
    bulk_lookups_per_burst: int = 40
    work_hours: tuple[int, int] = (7, 22)  # [start, end) local hour for look-ups with no call or complaint
    verification_window_min: int = 120
    session_gap_min: int = 30  # an off-hours login opens the session of the operations that follow it
    collusion: CollusionParams = field(default_factory=CollusionParams)


# Rule name -> (the alert's title, the expected behaviour), in the order a flagged operation is typed.
RULES: dict[str, tuple[str, str]] = {
    "bulk_lookup": ("批量查询客户信息", "单人每小时查询客户数量应在正常范围内，且不应导出客户名单"),
    "waiver_without_verification": ("未核身即办理减免/调额", "减免、调额前应先完成客户身份核验"),
    "gang_collusion": (
        "反复接待同一团伙来电（疑似内外勾结）",
        "同一号码群的代理来电应按队列随机分配到各坐席，不应集中于个别坐席",
    ),
    "unusual_location": ("异常地点/终端登录操作", "应在本人所属职场终端操作"),
    "off_hours_access": ("非工作时间查询客户信息", "无来电或工单时，仅在工作时间查询客户信息"),
    "out_of_queue_lookup": ("查询非本人队列客户", "仅查询本人工作队列中的客户，或有来电/工单依据"),
}


def _check_columns(ops: pd.DataFrame) -> None:
    missing = [c for c in OP_COLUMNS if c not in ops.columns]
    if missing:
        raise ValidationError(f"staff operation log lacks column(s) {', '.join(missing)}")


def _bulk(ops: pd.DataFrame, p: StaffRuleParams) -> np.ndarray:
    """Every look-up in a burst (less than half an hour apart) of too many look-ups with no call or complaint
    behind them, and every list export. Look-ups made for calls follow the call volume, not the staff member."""
    no_reason = ops["call_id"].isna().to_numpy() & ops["complaint_id"].isna().to_numpy()
    lookup = (ops["operation"].to_numpy() == "customer_lookup") & no_reason
    runs = ops.loc[lookup, ["staff_id", "op_time"]].sort_values(["staff_id", "op_time"])
    new_burst = (runs["staff_id"] != runs["staff_id"].shift()) | (
        runs["op_time"].diff() > pd.Timedelta(minutes=30)
    )
    burst = new_burst.cumsum()
    size = burst.map(burst.value_counts())
    bulky = np.zeros(len(ops), bool)
    bulky[runs.index[(size >= p.bulk_lookups_per_burst).to_numpy()]] = True
    return np.asarray(bulky | (ops["operation"].to_numpy() == "export_customer_list"), dtype=bool)


def _unverified_waivers(ops: pd.DataFrame, p: StaffRuleParams) -> np.ndarray:
    """Waivers with no identity verification of that customer by that staff member shortly before."""
    waiver = ops["operation"].isin(WAIVERS).to_numpy()
    checks = ops.loc[ops["operation"] == "identity_verification", ["staff_id", "customer_id", "op_time"]]
    asked = ops.loc[waiver, ["op_id", "staff_id", "customer_id", "op_time"]]
    joined = asked.merge(checks, on=["staff_id", "customer_id"], how="left", suffixes=("", "_check"))
    gap = joined["op_time"] - joined["op_time_check"]
    joined["ok"] = (gap >= pd.Timedelta(0)) & (gap <= pd.Timedelta(minutes=p.verification_window_min))
    verified = set(joined.loc[joined["ok"], "op_id"])
    return waiver & ~ops["op_id"].isin(verified).to_numpy()


def _unusual_location(ops: pd.DataFrame) -> np.ndarray:
    """Operations away from the staff member's usual site (remote, or a site they rarely use)."""
    usual = ops.groupby("staff_id")["location"].agg(lambda s: s.value_counts().index[0])
    location = ops["location"].to_numpy()
    return np.asarray(
        (location == "remote") | (location != ops["staff_id"].map(usual).to_numpy()), dtype=bool
    )


def _off_hours(ops: pd.DataFrame, p: StaffRuleParams) -> np.ndarray:
    """Customer data touched outside working hours with no call or complaint behind it, and the off-hours
    login that opened such a session (the next thing that staff member did, within ``session_gap_min``): the
    login is where the session's terminal and time are recorded, so the reviewer needs it in the alert. A
    night-shift login followed by ordinary work is not flagged."""
    hour = ops["op_time"].dt.hour.to_numpy()
    start, end = p.work_hours
    night = (hour < start) | (hour >= end)
    no_reason = ops["call_id"].isna().to_numpy() & ops["complaint_id"].isna().to_numpy()
    touched = ops["operation"].isin(TOUCHING).to_numpy() & no_reason & night
    login = (ops["operation"].to_numpy() == "login") & night
    if not login.any() or not touched.any():
        return np.asarray(touched, dtype=bool)
    work = (
        ops.loc[ops["operation"].to_numpy() != "login", ["staff_id", "op_time"]]
        .assign(touched=touched[ops["operation"].to_numpy() != "login"])
        .sort_values("op_time")
    )
    logins = ops.loc[login, ["staff_id", "op_time"]].reset_index().sort_values("op_time")
    following = pd.merge_asof(
        logins,
        work.rename(columns={"op_time": "next_time"}),
        left_on="op_time",
        right_on="next_time",
        by="staff_id",
        direction="forward",
        tolerance=pd.Timedelta(minutes=p.session_gap_min),
    )
    opened = following.loc[following["touched"].eq(True).to_numpy(), "index"].to_numpy()
    out = np.asarray(touched, dtype=bool).copy()
    out[opened] = True
    return out


def _out_of_queue(ops: pd.DataFrame) -> np.ndarray:
    no_reason = ops["call_id"].isna().to_numpy() & ops["complaint_id"].isna().to_numpy()
    return (
        ops["operation"].isin(TOUCHING).to_numpy()
        & ops["in_queue"].eq(False).fillna(False).to_numpy(dtype=bool)
        & no_reason
    )


@dataclass(frozen=True)
class CollusionContext:
    """What the collusion test reads beside the operation log: calls, contact changes, registered phones and,
    when the callers engine has scored them, numbers it already suspects."""

    calls: pd.DataFrame
    contacts: pd.DataFrame | None = None
    registered: pd.Series | None = None  # customer_id -> registered phone
    suspect_numbers: tuple[str, ...] = ()
    rings: pd.DataFrame | None = None  # ring membership (kind, key, ring) from the gangs engine, when run
    roles: pd.Series | None = None  # staff_id -> role: routing pools are per skill group


def collusion_evidence(
    context: CollusionContext, params: CollusionParams | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rings of numbers and customers, and every (agent, ring) test with its evidence."""
    rings = (
        context.rings
        if context.rings is not None
        else number_rings(
            context.calls, context.contacts, context.registered, context.suspect_numbers, params
        )
    )
    return rings, collusion_tests(context.calls, rings, context.registered, params, context.roles)


def flag_operations(
    ops: pd.DataFrame,
    calls: pd.DataFrame | CollusionContext | None = None,
    params: StaffRuleParams | None = None,
) -> pd.DataFrame:
    """Each operation with the first rule it breaks (``rule`` is None when it breaks none) and, for
    collusion, the statistical evidence in ``note``."""
    _check_columns(ops)
    p = params or StaffRuleParams()
    ops = ops.reset_index(drop=True)
    ops["op_time"] = pd.to_datetime(ops["op_time"])
    context = CollusionContext(calls) if isinstance(calls, pd.DataFrame) else calls
    note = pd.Series(None, index=ops.index, dtype=object)
    if context is not None and not context.calls.empty:
        rings, tests = collusion_evidence(context, p.collusion)
        note = collusion_operations(ops, tests, rings)
    masks = {
        "bulk_lookup": _bulk(ops, p),
        "waiver_without_verification": _unverified_waivers(ops, p),
        "gang_collusion": note.notna().to_numpy(),
        "unusual_location": _unusual_location(ops),
        "off_hours_access": _off_hours(ops, p),
        "out_of_queue_lookup": _out_of_queue(ops),
    }
    rule = np.full(len(ops), None, dtype=object)
    for name in reversed(RULES):  # the first rule in RULES order wins
        rule[np.asarray(masks[name], dtype=bool)] = name
    return ops.assign(rule=rule, note=note.where(rule == "gang_collusion"))


def alerts(flagged: pd.DataFrame) -> pd.DataFrame:
    """Flagged operations grouped into one alert per staff member, day and rule, with evidence."""
    hits = flagged[flagged["rule"].notna()]
    if hits.empty:
        return pd.DataFrame(
            columns=[
                "staff_id",
                "day",
                "rule",
                "title_zh",
                "expected_zh",
                "operations",
                "customers",
                "first_time",
                "last_time",
                "op_ids",
                "note",
            ]
        )
    grouped = hits.groupby(["staff_id", hits["op_time"].dt.date.rename("day"), "rule"])
    out = grouped.agg(
        operations=("op_id", "size"),
        customers=("customer_id", "nunique"),
        first_time=("op_time", "min"),
        last_time=("op_time", "max"),
        op_ids=("op_id", lambda s: list(s)[:50]),
        note=("note", lambda s: next((n for n in s if isinstance(n, str)), None)),
    ).reset_index()
    out["title_zh"] = out["rule"].map(lambda r: RULES[r][0])
    out["expected_zh"] = out["rule"].map(lambda r: RULES[r][1])
    return out.sort_values(["operations"], ascending=False).reset_index(drop=True)


def staff_day_profiles(ops: pd.DataFrame) -> pd.DataFrame:
    """Per staff member and day: volumes and shares that describe how the day was spent."""
    frame = ops.assign(
        day=pd.to_datetime(ops["op_time"]).dt.date, hour=pd.to_datetime(ops["op_time"]).dt.hour
    )
    no_reason = frame["call_id"].isna() & frame["complaint_id"].isna()
    frame = frame.assign(
        lookup=frame["operation"].eq("customer_lookup"),
        no_reason=no_reason & frame["operation"].isin(TOUCHING),
        out_queue=frame["in_queue"].eq(False).fillna(False),
        night=(frame["hour"] < 7) | (frame["hour"] >= 22),
        remote=frame["location"].eq("remote"),
        waiver=frame["operation"].isin(WAIVERS),
        export=frame["operation"].eq("export_customer_list"),
    )
    grouped = frame.groupby(["staff_id", "day"])
    profile = grouped.agg(
        ops=("op_id", "size"),
        customers=("customer_id", "nunique"),
        lookups=("lookup", "sum"),
        no_reason=("no_reason", "sum"),
        out_queue=("out_queue", "sum"),
        night=("night", "sum"),
        remote=("remote", "sum"),
        waivers=("waiver", "sum"),
        exports=("export", "sum"),
    )
    return profile.reset_index()


def detect_unusual_days(ops: pd.DataFrame, contamination: float = 0.01, seed: int = 0) -> pd.DataFrame:
    """Isolation-forest score per staff-day (higher = more unusual); ``unusual`` marks the top share."""
    from sklearn.ensemble import IsolationForest

    profile = staff_day_profiles(ops)
    if len(profile) < 10:
        return profile.assign(score=0.0, unusual=False)
    features = np.log1p(profile.drop(columns=["staff_id", "day"]).to_numpy(dtype=float))
    forest = IsolationForest(n_estimators=200, contamination=contamination, random_state=seed).fit(features)
    score = -forest.score_samples(features)
    return profile.assign(score=np.round(score, 4), unusual=forest.predict(features) == -1)
