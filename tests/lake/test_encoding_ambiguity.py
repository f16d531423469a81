"""Bytes valid in both UTF-8 and GBK are read the way a bank extract would have been written."""

from __future__ import annotations

from pathlib import Path

import pytest

from grayshield.lake.sources import inspect


@pytest.mark.parametrize(("text", "encoding"), [
    ("。X", "utf-8"),     # GBK would read 銆俋: rare characters
    ("款账", "utf-8"),    # GBK reads common characters too: a tie goes to UTF-8
    ("停", "gbk"),        # UTF-8 would read a combining mark
    ("停息挂账", "gbk"),
    ("协商还款，个性化分期", "utf-8"),
])
def test_ambiguous_bytes_are_read_the_plausible_way(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "call_utterances.csv"
    path.write_bytes(f"call_id,text\nC1,{text}\n".encode(encoding))
    detected = inspect(path).encoding
    assert path.read_bytes().decode(detected) == f"call_id,text\nC1,{text}\n"
