"""Per-world dialects: interchangeable words written each world's own way, lexicon terms untouched."""

from __future__ import annotations

import numpy as np
import pytest

from grayshield.core.errors import ConfigError
from grayshield.sim.content import lexicon_terms
from grayshield.sim.content.dialect import Dialect, synonym_sets
from grayshield.sim.content.draw import Draw

TERMS = frozenset(t for terms in lexicon_terms().values() for t in terms)
TEXT = "专业机构帮你处理停息挂账，大家千万别信中介骗子，客服说现在已经没办法了"


def dialect(seed: int) -> Dialect:
    return Dialect(Draw(np.random.default_rng(seed)), TERMS)


def test_a_world_writes_each_set_with_its_own_kept_members() -> None:
    first = dialect(1)
    words = {w for members in synonym_sets() for w in members}
    seen = {first.rewrite(w) for w in ("帮你", "帮您", "替你", "为你", "给你") for _ in range(50)}
    assert seen <= words and 1 <= len(seen) < 5
    assert first.rewrite("停息挂账，征信修复") == "停息挂账，征信修复"
    assert "停息挂账" in first.rewrite(TEXT)


def test_worlds_differ_in_wording() -> None:
    outputs = [{dialect(seed).rewrite(TEXT) for _ in range(30)} for seed in range(5)]
    assert len({frozenset(o) for o in outputs}) == 5


def test_synonyms_inside_lexicon_terms_are_refused() -> None:
    with pytest.raises(ConfigError, match="inside lexicon terms"):
        Dialect(Draw(np.random.default_rng(0)), TERMS | {"专业停催"})
