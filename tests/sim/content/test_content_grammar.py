"""The phrase grammar: slots, optional slots, values, lexicon terms and per-world subsets."""

from __future__ import annotations

import numpy as np
import pytest

from grayshield.core.errors import ConfigError
from grayshield.sim.content.draw import Draw
from grayshield.sim.content.grammar import Expansion, Grammar

SLOTS = {
    "start": ["{greet}{?tail}，{@term}，{$name}"],
    "greet": ["你好", "您好", "哈喽", "嗨", "喂"],
    "tail": ["呀"],
    "term": ["停息挂账", "协商还款"],
}


def grammar(variety: float = 1.0, seed: int = 0) -> Grammar:
    return Grammar(SLOTS, Draw(np.random.default_rng(seed)), variety, frozenset({"term"}))


def test_expansion_fills_slots_values_and_terms() -> None:
    g = grammar()
    texts = {g.expand("start", Expansion(values={"name": "王芳"})) for _ in range(400)}
    assert all(t.endswith("，王芳") for t in texts)
    assert any("呀，" in t for t in texts) and any("呀" not in t for t in texts)
    assert {t.split("，")[1] for t in texts} == {"停息挂账", "协商还款"}


def test_terms_are_recorded_and_disguised_at_the_rate() -> None:
    g = grammar()
    expansions = [Expansion(values={"name": "x"}, evasion_rate=0.3, evader=lambda term: term[::-1]) for _ in range(4000)]
    texts = [g.expand("start", e) for e in expansions]
    assert all(len(e.terms) == 1 for e in expansions)
    evaded = sum(e.evaded for e in expansions)
    assert 0.27 < evaded / len(expansions) < 0.33
    assert sum("账挂息停" in t or "款还商协" in t for t in texts) == evaded


def test_variety_keeps_a_per_world_share_of_wording_but_every_term() -> None:
    narrow = [grammar(variety=0.4, seed=s) for s in range(6)]
    greetings = [{g.expand("greet", Expansion()) for _ in range(200)} for g in narrow]
    assert all(len(seen) == 2 for seen in greetings)
    assert len({frozenset(seen) for seen in greetings}) > 1  # worlds differ in wording
    assert all({g.expand("term", Expansion()) for _ in range(100)} == {"停息挂账", "协商还款"} for g in narrow)


def test_unknown_references_and_empty_slots_are_config_errors() -> None:
    draw = Draw(np.random.default_rng(0))
    with pytest.raises(ConfigError, match="unknown slot 'missing'"):
        Grammar({"start": ["{missing}"]}, draw, 1.0, frozenset())
    with pytest.raises(ConfigError, match="no alternatives"):
        Grammar({"start": []}, draw, 1.0, frozenset())
