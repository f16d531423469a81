"""Console page speed: render every page N times against a demo-sized store; median and p95 server-side ms.

Target (issue 9): every page under 300 ms server-side on the demo world. Server-side time is the app's own
``Server-Timing`` header (request in, response out, inside the process), read through an in-process client.

    python bench/console.py                     # synthetic demo-sized store (3,000 customers, 6 months)
    python bench/console.py --home var/demo     # the store and lake `make demo` built
    python bench/console.py --repeat 5          # quick look
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import record  # noqa: E402

TARGET_MS = 300.0
BANDS = {"A": 0.30, "B": 0.15, "C": 0.05}
ACTIONS = ("identity_reverification", "consumer_education", "senior_agent_callback", "fee_interest_review",
           "expedite_open_complaint", "monitor")
SEGMENTS = ("mass", "affluent", "vip", "private", "young", "senior")
REASONS = [{"feature": f"f{i}", "reason": f"原因{i}：近90天相关行为偏高", "contribution": 0.1 * i, "value": i}
           for i in range(1, 6)]


def month_ends(months: int) -> list[date]:
    return [date(2025 + m // 12, m % 12 + 1, 1) - timedelta(days=1) for m in range(1, months + 1)]


def synthetic_store(home: Path, customers: int, months: int, alert_share: float, audit_entries: int,
                    tags: int) -> None:
    """A store shaped like the demo's: one scoring day per month, a share of customers warned each day."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from grayshield.contract import TABLES
    from grayshield.contract.arrow import arrow_schema
    from grayshield.core.settings import Settings
    from grayshield.services.users import ensure_demo_user
    from grayshield.store import Database, upgrade
    from grayshield.store.audit import record as audit
    from grayshield.store.models import Alert, ScoreRun
    from grayshield.tags import TagProposal, TagService

    rng = random.Random(7)
    settings = Settings(home=home, environment="test")
    db = Database(settings.db_url)
    upgrade(db)
    ensure_demo_user(db)
    ids = [f"C{i:07d}" for i in range(customers)]
    with db.session() as session:
        for as_of in month_ends(months):
            warned = rng.sample(ids, int(customers * alert_share))
            for cid in warned:
                score = rng.uniform(0.05, 0.9)
                band = next(b for b, t in BANDS.items() if score >= t)
                session.add(Alert(kind="complaint", subject_type="customer", subject_id=cid, as_of=as_of,
                                  score=score, band=band, proxy_score=rng.random(),
                                  proxy_level=rng.choice(("high", "medium", "low")), reasons=REASONS,
                                  segment=rng.choice(SEGMENTS), action=rng.choice(ACTIONS), rule="r",
                                  strategy_version="2024.1", model_name="complaints", model_version="v0001"))
            session.add(ScoreRun(kind="complaint", as_of=as_of, model_name="complaints", model_version="v0001",
                                 strategy_version="2024.1", rows_scored=customers, alerts=len(warned),
                                 score_summary={"score_mean": 0.05, "drift": {"score_psi": rng.random() / 5,
                                                                             "level": "ok", "top_feature_psi": []}},
                                 finished_at=datetime.now(UTC)))
        service = TagService(session, "bench-model")
        for i in range(tags):
            service.propose(TagProposal("blackgray_number", "number", f"1380000{i:04d}", "model", rng.random()))
        for i in range(audit_entries):
            audit(session, actor="demo", action="pii.reveal", subject_type="customer", subject_id=ids[i % customers],
                  reason="基准测试", detail={"field": "name"})
    rows = [{"customer_id": cid, "name": "张三", "id_number": "110101199003071234", "gender": "F",
             "birth_date": date(1980, 1, 1), "province": "广东省", "city": "深圳市", "address": "深圳市南山区某路1号",
             "registered_phone": "+8613800000000", "occupation": "employee", "annual_income": 1e5,
             "education": "bachelor", "onboard_date": date(2019, 1, 1), "segment": rng.choice(SEGMENTS)}
            for cid in ids]
    (settings.lake_dir / "customers").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(TABLES["customers"])),
                   settings.lake_dir / "customers" / "part-0.parquet")
    db.dispose()


