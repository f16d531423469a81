"""``simulate``: build a whole world, block by block, into a directory that appears atomically.

Randomness is split up front with ``SeedSequence``: one stream for world-wide actors, one for social media,
one for text, one per customer block. Blocks are generated in order and streamed to part files, so memory is
bounded by the block size and the same seed and parameters give byte-identical files.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from grayshield import __version__
from grayshield.core.errors import ValidationError
from grayshield.lake.world import MANIFEST
from grayshield.sim.actors import Gang, Staff, build_gangs, build_staff
from grayshield.sim.calls import run_calls
from grayshield.sim.complaints import run_complaints
from grayshield.sim.content import ContentGenerator, ContentProfile
from grayshield.sim.context import BlockContext
from grayshield.sim.ledger import run_ledger
from grayshield.sim.params import WorldParams
from grayshield.sim.population import build_population, customer_columns
from grayshield.sim.recruitment import Roles, assign_roles, emit_contact_changes
from grayshield.sim.report import write_report
from grayshield.sim.sink import WorldSink
from grayshield.sim.social import build_social
from grayshield.sim.staffops import emit_logins, run_staff_operations
from grayshield.sim.util import Calendar, IdMint, where_set
from grayshield.sim.voice import VoiceSpace

GENERATOR = "grayshield-sim"
Progress = Callable[[int, int], None]


def simulate(
    params: WorldParams, out_dir: Path, *, force: bool = False, progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the world ``params`` describes to ``out_dir``; returns the manifest.

    The world is built in a hidden sibling folder and renamed into place at the end, so ``out_dir`` is
    either the complete world or untouched. A non-empty ``out_dir`` is refused unless ``force``.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir, force)
    staging = out_dir.parent / f".{out_dir.name}.partial"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        manifest = _build(params, staging, progress)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out_dir.exists():
        shutil.rmtree(out_dir) if out_dir.is_dir() else out_dir.unlink()
    staging.rename(out_dir)
    return manifest


def check_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse to overwrite a non-empty folder unless asked to (callers check before long work starts)."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())) and not force:
        raise ValidationError(f"{out_dir} exists and is not empty; choose another folder or use --force")


def content_profile(params: WorldParams) -> ContentProfile:
    """The text knobs of ``params`` in the content generator's terms."""
    return ContentProfile(params.profile, evasion_rate=params.evasion_rate, template_variety=params.template_variety,
                          noise_rate=params.text_noise, hard_negative_rate=params.hard_negative_rate)


