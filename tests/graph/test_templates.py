"""The graph engine's template view is the text engine's clustering, keyed by the complaint frame's index."""

from __future__ import annotations

import pandas as pd

from grayshield.graph.templates import template_clusters
from grayshield.text import template_ids

BODY = "本人因失业及家人患病暂时无力还款，贵行催收人员多次骚扰家属，现委托代理人申请停息挂账分期还款，望贵行予以支持"


def test_graph_templates_keep_the_frame_index_and_the_shared_ids() -> None:
    texts = pd.Series([f"委托人{n}，欠款{a}元。{BODY}" for n, a in (("张伟", 9047), ("李娜", 33))]
                      + [None, "今天去网点办理了信用卡分期，工作人员态度很好"], index=[10, 11, 12, 13])
    clusters = template_clusters(texts)
    assert list(clusters.index) == [10, 11, 12, 13]
    assert clusters.tolist() == template_ids(texts.fillna("").tolist()) == ["T0", "T0", None, None]
    assert template_clusters(pd.Series([], dtype=object)).empty
