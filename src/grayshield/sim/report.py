"""The world report (``report.md`` and ``report.json``): what was built, how it is calibrated, how hard it is.

Besides row counts and gang statistics it measures a keyword-only baseline (plain substring match on the
clean lexicon terms) over the social posts: on the hard profile evasion spellings and hard negatives must
keep it far from what a real detector needs.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import duckdb

# The clean terms a first keyword screen uses (the seed article names the first three).
KEYWORDS = ("停息挂账", "协商还款", "个性化分期", "债务优化", "逾期铲单", "零元销卡", "费息调减", "反催收",
            "减免息费", "延期还款")


def _parquet(root: Path, key: str) -> str:
    return f"read_parquet('{(root / key).as_posix()}/*.parquet')"


def keyword_baseline(root: Path, keywords: tuple[str, ...] = KEYWORDS) -> dict[str, float | int]:
    """Precision, recall and F1 of 'any clean term occurs' against ``blackgray_ad`` over distinct posts."""
    con = duckdb.connect()
    hit = " OR ".join(f"contains(p.text, '{k}')" for k in keywords)
    tp, fp, fn, tn = con.execute(f"""
        WITH posts AS (SELECT DISTINCT platform, post_id, text FROM {_parquet(root, 'social_posts')})
        SELECT count(*) FILTER (WHERE hit AND positive), count(*) FILTER (WHERE hit AND NOT positive),
               count(*) FILTER (WHERE NOT hit AND positive), count(*) FILTER (WHERE NOT hit AND NOT positive)
        FROM (SELECT ({hit}) AS hit, t.label = 'blackgray_ad' AS positive
              FROM posts p JOIN {_parquet(root, 'truth/social_posts')} t USING (platform, post_id))
    """).fetchone() or (0, 0, 0, 0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"keywords": len(keywords), "posts": tp + fp + fn + tn, "positives": tp + fn, "precision": precision,
            "recall": recall, "f1": f1}


def calibration(root: Path) -> dict[str, Any]:
    """The figures the default profile is calibrated to, as measured in this world."""
    con = duckdb.connect()
    complaints = f"{_parquet(root, 'complaints')} c JOIN {_parquet(root, 'truth/complaints')} t USING (complaint_id)"
    reg_n, reg_negotiation, reg_proxy, n, proxy, forged, proxy_unaware = con.execute(f"""
        SELECT count(*) FILTER (WHERE channel = 'regulator'),
               avg(CASE WHEN demand = 'negotiated_repayment' THEN 1.0 ELSE 0 END) FILTER (WHERE channel = 'regulator'),
               avg(CASE WHEN is_proxy THEN 1.0 ELSE 0 END) FILTER (WHERE channel = 'regulator'),
               count(*), count(*) FILTER (WHERE is_proxy), count(*) FILTER (WHERE forged_material),
               avg(CASE WHEN NOT customer_aware THEN 1.0 ELSE 0 END) FILTER (WHERE is_proxy)
        FROM {complaints}
    """).fetchone() or (0, None, None, 0, 0, 0, None)
    customers, recruited, unaware = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE recruited),
               avg(CASE WHEN NOT aware_of_complaints THEN 1.0 ELSE 0 END) FILTER (WHERE recruited)
        FROM {_parquet(root, 'truth/customers')}
    """).fetchone() or (0, 0, None)
    return {
        "regulator_complaints": reg_n,
        "regulator_negotiated_repayment_share": reg_negotiation,
        "regulator_blackgray_share": reg_proxy,
        "complaints": n, "proxy_complaints": proxy, "complaints_with_forged_material": forged,
        "proxy_complaints_customer_unaware_share": proxy_unaware,
        "customers": customers, "recruited_customers": recruited,
        "recruited_share": recruited / customers if customers else 0.0,
        "recruited_unaware_share": unaware,
        "template_similarity": template_similarity(con, root),
    }


def template_similarity(con: duckdb.DuckDBPyConnection, root: Path, pairs: int = 200) -> float | None:
    """Mean character similarity of complaints made from the same template (a fixed, seeded sample)."""
    rows = con.execute(f"""
        SELECT template_id, list(text ORDER BY complaint_id)[1:6] AS texts
        FROM {_parquet(root, 'complaints')} c JOIN {_parquet(root, 'truth/complaints')} t USING (complaint_id)
        WHERE template_id IS NOT NULL GROUP BY template_id HAVING count(*) > 1 ORDER BY template_id
    """).fetchall()
    ratios = []
    for _, texts in rows:
        for a, b in zip(texts, texts[1:], strict=False):
            ratios.append(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio())
            if len(ratios) >= pairs:
                break
    return sum(ratios) / len(ratios) if ratios else None


