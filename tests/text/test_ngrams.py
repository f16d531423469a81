"""The NumPy n-gram hasher: every n-gram counted once, names recoverable for explanations."""

from __future__ import annotations

import numpy as np

from grayshield.text.ngrams import CharNgramTfidf, hashed_ngrams, ngram_names


def test_every_ngram_of_every_text_and_none_across_texts() -> None:
    docs, buckets = hashed_ngrams(["停息挂账", "", "ab"], max_n=3, bits=20)
    assert np.bincount(docs, minlength=3).tolist() == [4 + 3 + 2, 0, 2 + 1]
    names = ngram_names("停息挂账", 3, 20)
    assert sorted(names[b] for b in buckets[docs == 0]) == sorted(
        ["停", "息", "挂", "账", "停息", "息挂", "挂账", "停息挂", "息挂账"])
    assert "账a" not in {*ngram_names("停息挂账", 3, 20).values()}


def test_tfidf_rows_are_unit_length_and_unseen_ngrams_are_ignored() -> None:
    vectorizer = CharNgramTfidf(min_df=2).fit(["停息挂账找我", "停息挂账靠谱吗", "今天天气"])
    rows = vectorizer.transform(["停息挂账", "完全陌生的字"])
    assert np.isclose(np.sqrt(rows[0].multiply(rows[0]).sum()), 1.0)
    assert rows[1].nnz == 0
    assert set(vectorizer.columns("停息挂账").values()) == {"停", "息", "挂", "账", "停息", "息挂", "挂账", "停息挂",
                                                         "息挂账"}
