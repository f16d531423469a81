"""Hand-made edge tables for gang-discovery tests: rows of (src, dst, relation), one observation each."""

from __future__ import annotations

import pandas as pd


def edge_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["src", "dst", "relation"])
    frame["n"] = 1
    frame["first_time"] = pd.Timestamp("2024-03-01")
    frame["last_time"] = pd.Timestamp("2024-06-30")
    return frame
