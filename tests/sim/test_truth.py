"""Ground truth is consistent with the world it describes, and the profiles differ as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.parquet as pq

from grayshield.sim import PROFILES


def _q(world: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` with ``{name}`` / ``{truth/name}`` standing for the world's tables."""
    con = duckdb.connect()
    for folder in sorted(world.rglob("part-00000.parquet")):
        key = str(folder.parent.relative_to(world))
        sql = sql.replace("{" + key + "}", f"read_parquet('{folder.parent}/*.parquet')")
    return con.execute(sql).fetchall()


def _one(world: Path, sql: str) -> Any:
    return _q(world, sql)[0][0]


def test_every_gang_number_appears_and_every_caller_is_known(default_world: Path) -> None:
    unseen = _one(default_world, """
        SELECT count(*) FROM {truth/numbers} n WHERE is_blackgray AND number NOT IN (
            SELECT caller_number FROM {calls} WHERE caller_number IS NOT NULL
            UNION SELECT customer_number FROM {calls} WHERE customer_number IS NOT NULL
            UNION SELECT new_value FROM {contact_changes} WHERE new_value IS NOT NULL
            UNION SELECT contact_phone FROM {complaints} WHERE contact_phone IS NOT NULL
            UNION SELECT unnest(string_split(contacts, '|')) FROM {truth/social_posts})""")
    assert unseen == 0
    unknown = _one(default_world, """
        SELECT count(*) FROM {calls} WHERE caller_number IS NOT NULL
        AND caller_number NOT IN (SELECT number FROM {truth/numbers})""")
    assert unknown == 0
    assert _one(default_world, "SELECT count(*) FROM {truth/numbers} WHERE is_blackgray") > 0


def test_proxy_activity_belongs_to_recruited_customers_after_recruitment(default_world: Path) -> None:
    complaints = _q(default_world, """
        SELECT count(*), count(*) FILTER (WHERE NOT tc.recruited OR c.received_time < tc.recruited_time)
        FROM {complaints} c JOIN {truth/complaints} t USING (complaint_id)
        JOIN {truth/customers} tc USING (customer_id) WHERE t.is_proxy""")[0]
    assert complaints[0] > 0 and complaints[1] == 0
    calls = _q(default_world, """
        SELECT count(*), count(*) FILTER (WHERE NOT tc.recruited OR c.start_time < tc.recruited_time),
               count(*) FILTER (WHERE c.direction = 'inbound' AND c.caller_number NOT IN
                   (SELECT number FROM {truth/numbers} WHERE is_blackgray))
        FROM {calls} c JOIN {truth/calls} t USING (call_id)
        JOIN {truth/customers} tc ON tc.customer_id = c.claimed_customer_id WHERE t.is_proxy""")[0]
    assert calls[0] > 0 and calls[1] == 0 and calls[2] == 0
    hijacks = _q(default_world, """
        SELECT count(*), count(*) FILTER (WHERE NOT tc.recruited) FROM {contact_changes} k
        JOIN {truth/customers} tc USING (customer_id)
        WHERE k.new_value IN (SELECT number FROM {truth/numbers} WHERE is_blackgray)""")[0]
    assert hijacks[0] > 0 and hijacks[1] == 0


def test_gang_counts_and_roles_agree(default_world: Path) -> None:
    mismatched = _one(default_world, """
        SELECT count(*) FROM {truth/gangs} g LEFT JOIN (SELECT gang_id, count(*) AS n FROM {truth/customers}
            WHERE recruited GROUP BY gang_id) r USING (gang_id) WHERE g.recruited_customers <> coalesce(r.n, 0)""")
    assert mismatched == 0
    roles = dict(_q(default_world, "SELECT role, count(*) FROM {truth/customers} GROUP BY role"))
    assert {"ordinary", "recruited", "self_negotiator", "elderly_with_helper", "genuine_complainant"} <= set(roles)
    aware = _one(default_world, "SELECT count(*) FROM {truth/customers} WHERE NOT recruited AND "
                                "aware_of_complaints IS NOT NULL")
    assert aware == 0


