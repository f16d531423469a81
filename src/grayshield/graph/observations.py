"""Observations for the entity graph, one Ibis expression per source table, on the world's own engine.

Each source says which pairs of nodes one row of its table ties together (``src``, ``dst``, ``relation``, one
observation at a time); :func:`grayshield.graph.build.finish` then aggregates them into edges on the same
engine, so a world read by Spark is joined and aggregated by Spark. Three steps need Python and run on small,
distinct inputs only, their results joined back in as in-memory tables (no UDFs, so every engine runs them):

* phone numbers: each *distinct* raw number is parsed once by :func:`grayshield.lake.phone.normalise_phone`;
* complaint templates: MinHash-LSH over complaint texts (:func:`grayshield.graph.templates.template_clusters`);
* contacts advertised in social posts: the text engine's contact extraction, post by post.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import TYPE_CHECKING

import pandas as pd

from grayshield.graph.build import PHONE_FIELDS, GraphConfig, node, observation_columns
from grayshield.lake.phone import normalise_phone

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from grayshield.lake import World

ADDRESS_NOISE = r"[^\p{L}\p{N}]"
"""What an address key drops: everything but letters and digits (RE2 and Java regex read it alike)."""


def world_observations(world: World, config: GraphConfig) -> ir.Table | None:
    """Every source's observations as one table (``None`` when the world has none of the source tables)."""
    present = [source for source, tables in SOURCES.items() if all(world.has_table(t) for t in tables)]
    if not present:
        return None
    phones = phone_map(world)
    parts = [observation_columns(source(world, config, phones)) for source in present]
    return reduce(lambda a, b: a.union(b, distinct=False), parts)


# ------------------------------------------------------------------------------------------- helpers
def _node(kind: str, key: ir.StringValue) -> ir.StringValue:
    """``kind:key``; a null key gives a null node, which :func:`finish` drops."""
    import ibis

    return ibis.literal(f"{kind}:") + key.cast("string")


def _observe(table: ir.Table, src: ir.Value, dst: ir.Value, relation: str | ir.Value,
             time: ir.Value) -> ir.Table:
    import ibis

    return table.select(src=src, dst=dst, relation=ibis.literal(relation) if isinstance(relation, str) else relation,
                        n=ibis.literal(1, "int64"), first_time=time.cast("timestamp"),
                        last_time=time.cast("timestamp"))


def _union(*parts: ir.Table) -> ir.Table:
    return reduce(lambda a, b: a.union(b, distinct=False), parts)


def _phone_inputs(world: World) -> list[ir.StringColumn]:
    """Every column that holds a phone number a source turns into a ``number:`` node."""
    columns: list[ir.StringColumn] = []
    if world.has_table("calls"):
        calls = world.table("calls")
        columns += [calls.caller_number, calls.customer_number]
    if world.has_table("customers"):
        columns.append(world.table("customers").registered_phone)
    if world.has_table("contact_changes"):
        changes = world.table("contact_changes")
        columns.append(changes.filter(changes.field.isin(PHONE_FIELDS)).new_value)
    if world.has_table("complaints"):
        columns.append(world.table("complaints").contact_phone)
    return columns


def phone_map(world: World) -> ir.Table:
    """Raw number -> canonical number, for mobiles and landlines only: service numbers (95xxx) are shared by
    everyone and link nobody. Each distinct raw spelling is parsed once (a habitual number calls hundreds of
    times)."""
    import ibis

    columns = [column.name("raw").as_table() for column in _phone_inputs(world)]
    raw: list[str] = []
    if columns:
        distinct = reduce(lambda a, b: a.union(b, distinct=True), columns).distinct()
        raw = [v for v in distinct.to_pyarrow()["raw"].to_pylist() if isinstance(v, str)]
    canonical = {value: normalise_phone(value) for value in raw}
    pairs = sorted((value, number) for value, number in canonical.items() if number and number.startswith("+"))
    frame = pd.DataFrame(pairs, columns=["raw", "canonical"]).astype(object)
    return ibis.memtable(frame, schema={"raw": "string", "canonical": "string"})


def _with_number(table: ir.Table, column: str, phones: ir.Table) -> ir.Table:
    """``table`` plus ``number``: the ``number:`` node of ``column`` (null when it is no usable number)."""
    lookup = phones.view()
    joined = table.left_join(lookup, table[column] == lookup.raw)
    return joined.select(*table.columns, number=_node("number", joined.canonical))


def _address(value: ir.StringValue) -> ir.StringValue:
    """Addresses compared without spaces and punctuation, so 'X路 1号' and 'X路1号' are one address."""
    return _node("address", value.re_replace(ADDRESS_NOISE, "").nullif(""))


