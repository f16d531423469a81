"""The batch path (``Scanner.scan_many``, ``mask_many``) must give exactly what one document at a time gives."""

from __future__ import annotations

import random

from pii_cut_corpus import corpus_with_cuts

from grayshield.pii import Scanner, mask_many, mask_text
from grayshield.pii.scanner import SEPARATOR


def corpus_texts() -> list[str]:
    """The corpus with random cuts (``pii_cut_corpus``), shuffled so a batch mixes documents of every kind."""
    texts = corpus_with_cuts([("v1", 3, 500)], seed=7)
    random.Random(7).shuffle(texts)
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