def test_transcript_truth_matches_the_calls(default_world: Path) -> None:
    labels = dict(_q(default_world, """
        SELECT u.label, count(*) FROM {truth/utterances} u JOIN {call_utterances} c USING (call_id, seq)
        WHERE c.speaker = 'caller' GROUP BY ALL"""))
    assert labels.get("proxy_representation", 0) + labels.get("escalation_threat", 0) > 0
    misplaced = _one(default_world, """
        SELECT count(*) FROM {truth/utterances} u JOIN {call_utterances} c USING (call_id, seq)
        WHERE (u.breach_type <> 'none' AND c.speaker <> 'agent') OR (u.label <> 'ordinary' AND c.speaker <> 'caller')""")
    assert misplaced == 0
    assert _one(default_world, "SELECT count(*) FROM {truth/utterances} WHERE breach_type <> 'none'") > 0
    late = _one(default_world, """SELECT count(*) FROM {call_utterances} u JOIN {calls} c USING (call_id)
                                  WHERE u.end_ms > c.duration_s * 1000 OR u.start_ms > u.end_ms""")
    assert late == 0


def test_gang_voices_recur_across_customers_and_cluster(default_world: Path) -> None:
    recurring = _one(default_world, """
        SELECT max(n) FROM (SELECT t.speaker_person_id, count(DISTINCT c.claimed_customer_id) AS n
        FROM {calls} c JOIN {truth/calls} t USING (call_id) WHERE t.is_proxy GROUP BY ALL)""")
    assert recurring >= 2
    table = pq.read_table(default_world / "voiceprints").to_pandas()
    truth = pq.read_table(default_world / "truth" / "calls").to_pandas()
    caller = table[table.side == "caller"].merge(truth, on="call_id")
    gang = caller[caller.speaker_person_id.str.startswith("PG")]
    top = gang.speaker_person_id.value_counts().index[0]
    same = np.stack(gang[gang.speaker_person_id == top].embedding.to_numpy())
    others = np.stack(caller[caller.speaker_person_id != top].embedding.to_numpy()[:200])
    centre = same.mean(axis=0)
    assert (same @ centre).mean() > (others @ centre).mean() + 0.2


def test_staff_anomalies_and_case_anomalies_exist(default_world: Path) -> None:
    kinds = dict(_q(default_world, "SELECT anomaly, count(*) FROM {truth/staff_operations} GROUP BY ALL"))
    assert kinds["none"] > 10 * sum(v for k, v in kinds.items() if k != "none") > 0
    unverified_waivers = _one(default_world, """
        SELECT count(*) FROM {staff_operations} o JOIN {truth/staff_operations} t USING (op_id)
        JOIN {calls} c USING (call_id) WHERE t.anomaly = 'waiver_without_verification' AND c.identity_verified""")
    assert unverified_waivers == 0
    logins = _q(default_world, """
        SELECT t.anomaly, count(*), max(hour(o.op_time)) FROM {staff_operations} o JOIN {truth/staff_operations} t
        USING (op_id) WHERE o.operation = 'login' AND t.anomaly IN ('none', 'off_hours_access') GROUP BY ALL""")
    by_kind = {kind: (n, latest) for kind, n, latest in logins}
    assert by_kind["none"][0] > 0
    if "off_hours_access" in by_kind:
        assert by_kind["off_hours_access"][1] < 6


def _report(world: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((world / "report.json").read_text(encoding="utf-8"))
    return loaded


def test_default_profile_is_calibrated(default_world: Path) -> None:
    """Published figures (docs/simulator.md); a 1,000-customer world is noisy, so the ranges are wide."""
    calibration = _report(default_world)["calibration"]
    assert 0.5 <= calibration["regulator_negotiated_repayment_share"] <= 0.85
    assert 0.1 <= calibration["regulator_blackgray_share"] <= 0.55
    assert calibration["template_similarity"] > 0.9
    assert 0.3 <= calibration["recruited_unaware_share"] <= 0.95
    assert 0.003 <= calibration["recruited_share"] <= 0.06


def test_profiles_differ_as_documented(easy_world: Path, hard_world: Path) -> None:
    assert PROFILES["hard"]["gang_count"] > PROFILES["easy"]["gang_count"]
    easy, hard = _report(easy_world), _report(hard_world)
    assert sum(hard["gangs"]["gangs"].values()) == PROFILES["hard"]["gang_count"]
    assert sum(easy["gangs"]["gangs"].values()) == PROFILES["easy"]["gang_count"]
    assert hard["label_rates"]["evasion_share_of_ads"] > easy["label_rates"]["evasion_share_of_ads"] + 0.2
    # The keyword-only baseline must fall well short on the hard profile.
    assert hard["keyword_baseline"]["f1"] < 0.5
    assert hard["keyword_baseline"]["f1"] < easy["keyword_baseline"]["f1"] - 0.1
