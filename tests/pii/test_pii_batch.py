"""The batch path (``Scanner.scan_many``, ``mask_many``) must give exactly what one document at a time gives."""

from __future__ import annotations

import random

from grayshield.pii import Scanner, mask_many, mask_text
from grayshield.pii.corpus import HELD_OUT_TEMPLATES, generate_corpus, held_out_corpus, tricky_cases
from grayshield.pii.scanner import SEPARATOR


def corpus_texts() -> list[str]:
    """The whole evaluation corpus plus random cuts of it, so document boundaries fall everywhere: inside
    numbers, names, cues and addresses."""
    docs = [
        *generate_corpus(1, 2000),
        *generate_corpus(2, 1000, templates=HELD_OUT_TEMPLATES),
        *held_out_corpus("v1", 3, 500),
        *tricky_cases(),
    ]
    texts = [d.text for d in docs]
    rng = random.Random(7)
    for _ in range(1500):
        text = rng.choice(texts[: len(docs)])
        start = rng.randrange(len(text))
        texts.append(text[start : rng.randrange(start, len(text) + 1)])
    rng.shuffle(texts)
    return texts


def test_scan_many_equals_scan_on_the_whole_corpus() -> None:
    scanner = Scanner()
    texts = corpus_texts()
    many = scanner.scan_many(texts)
    assert len(many) == len(texts)
    differing = [t for t, hits in zip(texts, many, strict=True) if hits != scanner.scan(t)]
    assert differing == []


def test_mask_many_equals_mask_text_on_the_whole_corpus() -> None:
    texts = corpus_texts()
    assert mask_many(texts) == [mask_text(t) for t in texts]


def test_edge_batches() -> None:
    scanner = Scanner()
    assert scanner.scan_many([]) == [] and mask_many([]) == []
    assert mask_many(["", "", "客户张伟"]) == ["", "", mask_text("客户张伟")]
    # A text holding the separator cannot be joined: it is scanned on its own, with the same result.
    odd = ["电话13800138000" + SEPARATOR + "客户张伟", "卡号6222021234567890128"]
    assert scanner.scan_many(odd) == [scanner.scan(t) for t in odd]
    assert mask_many(odd) == [mask_text(t) for t in odd]


def test_boundaries_do_not_leak_between_documents() -> None:
    """A cue at the end of one document says nothing about the start of the next."""
    scanner = Scanner()
    texts = [
        "请把材料交给客户",
        "张伟说明天到",
        "账号",
        "1234567890123",
        "尾号",
        "6222021234567890128",
        "外呼名单：孔昕，",
        "13800138000",
    ]
    assert scanner.scan_many(texts) == [scanner.scan(t) for t in texts]
