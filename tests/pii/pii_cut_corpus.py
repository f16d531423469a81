"""The evaluation corpus plus random cuts of it, shared by the tests that compare two scan paths."""

from __future__ import annotations

import random
from collections.abc import Sequence

from grayshield.pii.corpus import HELD_OUT_TEMPLATES, generate_corpus, held_out_corpus, tricky_cases


def corpus_with_cuts(held_out: Sequence[tuple[str, int, int]], seed: int, cuts: int = 1500) -> list[str]:
    """Development and held-out documents, the tricky cases, then ``cuts`` random slices of them.

    The slices put document boundaries everywhere — inside numbers, names, cues and addresses — which is where
    two paths that should agree (batch vs one by one, native vs Python) are most likely to differ.
    ``held_out`` lists (version, seed, count) of the versioned held-out sets to include.
    """
    docs = [
        *generate_corpus(1, 2000),
        *generate_corpus(2, 1000, templates=HELD_OUT_TEMPLATES),
        *(doc for version, set_seed, count in held_out for doc in held_out_corpus(version, set_seed, count)),
        *tricky_cases(),
    ]
    texts = [d.text for d in docs]
    rng = random.Random(seed)
    for _ in range(cuts):
        text = rng.choice(texts[: len(docs)])
        start = rng.randrange(len(text))
        texts.append(text[start : rng.randrange(start, len(text) + 1)])
    return texts