def synthetic_compliance(home: Path, findings: int) -> None:
    """QA findings over 200 agents, 20 teams and 6 months, and one staff alert per 10 findings, saved through the
    compliance service the CLI uses (``grayshield compliance qa|process --save``)."""
    from grayshield.core.settings import Settings
    from grayshield.services.compliance import ComplianceReview
    from grayshield.store import Database

    types = ("threat", "abusive_language", "third_party_disclosure", "unauthorised_promise", "recording_notice")
    rows = [{"source": "qa", "finding_type": types[i % 5], "subject_type": "call", "subject_id": f"CL{i // 2:012d}",
             "ref": "" if i % 5 == 4 else str(i % 9), "staff_id": f"S{i % 200:05d}", "team": f"T{i % 20:02d}",
             "month": f"2024-{1 + i % 6:02d}", "title_zh": "质检发现", "severity": 5 + i % 30, "probability": 0.9,
             "reasons": ["rule:F05「他欠款」"], "evidence": {"kind": "breach", "text": "他欠款三万，手机号139****5678"},
             "made_by": "bench"} for i in range(findings)]
    rows += [{"source": "staff", "finding_type": "gang_collusion", "subject_type": "staff",
              "subject_id": f"S{i % 200:05d}", "ref": f"2024-03-{1 + i // 200:02d}", "staff_id": f"S{i % 200:05d}",
              "title_zh": "反复接待同一团伙来电", "severity": 10, "probability": 1.0,
              "reasons": ["坐席接待号码群 G7 的来电 14 次，按队列随机分配期望 2.7 次"],
              "evidence": {"expected": "代理来电应随机分配", "op_ids": ["P1"], "first_time": "2024-03-04 10:00:00",
                           "last_time": "2024-03-04 16:00:00"}, "made_by": "bench"} for i in range(findings // 10)]
    db = Database(Settings(home=home, environment="test").db_url)
    with db.session() as session:
        ComplianceReview(session, "bench").save(rows)
    db.dispose()


def synthetic_social(home: Path, watched: int, items: int, batches: int) -> None:
    """Watch list with alerts, filed report batches with platform answers, and 14 days of screened-call counts,
    written through the same services the console and CLI use."""
    from grayshield.core.settings import Settings
    from grayshield.services.screening_stats import RISK_LEVELS, add_counts, hour_of
    from grayshield.services.social_monitoring import Reports, WatchList
    from grayshield.social.effectiveness import OUTCOMES, Outcome
    from grayshield.store import Database

    rng = random.Random(11)
    platforms, reasons = ("douyin", "kuaishou", "weibo", "xhs"), ("illegal_finance", "fraud", "harassment")
    db = Database(Settings(home=home, environment="test").db_url)
    start = datetime.now(UTC) - timedelta(days=29)
    with db.session() as session:
        accounts = [{"platform": rng.choice(platforms), "account_id": f"acct_{i}", "nickname": f"上岸老师{i}",
                     "priority": rng.uniform(10, 99), "followers": rng.randrange(100, 50_000),
                     "contacts": [f"phone:1390000{i:04d}", f"wechat:shangan_{i}"]} for i in range(watched)]
        watch = WatchList(session, "bench-scan")
        watch.add(accounts, "扫描高优先级", now=start)
        import pandas as pd

        watch.refresh(pd.DataFrame([{**a, "followers": a["followers"] * 3 + 2_000, "p_blackgray": 0.9}
                                    for a in accounts[: watched // 5]]), now=start + timedelta(days=1))
        per_batch = max(1, items // batches)
        answers: list[Outcome] = []
        for b in range(batches):
            filed_at = start + timedelta(days=b * 28 / max(1, batches))
            batch = [{"item_id": f"{p}:{b}-{j}", "platform": p, "account_id": f"acct_{j % max(1, watched)}",
                      "post_id": f"{b}-{j}", "reason": rng.choice(reasons), "region": rng.choice(("广东", "河南", "四川")),
                      "business_type": "credit_card", "url": f"https://example.invalid/{p}/{b}-{j}",
                      "highlighted": "专业【停息挂账】，加V：shangan_88，电话13900001234", "terms": "停息挂账",
                      "contacts": "phone:13900001234、wechat:shangan_88", "priority": rng.uniform(10, 99),
                      "text": "专业停息挂账", "nickname": "上岸老师"}
                     for j in range(per_batch) for p in [platforms[j % len(platforms)]]]
            Reports(session, "bench").file(batch, f"R2026{b:04d}", now=filed_at)
            answers += [Outcome(i["item_id"], rng.choice(OUTCOMES), filed_at + timedelta(hours=rng.uniform(2, 96)), None)
                        for i in batch if rng.random() < 0.6]
        Reports(session, "bench").record_outcomes(answers)
        now = datetime.now(UTC)
        add_counts(session, [((hour_of(now - timedelta(hours=h)), level), rng.randrange(50, 3_000))
                             for h in range(14 * 24) for level in RISK_LEVELS])
    db.dispose()


def server_ms(response: object) -> float:
    header = response.headers["server-timing"]  # type: ignore[attr-defined]
    match = re.search(r"dur=([\d.]+)", header)
    assert match, header
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="An existing GrayShield home (default: a synthetic one)")
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--alert-share", type=float, default=0.25)
    parser.add_argument("--audit-entries", type=int, default=2000)
    parser.add_argument("--tags", type=int, default=1000, help="Model-proposed number tags awaiting review")
    parser.add_argument("--watched", type=int, default=300, help="Accounts on the social watch list")
    parser.add_argument("--social-items", type=int, default=5000, help="Reported social items (with answers)")
    parser.add_argument("--batches", type=int, default=40, help="Report batches they were filed in")
    parser.add_argument("--compliance-findings", type=int, default=5000, help="Stored QA findings (+10%% staff alerts)")
    parser.add_argument("--repeat", type=int, default=30, help="Renders per page")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from grayshield.core.settings import Settings
    from grayshield.services.users import ensure_demo_user
    from grayshield.store import Database
    from grayshield.web import create_app

    tmp = tempfile.TemporaryDirectory(prefix="gs-bench-console-")
    home = args.home
    if home is None:
        home = Path(tmp.name) / "home"
        built = time.perf_counter()
        synthetic_store(home, args.customers, args.months, args.alert_share, args.audit_entries, args.tags)
        synthetic_social(home, args.watched, args.social_items, args.batches)
        synthetic_compliance(home, args.compliance_findings)
        source = (f"synthetic store: {args.customers:,} customers, {args.months} scoring days, "
                  f"{args.alert_share:.0%} warned per day, {args.tags:,} tags awaiting review, "
                  f"{args.audit_entries:,} audit entries, {args.watched:,} watched social accounts, "
                  f"{args.social_items:,} reported items in {args.batches} batches, "
                  f"{args.compliance_findings:,} QA findings, 14 days of screening counts "
                  f"(built in {time.perf_counter() - built:.1f} s)")
    else:
        source = f"store and lake of `{home}`"
    settings = Settings(home=home, environment="test")
    db = Database(settings.db_url)
    username, password = ensure_demo_user(db)
    client = TestClient(create_app(settings, db=db), base_url="https://testserver")
    client.__enter__()  # run the app's start-up (as uvicorn does), which freezes the loaded heap
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post("/login", data={"username": username, "password": password, "csrf_token": token.group(1)})
    first = client.get("/api/v1/alerts", params={"page_size": 1}).json()["items"]
    customer = first[0]["customer_id"] if first else "C0000000"
    batches = re.findall(r'href="(/social/reports/R[^"?]+)', client.get("/social/reports").text)
    batch = batches[0] if batches else "/social/reports/none"
    pages = {"总览 /": "/", "投诉预警 /alerts": "/alerts", "预警筛选 /alerts?band=A&segment=mass": "/alerts?band=A&segment=mass",
             "预警第 5 页": "/alerts?page=5", "客户 /customers/{id}": f"/customers/{customer}", "模型监控 /models": "/models",
             "标签审核队列 /tags": "/tags", "标签 /tags/1": "/tags/1", "词库 /lexicon": "/lexicon",
             "策略规则 /strategies": "/strategies", "用户管理 /admin/users": "/admin/users", "审计日志 /audit": "/audit",
             "舆情概览 /social": "/social", "关注列表 /social/watchlist": "/social/watchlist",
             "举报批次 /social/reports": "/social/reports", "批次明细 /social/reports/{id}": batch,
             "待再次举报 /social/due": "/social/due", "举报成效 /social/effectiveness": "/social/effectiveness",
             "质检发现 /compliance": "/compliance", "质检筛选 /compliance?staff_id=S00007&state=all":
             "/compliance?staff_id=S00007&state=all", "通话质检 /compliance/calls/{id}": "/compliance/calls/CL000000000003",
             "流程异常预警 /compliance/alerts": "/compliance/alerts", "质检得分 /compliance/scores": "/compliance/scores",

             "API /api/v1/alerts": "/api/v1/alerts", "API /api/v1/overview": "/api/v1/overview"}
    lines = [f"Source: {source}. {args.repeat} renders per page after one warm-up; target < {TARGET_MS:.0f} ms.",
             "", "| page | median ms | p95 ms | verdict |", "| --- | ---: | ---: | --- |"]
    # the audit page loads its hash-chain check afterwards; it re-hashes the whole log, so it is shown apart
    checks = {"审计链校验 /audit/verify（页面加载后异步）": "/audit/verify"}
    worst = 0.0
    for label, path in {**pages, **checks}.items():
        assert client.get(path).status_code == 200, path
        timings = sorted(server_ms(client.get(path)) for _ in range(args.repeat))
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        worst = max(worst, p95) if path in pages.values() else worst
        lines.append(f"| {label} | {statistics.median(timings):.1f} | {p95:.1f} | "
                     f"{'ok' if p95 < TARGET_MS else 'SLOW'} |")
    lines += ["", f"Worst page p95: {worst:.1f} ms ({'meets' if worst < TARGET_MS else 'misses'} the target)."]
    record("console", "Console page speed (issue 9)", lines)
    client.__exit__(None, None, None)
    db.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