def _build(params: WorldParams, root: Path, progress: Progress | None) -> dict[str, Any]:
    seeds = np.random.SeedSequence(params.seed)
    world_seq, social_seq, text_seq, blocks_seq, staff_seq = seeds.spawn(5)
    world_rng = np.random.default_rng(world_seq)
    gen = ContentGenerator(np.random.default_rng(text_seq), content_profile(params))
    cal = Calendar.build(params.start_year_month, params.months)
    first_day = np.datetime64(cal.starts[0])
    voices = VoiceSpace(params.voice_dim, params.voice_noise)
    staff = build_staff(params, world_rng, gen, first_day, voices)
    gangs = build_gangs(params, world_rng, gen, first_day, voices, staff)
    sink = WorldSink(root)
    recruited = np.zeros(len(gangs), dtype=np.int64)
    n_blocks = -(-params.customers // params.chunk_customers)
    for block, block_seq in enumerate(blocks_seq.spawn(n_blocks)):
        offset = block * params.chunk_customers
        size = min(params.chunk_customers, params.customers - offset)
        ctx = BlockContext(params, np.random.default_rng(block_seq), gen, cal, sink, IdMint(block), gangs, staff,
                           voices)
        recruited += _run_block(ctx, offset, size)
        sink.flush()
        if progress:
            progress(offset + size, params.customers)
    build_social(params, np.random.default_rng(social_seq), gen, cal, gangs, sink)
    emit_logins(np.random.default_rng(staff_seq), staff, cal, sink, IdMint(n_blocks))
    _emit_world_tables(sink, staff, gangs, recruited)
    rows = sink.finish()
    manifest = {
        "generator": GENERATOR, "version": __version__, "seed": params.seed, "profile": params.profile,
        "customers": params.customers, "months": params.months, "start": params.start,
        "params": params.model_dump(mode="json"), "row_counts": rows,
    }
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_report(root, manifest, gen.distinct_template_counts())
    return manifest


def _run_block(ctx: BlockContext, offset: int, size: int) -> np.ndarray[Any, Any]:
    """One block of customers end to end; returns how many customers each gang recruited in it."""
    params, rng, cal, sink = ctx.params, ctx.rng, ctx.cal, ctx.sink
    window_days = int((cal.end - cal.starts[0]).astype(np.int64))
    pop = build_population(rng, ctx.gen, offset, size, np.datetime64(cal.starts[0]), window_days)
    ctx.block_voices = (ctx.voices.fresh(size, rng), ctx.voices.fresh(size, rng))
    sink.emit("customers", customer_columns(pop, ctx.gen, rng))
    staff = ctx.staff
    ledger = run_ledger(params, rng, pop, cal, sink, ctx.mint)
    sink.emit("accounts", {
        "account_id": pop.acc_id, "customer_id": pop.cust_id.take(pop.acc_cust), "card_number": pop.card_number,
        "product_code": pop.product, "card_level": pop.level, "credit_limit": ledger.final_limit,
        "application_date": pop.application, "open_date": pop.open_day, "activation_date": pop.activation,
        "acquisition_channel": pop.channel, "status": ledger.status, "close_date": ledger.close_date,
    })
    roles = assign_roles(params, rng, pop, ledger.exposure, cal, ctx.gangs)
    contact = emit_contact_changes(rng, pop, roles, cal, ctx.gangs, staff, ctx.gen, sink, ctx.mint)
    calls = run_calls(ctx, pop, roles, ledger)
    complaints = run_complaints(ctx, pop, roles, ledger.exposure)
    run_staff_operations(ctx, pop, calls, contact, complaints, size / params.customers)
    complained = np.zeros(size, dtype=bool)
    complained[complaints.cust[~complaints.is_proxy]] = True
    _emit_customer_truth(ctx, pop.cust_id, roles, complained)
    _emit_block_numbers(ctx, pop, roles)
    return np.bincount(roles.gang[roles.recruited], minlength=len(ctx.gangs))


def _emit_customer_truth(ctx: BlockContext, cust_id: pa.Array, roles: Roles, complained: np.ndarray[Any, Any]
                         ) -> None:
    recruited = roles.recruited
    role = np.select(
        [recruited, roles.self_negotiator >= 0, roles.elderly_helper, complained],
        ["recruited", "self_negotiator", "elderly_with_helper", "genuine_complainant"], "ordinary")
    gang_ids = np.array([g.gang_id for g in ctx.gangs] + [None], dtype=object)
    ctx.sink.emit("customers", {
        "customer_id": cust_id, "gang_id": pa.array(gang_ids[roles.gang], pa.string()), "recruited": recruited,
        "recruited_time": roles.recruited_time,
        "aware_of_complaints": pa.array(where_set(recruited, roles.aware), pa.bool_()), "role": role,
    }, truth=True)


def _emit_block_numbers(ctx: BlockContext, pop: Any, roles: Roles) -> None:
    """Truth for the block's own numbers: every customer's, the new ones, and relatives who appear."""
    moved = ~np.isnat(roles.mobile_change_time)
    relatives = roles.elderly_helper | ~np.isnat(roles.hijack_time)
    numbers = pa.concat_arrays([pop.own_phone, pop.spare_phone.filter(pa.array(moved)),
                                pop.relative_phone.filter(pa.array(relatives))])
    kinds = np.concatenate([np.full(pop.n + moved.sum(), "customer_own"), np.full(relatives.sum(),
                                                                                   "genuine_relative")])
    ctx.sink.emit("numbers", {"number": numbers, "is_blackgray": np.zeros(len(kinds), bool), "kind": kinds},
                  truth=True)


def _emit_world_tables(sink: WorldSink, staff: Staff, gangs: list[Gang], recruited: np.ndarray[Any, Any]) -> None:
    sink.emit("staff", {"staff_id": staff.staff_id, "team": staff.team, "role": staff.role, "site": staff.site,
                        "shift": staff.shift, "hire_date": staff.hire_date})
    sink.emit("gangs", {
        "gang_id": [g.gang_id for g in gangs], "kind": [g.kind for g in gangs],
        "home_province": [g.home_province for g in gangs], "start_date": np.array([g.start_day for g in gangs]),
        "recruited_customers": recruited,
    }, truth=True)
    used = [(g.gang_id, n, k) for g in gangs for n, k in zip(g.numbers, g.number_kinds, strict=True) if n in g.used]
    sink.emit("numbers", {
        "number": [n for _, n, _ in used], "is_blackgray": np.ones(len(used), bool),
        "gang_id": [g for g, _, _ in used], "kind": [k for _, _, k in used],
    }, truth=True)
