"""Complaint templates: complaints from different customers with near-identical text (a gang's fingerprint).

The grouping itself is the complaint engine's MinHash-LSH clustering (``grayshield.complaints.proxy``), so the
complaint proxy model and the gang graph agree on what a template is; this module only makes the cluster ids
graph-ready (a template seen once is no evidence of anything).
"""

from __future__ import annotations

import pandas as pd


def template_clusters(texts: pd.Series, threshold: float = 0.6) -> pd.Series:
    """A template id per text that shares its template with at least one other text, else None."""
    from grayshield.complaints.proxy import _template_clusters

    if texts.empty:
        return pd.Series([], dtype=object, index=texts.index)
    clusters = _template_clusters(texts, threshold=threshold)
    sizes = clusters.map(clusters.value_counts())
    return clusters.where(sizes >= 2, None).astype(object)
