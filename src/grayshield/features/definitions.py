"""The catalogue's entries. Reasons are written for a front-line agent, in business Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from grayshield.features.catalogue import (
    DerivedFeature,
    Dimension,
    EventSource,
    Feature,
    NetworkFeature,
    StaticFeature,
    TableSource,
    WindowFeature,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

A, B, P, ACT = (
    Dimension.CUSTOMER_ATTRIBUTES, Dimension.CUSTOMER_BEHAVIOUR, Dimension.PRODUCTS_SERVICES,
    Dimension.BUSINESS_ACTIONS,
)


def _count_if(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.ifelse(1, 0).sum()


def _inbound_calls(src: TableSource) -> ir.Table:
    calls = src.table("calls")
    customers = src.table("customers").select("customer_id", "registered_phone")
    inbound = calls.filter(calls.direction == "inbound", calls.claimed_customer_id.notnull())
    joined = inbound.left_join(customers, inbound.claimed_customer_id == customers.customer_id)
    return joined.select(
        customer_id=joined.claimed_customer_id,
        start_time=joined.start_time,
        caller_number=joined.caller_number,
        identity_verified=joined.identity_verified,
        caller_relation=joined.caller_relation.fill_null("unknown"),
        queue=joined.queue.fill_null("unknown"),
        duration_s=joined.duration_s,
        from_registered=(joined.caller_number == joined.registered_phone).fill_null(False),
    )


def _plain(name: str, key: str, time: str) -> EventSource:
    return EventSource(name=name, tables=(name,), key=key, time=time, prepare=lambda src: src.table(name))


SOURCES: dict[str, EventSource] = {
    s.name: s
    for s in (
        _plain("statements", "customer_id", "statement_date"),
        _plain("delinquency", "customer_id", "snapshot_date"),
        _plain("repayments", "customer_id", "paid_time"),
        _plain("collection_actions", "customer_id", "action_time"),
        _plain("product_events", "customer_id", "event_time"),
        _plain("contact_changes", "customer_id", "change_time"),
        _plain("complaints", "customer_id", "received_time"),
        EventSource("inbound_calls", ("calls", "customers"), "customer_id", "start_time", _inbound_calls),
    )
}


def _in_window(spine: ir.Table, events: ir.Table, key: str, time: str, window: int) -> ir.Table:
    """(customer_id, as_of, every event column) for events of each spine row's own window."""
    t = events[time].cast("timestamp")
    return spine.join(events, [spine.customer_id == events[key], t < spine.as_of_ts,
                               t >= spine.as_of_ts - ibis.interval(days=window)])


def _max_number_reach(pairs: ir.Table) -> ir.Table:
    """From (customer_id, as_of, number) pairs: for each customer, the most customers any of its numbers serves."""
    reach = pairs.group_by(["as_of", "number"]).aggregate(customers=pairs.customer_id.nunique())
    joined = pairs.join(reach, ["as_of", "number"])
    return joined.group_by(["customer_id", "as_of"]).aggregate(value=joined.customers.max() - 1)


def _caller_reach(src: TableSource, spine: ir.Table, window: int) -> ir.Table:
    calls = _inbound_calls(src)
    calls = calls.filter(~calls.from_registered, calls.caller_number.notnull())
    joined = _in_window(spine, calls, "customer_id", "start_time", window)
    return _max_number_reach(joined.select("customer_id", "as_of", number=joined.caller_number).distinct())


def _shared_contact(src: TableSource, spine: ir.Table, window: int) -> ir.Table:
    changes = src.table("contact_changes")
    phones = changes.filter(changes.field.isin(("mobile", "home_phone", "work_phone", "emergency_contact_phone")),
                            changes.new_value.notnull())
    joined = _in_window(spine, phones, "customer_id", "change_time", window)
    return _max_number_reach(joined.select("customer_id", "as_of", number=joined.new_value).distinct())


def _network() -> list[Feature]:
    return [
        NetworkFeature("caller_number_reach_90d", B, ("calls", "customers"), 90, _caller_reach,
                       "Of the non-registered numbers that called about the customer in the last 90 days, the most "
                       "other customers one of them called about in the same window.",
                       "近90天来电号码同时为多名其他客户致电（疑似代办号码）"),
        NetworkFeature("shared_new_contact_180d", B, ("contact_changes",), 180, _shared_contact,
                       "Of the phone numbers the customer changed a contact to in the last 180 days, the most other "
                       "customers who changed a contact to the same number in the same window.",
                       "近180天新留联系号码与其他客户共用"),
    ]


def _event_type_count(name: str, dim: Dimension, event_types: tuple[str, ...], window: int, what: str,
                      reason: str) -> WindowFeature:
    return WindowFeature(
        name=name, dimension=dim, source="product_events", window_days=window,
        aggregate=lambda t: _count_if(t.event_type.isin(event_types)),
        definition=f"Number of product events of type {', '.join(event_types)} in the last {window} days ({what}).",
        reason_zh=reason,
    )


