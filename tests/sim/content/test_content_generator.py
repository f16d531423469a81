"""The simulated world's text: determinism, coverage of every label and kind, evasion, near-duplicates."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from grayshield.contract.tables import PLATFORMS
from grayshield.contract.truth import BUSINESS_TYPES, POST_LABELS, UTTERANCE_LABELS
from grayshield.core.errors import ConfigError, ValidationError
from grayshield.sim.content import (
    CALL_KINDS,
    COMPLAINT_CAUSES,
    EVASION_METHODS,
    PROXY_PERSONAS,
    CallScenario,
    ContentGenerator,
    ContentProfile,
    evade,
    lexicon_terms,
    provinces,
)
from grayshield.sim.content.evasion import DIGIT_STYLES

AD_TERMS = lexicon_terms()["debt_service"]


def make(seed: int = 7, profile: str = "default") -> ContentGenerator:
    return ContentGenerator(np.random.default_rng(seed), ContentProfile.for_profile(profile))


def trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def jaccard(a: str, b: str) -> float:
    ga, gb = trigrams(a), trigrams(b)
    return len(ga & gb) / len(ga | gb)


def sample_world(gen: ContentGenerator) -> list[object]:
    out: list[object] = [gen.person_name(), gen.region(), gen.address("广东", "深圳")]
    out += [gen.post(label, "credit_card", "13812345678") for label in POST_LABELS]
    out.append(gen.account_profile(True, "douyin"))
    out.append(gen.transcript(CallScenario("proxy_inbound", "lawyer", "张伟", "李娜", escalation=True)))
    out.append(gen.genuine_complaint("collection", "王芳", 3210.5))
    template = gen.complaint_template("G1")
    out.append(gen.render_complaint(template, "王芳", 3210.5, "华信银行"))
    return out


def test_same_seed_same_text_and_other_seed_differs() -> None:
    assert sample_world(make(3)) == sample_world(make(3))
    assert sample_world(make(3)) != sample_world(make(4))


@pytest.mark.parametrize("profile", ["easy", "default", "hard"])
def test_every_post_label_and_business_type_produces_text(profile: str) -> None:
    gen = make(profile=profile)
    for label in POST_LABELS:
        for business in BUSINESS_TYPES:
            for contact in (None, "13912345678", "wechat:debt_help88", "qq:123456789"):
                assert gen.post(label, business, contact).strip()


def test_unknown_labels_are_clear_errors() -> None:
    gen = make()
    with pytest.raises(ValidationError, match="post label"):
        gen.post("spam", "credit_card", None)
    with pytest.raises(ValidationError, match="business type"):
        gen.post("blackgray_ad", "crypto", None)
    with pytest.raises(ValidationError, match="cause"):
        gen.genuine_complaint("weather", "王芳", 1.0)
    with pytest.raises(ValidationError, match="call kind"):
        CallScenario("chat", None, "张伟", "李娜")
    with pytest.raises(ValidationError, match="persona"):
        CallScenario("proxy_inbound", None, "张伟", "李娜")
    with pytest.raises(ConfigError, match="unknown content profile"):
        ContentProfile.for_profile("extreme")


@pytest.mark.parametrize("profile", ["easy", "default", "hard"])
def test_evasion_disguises_ad_terms_at_the_configured_rate(profile: str) -> None:
    gen = make(profile=profile)
    details = [gen.post_detail("blackgray_ad", "credit_card", None) for _ in range(3000)]
    total = sum(len(d.terms) for d in details)
    evaded = sum(d.evaded_terms for d in details)
    rate = ContentProfile.for_profile(profile).evasion_rate
    assert total > 5000
    assert abs(evaded / total - rate) < 0.03
    assert any(d.evasion for d in details) and not all(d.evasion for d in details)
    clean_posts = [d for d in details if not d.evasion and d.terms]
    verbatim = sum(all(term in d.text for term in d.terms) for d in clean_posts)
    assert verbatim / len(clean_posts) > 0.85  # only typos (noise) touch the terms of undisguised posts


@pytest.mark.parametrize("method", sorted(EVASION_METHODS))
def test_each_evasion_method_changes_every_term(method: str) -> None:
    rng = np.random.default_rng(1)
    for category in ("debt_service", "anti_collection", "escalation_body", "biz_credit_card"):
        for term in lexicon_terms()[category]:
            assert evade(term, rng, method) != term


def test_evasion_covers_the_spellings_the_issue_names() -> None:
    rng = np.random.default_rng(2)
    variants = {evade("停息挂账", rng) for _ in range(3000)}
    assert "停息掛賬" in variants  # traditional
    assert any(v.startswith("tx") or v.startswith("TX") for v in variants)  # initials
    assert any("ting" in v.lower() for v in variants)  # pinyin
    assert any("\u200b" in v or "\u200d" in v for v in variants)  # zero-width
    assert any("✖" in v or " " in v for v in variants)  # separators
    assert any(v[0] in "亭婷廷庭挺" for v in variants)  # homophones


def test_blackgray_contacts_are_obfuscated_but_negatives_write_them_plainly() -> None:
    gen = make(profile="hard")
    ads = [gen.post("blackgray_ad", "credit_card", "13812345678") for _ in range(300)]
    plain = sum("13812345678" in ad for ad in ads)
    assert 0.15 < plain / len(ads) < 0.5  # hard: about 70% of handles disguised
    assert any(re.search("[一幺][三叁][八捌]", ad) for ad in ads)


def test_hard_negatives_share_the_black_gray_vocabulary() -> None:
    gen = make(profile="hard")
    all_terms = {t for terms in lexicon_terms().values() for t in terms if len(t) >= 3}
    for label in ("consumer_discussion", "news_official"):
        posts = [gen.post(label, "credit_card", None) for _ in range(500)]
        with_terms = sum(any(t in p for t in all_terms) for p in posts)
        assert with_terms / len(posts) > 0.5, label


def test_transcripts_cover_every_kind_and_label_their_turns() -> None:
    gen = make()
    seen_labels: set[str] = set()
    for kind in CALL_KINDS:
        for persona in PROXY_PERSONAS if kind == "proxy_inbound" else (None,):
            for coached in (False, True):
                s = CallScenario(kind, persona, "张伟", "李娜", escalation=coached, coached=coached)
                turns = gen.transcript(s)
                assert {t.speaker for t in turns} >= {"agent", "caller"}
                for t in turns:
                    assert t.text
                    if t.speaker == "caller":
                        assert t.label in UTTERANCE_LABELS
                        seen_labels.add(t.label)
                    else:
                        assert t.label is None
                        assert t.breach == "none"
    assert seen_labels == set(UTTERANCE_LABELS)


def test_breaches_are_said_and_missing_items_left_out() -> None:
    gen = make()
    breaches = ("threat", "abusive_language", "improper_third_party_contact", "unauthorised_promise",
                "third_party_disclosure")
    for kind in ("collection_outbound", "proxy_inbound"):
        s = CallScenario(kind, "relative" if kind == "proxy_inbound" else None, "张伟", "李娜", breaches=breaches,
                         missing_items=("recording_notice", "risk_disclosure"))
        turns = gen.transcript(s)
        assert sorted(t.breach for t in turns if t.breach != "none") == sorted(breaches)
        items = {t.mandatory_item for t in turns if t.mandatory_item}
        assert items == {"greeting_identification", "identity_verification"}


def test_complaint_template_renders_are_near_duplicates() -> None:
    for profile in ("default", "hard"):
        gen = make(profile=profile)
        template = gen.complaint_template("G7")
        names = [gen.person_name() for _ in range(20)]
        texts = [gen.render_complaint(template, n, 1000.0 + 37 * i, "华信银行") for i, n in enumerate(names)]
        assert "\x00" not in texts[0] and names[0] in texts[0]
        sims = [jaccard(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]]
        assert min(sims) > 0.9, profile


def test_each_template_call_gives_the_gang_a_new_distinct_template() -> None:
    gen = make(profile="hard")
    templates = [gen.complaint_template("G001") for _ in range(5)]
    assert [t.template_id for t in templates] == [f"G001-T0{i}" for i in range(1, 6)]
    assert len({t.text for t in templates}) == 5
    assert {t.label for t in [gen.complaint_template("G002") for _ in range(30)]} == {
        "coached_customer", "proxy_representation"}
    other = gen.render_complaint(templates[1], "王芳", 1000.0, "华信银行")
    same = gen.render_complaint(templates[0], "李强", 2000.0, "华信银行")
    assert jaccard(gen.render_complaint(templates[0], "王芳", 1000.0, "华信银行"), same) > jaccard(other, same)


def test_genuine_complaints_vary_for_every_cause() -> None:
    gen = make()
    for cause in COMPLAINT_CAUSES:
        texts = {gen.genuine_complaint(cause, "王芳", 2345.0) for _ in range(60)}
        assert len(texts) > 20, cause


def test_names_regions_and_addresses_look_real() -> None:
    gen = make()
    names = [gen.person_name(g) for g in ("male", "female", None) for _ in range(1000)]
    assert all(2 <= len(n) <= 3 for n in names)
    assert sum(n[0] in "王李张" for n in names) / len(names) > 0.12
    regions = [gen.region() for _ in range(20000)]
    assert {p for p, _ in regions} == set(provinces()) and len(provinces()) == 31
    assert sum(p == "广东" for p, _ in regions) > sum(p == "西藏" for p, _ in regions) * 10
    address = gen.address("广东", "深圳")
    assert address.startswith("广东省深圳市") and address.endswith("室")


def test_account_profiles_for_every_platform() -> None:
    gen = make(profile="hard")
    for platform in PLATFORMS:
        for blackgray in (True, False):
            profiles = [gen.account_profile(blackgray, platform) for _ in range(40)]
            assert all(nickname for nickname, _ in profiles)
            assert len(set(profiles)) > 20
    with pytest.raises(ValidationError, match="platform"):
        gen.account_profile(True, "myspace")


def test_wording_varies_enough_that_templates_cannot_be_memorised() -> None:
    gen = make(profile="hard")
    posts = [gen.post("blackgray_ad", "credit_card", None) for _ in range(2000)]
    assert len(set(posts)) > 1900
    counts = gen.distinct_template_counts()
    assert counts["post:ad"] > 500


def test_ten_thousand_posts_take_well_under_two_seconds() -> None:
    gen = make()
    start = time.perf_counter()
    for i in range(10_000):
        gen.post(POST_LABELS[i % 3], "credit_card", "13812345678" if i % 2 else None)
    assert time.perf_counter() - start < 2.0


def keyword_f1(profile: str) -> float:
    """F1 of "any clean ad term verbatim" as a black/gray post detector."""
    gen = make(seed=11, profile=profile)
    terms = {t for c in ("debt_service", "anti_collection", "recruitment", "debt_outcome") for t in lexicon_terms()[c]}
    data = [(gen.post(label, "credit_card", None), label == "blackgray_ad") for label in POST_LABELS for _ in range(400)]
    predicted = [(any(t in text for t in terms), truth) for text, truth in data]
    tp = sum(p and y for p, y in predicted)
    fp = sum(p and not y for p, y in predicted)
    fn = sum(y and not p for p, y in predicted)
    return 2 * tp / (2 * tp + fp + fn)


def test_keyword_only_baseline_falls_well_short_on_the_hard_profile() -> None:
    easy, hard = keyword_f1("easy"), keyword_f1("hard")
    assert hard < 0.5 < easy


def test_genuine_callers_and_complainants_borrow_the_gangs_words_in_hard_worlds() -> None:
    gen = make(profile="hard")
    terms = {t for c in ("debt_service", "proxy_claim", "debt_outcome") for t in lexicon_terms()[c]} | {"法务公司", "中介"}
    callers = [
        t.text for _ in range(200)
        for t in gen.transcript(CallScenario("negotiation_genuine", None, "张伟", "李娜")) if t.speaker == "caller"
    ]
    assert sum(any(term in text for term in terms) for text in callers) / 200 > 0.5  # per call
    complaints = [gen.genuine_complaint("negotiated_repayment", "王芳", 5000.0) for _ in range(200)]
    assert sum(any(term in text for term in terms) for text in complaints) / 200 > 0.5


def test_caller_turns_read_like_speech_recognition_output() -> None:
    gen = make(profile="hard")
    callers = [
        t.text for _ in range(300)
        for t in gen.transcript(CallScenario("proxy_inbound", "lawyer", "张伟", "李娜", escalation=True))
        if t.speaker == "caller"
    ]
    assert any(text.startswith(("嗯，", "那个，", "呃，")) for text in callers)
    assert any(len(text) > 12 and not any(p in text for p in "，。？！") for text in callers)
    assert len(set(callers)) > 0.8 * len(callers)


_DIGEST_SCRIPT = """
import hashlib, numpy as np
from grayshield.sim.content import CallScenario, ContentGenerator, ContentProfile
gen = ContentGenerator(np.random.default_rng(9), ContentProfile.for_profile("hard"))
parts = [gen.post(label, "online_lending", "+8613812345678") for label in ("blackgray_ad", "news_official")]
parts += [t.text for t in gen.transcript(CallScenario("proxy_inbound", "legal_company", "张伟", "李娜"))]
parts += [gen.render_complaint(gen.complaint_template("G1"), "王芳", 1.0, "华信银行"), gen.address("北京", "北京")]
print(hashlib.sha256("|".join(parts).encode()).hexdigest())
"""


def test_output_is_identical_across_processes_and_hash_seeds() -> None:
    """Byte-identical worlds per seed: nothing may depend on Python's per-process string hashing."""
    child = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT], env={**os.environ, "PYTHONHASHSEED": "12345"},
                           capture_output=True, text=True, check=True).stdout
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(_DIGEST_SCRIPT, {})  # this process runs under a different (random) hash seed
    assert child == here.getvalue()