# ------------------------------------------------------------------------------------------- sources
def calls(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    table = world.table("calls")
    inbound = (table.direction == "inbound").fill_null(False)
    incoming = _with_number(table.filter(inbound), "caller_number", phones)
    outgoing = _with_number(table.filter(~inbound), "customer_number", phones)
    return _union(
        _observe(incoming, incoming.number, _node("customer", incoming.claimed_customer_id), "calls_for",
                 incoming.start_time),
        _observe(outgoing, outgoing.number, _node("customer", outgoing.claimed_customer_id), "answered_for",
                 outgoing.start_time))


def customers(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    table = _with_number(world.table("customers"), "registered_phone", phones)
    customer = _node("customer", table.customer_id)
    return _union(_observe(table, customer, table.number, "registered", table.onboard_date),
                  _observe(table, customer, _address(table.address), "lives_at", table.onboard_date))


def contact_changes(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    import ibis

    table = world.table("contact_changes")
    unverified = ~table.verified.fill_null(False)
    table = table.mutate(unverified=unverified)
    phone = _with_number(table.filter(table.field.isin(PHONE_FIELDS)), "new_value", phones)
    address = table.filter(table.field == "address")
    staffed = table.filter(table.unverified & table.staff_id.notnull())
    return _union(
        _observe(phone, _node("customer", phone.customer_id), phone.number,
                 ibis.ifelse(phone.unverified, "unverified_change_to", "changed_contact_to"), phone.change_time),
        _observe(address, _node("customer", address.customer_id), _address(address.new_value), "lives_at",
                 address.change_time),
        _observe(staffed, _node("staff", staffed.staff_id), _node("customer", staffed.customer_id),
                 "processed_unverified", staffed.change_time))


def complaints(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    table = _with_number(world.table("complaints"), "contact_phone", phones)
    complaint = _node("complaint", table.complaint_id)
    templates = _templates(world.table("complaints"), config).view()
    templated = table.join(templates, table.complaint_id == templates.complaint_id)
    parts = [
        _observe(table, complaint, _node("customer", table.customer_id), "filed_for", table.received_time),
        _observe(table, complaint, table.number, "callback", table.received_time),
        _observe(templated, _node("complaint", templated.complaint_id), _node("template", templated.template),
                 "uses_template", templated.received_time),
    ]
    if world.has_table("complaint_materials"):
        parts.append(_materials(world, world.table("complaints")))
    return _union(*parts)


def _templates(complaints_table: ir.Table, config: GraphConfig) -> ir.Table:
    """Complaint id -> template id for complaints sharing a template with another (clustered in Python, in
    complaint-id order so the ids are the same whichever engine read the texts)."""
    import ibis

    from grayshield.graph.templates import template_clusters

    frame = complaints_table.select("complaint_id", "text").order_by("complaint_id").to_pandas()
    clusters = template_clusters(frame["text"].fillna("").reset_index(drop=True), config.template_threshold)
    found = pd.DataFrame({"complaint_id": frame["complaint_id"].to_numpy(dtype=object),
                          "template": clusters.to_numpy(dtype=object)}).dropna()
    return ibis.memtable(found, schema={"complaint_id": "string", "template": "string"})


def _materials(world: World, complaints_table: ir.Table) -> ir.Table:
    materials = world.table("complaint_materials")
    times = complaints_table.select("complaint_id", "received_time").view()
    joined = materials.left_join(times, materials.complaint_id == times.complaint_id)
    parts = []
    for column in ("sha256", "perceptual_hash", "author"):
        rows = joined.filter(joined[column].notnull())
        parts.append(_observe(rows, _node("complaint", rows.complaint_id),
                              _node("material", f"{column}:" + rows[column].cast("string")), "attaches",
                              rows.received_time))
    return _union(*parts)


def social(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    """Accounts to the contacts their posts advertise (extracted from the text, evasion spellings included).

    A post crawled several times counts once, read at its first crawl; extraction is Python (the text
    engine), on one row per post, and its result is joined back as a table.
    """
    import ibis

    from grayshield.text import extract_contacts

    table = world.table("social_posts")
    first = ibis.row_number().over(group_by=[table.platform, table.post_id],
                                   order_by=[table.crawled_time, table.text])
    posts = (table.mutate(crawl=first).filter(lambda t: t.crawl == 0)
             .select("platform", "account_id", "text", "posted_time").to_pandas())
    rows: list[tuple[str, str, object]] = []
    for platform, account, text, when in zip(posts["platform"], posts["account_id"], posts["text"],
                                             posts["posted_time"], strict=True):
        for contact in extract_contacts(text or ""):
            target = _contact_node(contact.kind, contact.value)
            if target is not None:
                rows.append((node("account", f"{platform}/{account}"), target, when))
    found = pd.DataFrame(rows, columns=["src", "dst", "time"]).astype({"src": object, "dst": object})
    found["time"] = pd.to_datetime(found["time"])
    advertised = ibis.memtable(found, schema={"src": "string", "dst": "string", "time": "timestamp"})
    return _observe(advertised, advertised.src, advertised.dst, "advertises", advertised.time)


def staff_operations(world: World, config: GraphConfig, phones: ir.Table) -> ir.Table:
    table = world.table("staff_operations")
    remote = table.filter(table.location == "remote")
    return _observe(remote, _node("staff", remote.staff_id), _node("ip", remote.terminal_ip), "logged_in_from",
                    remote.op_time)


def _contact_node(kind: str, value: str) -> str | None:
    if kind == "phone":
        number = normalise_phone(value)
        return node("number", number) if number and number.startswith("+") else None
    if kind in ("wechat", "qq"):
        return node("handle", f"{kind}:{value}")
    return node("handle", f"link:{value.lower()}")


Source = Callable[["World", GraphConfig, "ir.Table"], "ir.Table"]
SOURCES: dict[Source, tuple[str, ...]] = {
    calls: ("calls",), customers: ("customers",), contact_changes: ("contact_changes",),
    complaints: ("complaints",), social: ("social_posts",), staff_operations: ("staff_operations",),
}
"""Each source and the tables it needs (a world without them simply lacks that kind of evidence)."""