def label_rates(root: Path) -> dict[str, Any]:
    con = duckdb.connect()

    def one(sql: str) -> Any:
        row = con.execute(sql).fetchone()
        return row[0] if row else None

    return {
        "proxy_call_share": one(f"SELECT avg(is_proxy::INT) FROM {_parquet(root, 'truth/calls')}"),
        "breach_utterance_share": one(
            f"SELECT avg((breach_type <> 'none')::INT) FROM {_parquet(root, 'truth/utterances')}"),
        "calls_missing_mandatory_share": one(
            f"SELECT avg((missing_mandatory <> '')::INT) FROM {_parquet(root, 'truth/calls')}"),
        "staff_op_anomaly_share": one(
            f"SELECT avg((anomaly <> 'none')::INT) FROM {_parquet(root, 'truth/staff_operations')}"),
        "complaint_case_anomaly_share": one(
            f"SELECT avg((anomaly <> 'none')::INT) FROM {_parquet(root, 'truth/complaint_cases')}"),
        "blackgray_post_share": one(
            f"SELECT avg((label = 'blackgray_ad')::INT) FROM {_parquet(root, 'truth/social_posts')}"),
        "evasion_share_of_ads": one(
            f"SELECT avg(evasion::INT) FROM {_parquet(root, 'truth/social_posts')} WHERE label = 'blackgray_ad'"),
        "roles": dict(con.execute(
            f"SELECT role, count(*) FROM {_parquet(root, 'truth/customers')} GROUP BY role ORDER BY role"
        ).fetchall()),
    }


def gang_stats(root: Path) -> dict[str, Any]:
    con = duckdb.connect()
    return {
        "gangs": dict(con.execute(
            f"SELECT kind, count(*) FROM {_parquet(root, 'truth/gangs')} GROUP BY kind ORDER BY kind").fetchall()),
        "numbers": dict(con.execute(
            f"SELECT kind, count(*) FROM {_parquet(root, 'truth/numbers')} WHERE is_blackgray "
            "GROUP BY kind ORDER BY kind").fetchall()),
        "social_accounts": dict(con.execute(
            f"SELECT kind, count(*) FROM {_parquet(root, 'truth/social_accounts')} GROUP BY kind ORDER BY kind"
        ).fetchall()),
        "recruited_by_gang": dict(con.execute(
            f"SELECT gang_id, recruited_customers FROM {_parquet(root, 'truth/gangs')} ORDER BY gang_id").fetchall()),
    }


def write_report(root: Path, manifest: dict[str, Any], template_counts: dict[str, int]) -> dict[str, Any]:
    report = {
        "world": {k: manifest[k] for k in ("generator", "version", "seed", "profile", "customers", "months", "start")},
        "row_counts": manifest["row_counts"],
        "gangs": gang_stats(root),
        "calibration": calibration(root),
        "label_rates": label_rates(root),
        "distinct_templates": template_counts,
        "keyword_baseline": keyword_baseline(root),
    }
    (root / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=_plain) + "\n",
                                      encoding="utf-8")
    (root / "report.md").write_text(render_markdown(report), encoding="utf-8")
    return report


def _plain(value: Any) -> Any:
    return float(value) if hasattr(value, "__float__") else str(value)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "—" if value is None else str(value)


def render_markdown(report: dict[str, Any]) -> str:
    w = report["world"]
    lines = [
        f"# 模拟世界报告 (seed {w['seed']}, profile {w['profile']})", "",
        f"客户 {w['customers']:,} 名, {w['months']} 个月, 起始 {w['start']}; 生成器 {w['generator']} {w['version']}.", "",
        "## 校准 (calibration)", "", "| 指标 | 值 |", "| --- | --- |",
    ]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in report["calibration"].items()]
    lines += ["", "## 关键词基线 (keyword-only baseline on social posts)", "",
              f"关键词: {'、'.join(KEYWORDS)}", "", "| 指标 | 值 |", "| --- | --- |"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in report["keyword_baseline"].items()]
    lines += ["", "## 标签比例 (label rates)", "", "| 指标 | 值 |", "| --- | --- |"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in report["label_rates"].items()]
    lines += ["", "## 黑灰产团伙 (gangs)", ""]
    lines += [f"- {k}: {v}" for k, v in report["gangs"].items()]
    lines += ["", "## 文本模板数 (distinct templates)", "", "| 文本类别 | 模板数 |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report["distinct_templates"].items()]
    lines += ["", "## 行数 (row counts)", "", "| 表 | 行数 |", "| --- | --- |"]
    lines += [f"| {k} | {v:,} |" for k, v in report["row_counts"].items()]
    return "\n".join(lines) + "\n"