def test_every_contact_given_appears_in_the_post() -> None:
    plain = ContentProfile("plain", evasion_rate=0.0, template_variety=1.0, noise_rate=0.0, hard_negative_rate=0.8)
    gen = ContentGenerator(np.random.default_rng(5), plain)
    for label in POST_LABELS:
        for contact, value in (("+8613812345678", "13812345678"), ("wechat:g001_2_fw", "g001_2_fw"), ("95528", "95528")):
            assert all(value in gen.post(label, "credit_card", contact) for _ in range(200)), (label, contact)


def test_noise_never_breaks_a_plainly_written_contact() -> None:
    noisy = ContentProfile("noisy", evasion_rate=0.0, template_variety=1.0, noise_rate=1.0, hard_negative_rate=0.5)
    gen = ContentGenerator(np.random.default_rng(6), noisy)
    for label in POST_LABELS:
        assert all("13812345678" in gen.post(label, "credit_card", "+8613812345678") for _ in range(300)), label
    hard = make(profile="hard")
    digits = {char for style in DIGIT_STYLES.values() for char in style} | set("0123456789")
    for _ in range(300):
        text = hard.post("blackgray_ad", "credit_card", "+8613812345678")
        assert any(len([c for c in text[i:i + 40] if c in digits]) >= 11 for i in range(len(text))), text