def _static() -> list[Feature]:
    return [
        StaticFeature("age", A, lambda t: ((t.as_of - t.birth_date).cast("int64") / 365.25).floor().cast("int64"),
                      "Age in whole years at the scoring date.", "客户年龄段投诉倾向较高"),
        StaticFeature("tenure_months", A,
                      lambda t: ((t.as_of - t.onboard_date).cast("int64") / 30.44).floor().cast("int64"),
                      "Months since the customer relationship started.", "客户关系建立时间较短"),
        StaticFeature("annual_income", A, lambda t: t.annual_income.fill_null(-1.0),
                      "Declared annual income (CNY); -1 when unknown.", "客户收入水平与负债不匹配"),
        StaticFeature("segment", A, lambda t: t.segment, "Customer segment.", "客群投诉倾向较高",
                      categorical=True),
        StaticFeature("occupation", A, lambda t: t.occupation.fill_null("unknown"), "Occupation category.",
                      "职业类别投诉倾向较高", categorical=True),
    ]


def _behaviour() -> list[Feature]:
    feats: list[Feature] = []
    for w in (30, 90):
        feats += [
            WindowFeature(f"max_dpd_{w}d", B, "delinquency", w, lambda t: t.days_past_due.max(),
                          f"Highest days past due in delinquency snapshots of the last {w} days.",
                          f"近{w}天最高逾期天数较高"),
            WindowFeature(f"spend_{w}d", B, "statements", w, lambda t: t.spend_amount.sum(),
                          f"Purchases on statements dated in the last {w} days (CNY).", f"近{w}天消费金额变化"),
            WindowFeature(f"repaid_{w}d", B, "repayments", w, lambda t: t.amount.sum(),
                          f"Amount repaid in the last {w} days (CNY).", f"近{w}天还款金额偏低"),
            WindowFeature(f"contact_changes_{w}d", B, "contact_changes", w, lambda t: t.count(),
                          f"Contact-information changes in the last {w} days.", f"近{w}天频繁变更联系方式"),
        ]
    for w in (7, 30, 90):
        feats += [
            WindowFeature(f"inbound_calls_{w}d", B, "inbound_calls", w, lambda t: t.count(),
                          f"Inbound calls about the customer in the last {w} days.", f"近{w}天来电次数增多"),
            WindowFeature(f"unverified_calls_{w}d", B, "inbound_calls", w,
                          lambda t: _count_if(~t.identity_verified),
                          f"Inbound calls about the customer that failed identity verification, last {w} days.",
                          f"近{w}天来电身份核验未通过"),
            WindowFeature(f"non_registered_number_calls_{w}d", B, "inbound_calls", w,
                          lambda t: _count_if(~t.from_registered),
                          f"Inbound calls about the customer from a number other than the registered one, last {w} "
                          "days.", f"近{w}天多次由非预留号码来电"),
        ]
    feats += [
        WindowFeature("third_party_calls_30d", B, "inbound_calls", 30,
                      lambda t: _count_if(~t.caller_relation.isin(("self", "unknown"))),
                      "Inbound calls in the last 30 days where the caller declared a third-party relation.",
                      "近30天第三方代为来电"),
        WindowFeature("distinct_caller_numbers_90d", B, "inbound_calls", 90, lambda t: t.caller_number.nunique(),
                      "Distinct numbers that called about the customer in the last 90 days.",
                      "近90天来电号码多且分散"),
        WindowFeature("complaint_line_calls_30d", B, "inbound_calls", 30, lambda t: _count_if(t.queue == "complaint"),
                      "Calls to the complaint queue in the last 30 days.", "近30天拨打投诉专线"),
        WindowFeature("prior_complaints_180d", B, "complaints", 180, lambda t: t.count(),
                      "Complaints received in the last 180 days.", "近180天有投诉记录"),
        WindowFeature("prior_regulator_complaints_180d", B, "complaints", 180,
                      lambda t: _count_if(t.channel == "regulator"),
                      "Regulator-referred complaints in the last 180 days.", "近180天有监管转办投诉"),
        WindowFeature("unverified_contact_changes_90d", B, "contact_changes", 90, lambda t: _count_if(~t.verified),
                      "Contact changes without identity verification in the last 90 days.",
                      "近90天联系方式变更未经核验"),
        WindowFeature("mobile_changes_90d", B, "contact_changes", 90, lambda t: _count_if(t.field == "mobile"),
                      "Mobile-number changes in the last 90 days.", "近90天更换手机号码"),
        DerivedFeature("repayment_ratio_90d", B, ("repaid_90d", "statement_balance_90d"),
                       lambda repaid, balance: (repaid / balance.clip(lower=1.0)).clip(upper=5.0),
                       "Repaid in 90 days divided by statement balances in 90 days (capped at 5).",
                       "近90天还款比例下降", 90),
        WindowFeature("statement_balance_90d", B, "statements", 90, lambda t: t.statement_balance.clip(lower=0).sum(),
                      "Sum of statement balances in the last 90 days (CNY).", "近90天账单金额较高"),
    ]
    return feats


