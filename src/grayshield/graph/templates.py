"""Complaint templates for the graph engine: the text engine's clustering, indexed like the complaint frame.

The clustering itself (folded Chinese 3-gram MinHash, LSH bands, connected components) lives in
``grayshield.text.templates`` and is shared with the complaint engine; this keeps the graph's pandas view.
"""

from __future__ import annotations

import pandas as pd

from grayshield.text.templates import DEFAULT_THRESHOLD, template_ids


def template_clusters(texts: pd.Series, threshold: float = DEFAULT_THRESHOLD, seed: int = 1) -> pd.Series:
    """A template id per text that shares its template with at least one other text, else None."""
    ids = template_ids(texts.fillna("").astype(str).tolist(), threshold, seed)
    return pd.Series(ids, index=texts.index, dtype=object)