def _products() -> list[Feature]:
    feats: list[Feature] = []
    for w in (30, 90):
        feats += [
            WindowFeature(f"fees_charged_{w}d", P, "statements", w, lambda t: t.fees_charged.sum(),
                          f"Fees on statements of the last {w} days (CNY).", f"近{w}天收取费用较多"),
            WindowFeature(f"interest_charged_{w}d", P, "statements", w, lambda t: t.interest_charged.sum(),
                          f"Interest on statements of the last {w} days (CNY).", f"近{w}天利息支出较高"),
        ]
    feats += [
        _event_type_count("late_fee_events_90d", P, ("late_fee", "overlimit_fee"), 90, "late and over-limit fees",
                          "近90天产生违约金或超限费"),
        _event_type_count("annual_fee_events_180d", P, ("annual_fee",), 180, "annual fees", "近期收取年费"),
        _event_type_count("fee_waivers_180d", P, ("fee_waiver", "interest_waiver"), 180, "fee and interest waivers",
                          "近180天曾申请费息减免"),
        _event_type_count("instalment_plans_180d", P, ("instalment_plan", "negotiated_repayment_plan"), 180,
                          "instalment and negotiated repayment plans", "近180天办理分期或协商还款"),
        _event_type_count("disputes_90d", P, ("transaction_dispute",), 90, "transaction disputes",
                          "近90天有交易争议"),
        _event_type_count("service_failures_90d", P, ("service_failure",), 90, "service failures",
                          "近90天遭遇服务故障"),
        _event_type_count("disputes_30d", P, ("transaction_dispute",), 30, "transaction disputes",
                          "近30天有交易争议"),
        _event_type_count("service_failures_30d", P, ("service_failure",), 30, "service failures",
                          "近30天遭遇服务故障"),
    ]
    return feats


def _business_actions() -> list[Feature]:
    feats: list[Feature] = []
    for w in (7, 30, 90):
        feats += [
            WindowFeature(f"collection_actions_{w}d", ACT, "collection_actions", w, lambda t: t.count(),
                          f"Collection actions of any kind in the last {w} days.", f"近{w}天催收动作频繁"),
            WindowFeature(f"collection_calls_{w}d", ACT, "collection_actions", w,
                          lambda t: _count_if(t.action_type.isin(("call", "outsourced_call"))),
                          f"Collection calls (internal and outsourced) in the last {w} days.",
                          f"近{w}天催收外呼次数较多"),
        ]
    feats += [
        WindowFeature("outsourced_actions_90d", ACT, "collection_actions", 90, lambda t: _count_if(t.agency != "internal"),
                      "Collection actions by outsourced agencies in the last 90 days.", "近90天委外催收"),
        WindowFeature("visits_legal_90d", ACT, "collection_actions", 90,
                      lambda t: _count_if(t.action_type.isin(("visit", "legal_notice"))),
                      "Home visits and legal notices in the last 90 days.", "近90天上门催收或发送律师函"),
        WindowFeature("third_party_reached_30d", ACT, "collection_actions", 30,
                      lambda t: _count_if(t.result == "third_party_answered"),
                      "Collection contacts answered by a third party in the last 30 days.", "近30天催收联系到第三方"),
        _event_type_count("limit_decreases_90d", ACT, ("limit_decrease",), 90, "limit decreases",
                          "近90天被降低额度"),
        _event_type_count("card_blocks_90d", ACT, ("card_block",), 90, "card blocks", "近90天卡片被止付"),
        DerivedFeature("collection_call_surge", ACT, ("collection_calls_30d", "collection_calls_90d"),
                       lambda c30, c90: c30 / ((c90 - c30) / 2.0 + 1.0),
                       "Collection calls in the last 30 days relative to the monthly average of the 60 days before.",
                       "近30天催收外呼次数激增", 30),
        DerivedFeature("inbound_call_surge", B, ("inbound_calls_7d", "inbound_calls_30d"),
                       lambda c7, c30: c7 / ((c30 - c7) / 3.3 + 1.0),
                       "Inbound calls in the last 7 days relative to the weekly average of the 23 days before.",
                       "近7天来电次数激增", 7),
    ]
    return feats


def default_catalogue() -> list[Feature]:
    """Every feature, in a stable order (the model's column order)."""
    catalogue = [*_static(), *_behaviour(), *_network(), *_products(), *_business_actions()]
    names = [f.name for f in catalogue]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate feature names: {sorted(duplicates)}")
    return catalogue


__all__ = ["SOURCES", "default_catalogue"]
