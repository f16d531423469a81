"""A masking pipeline run with logging switched on never writes the PII it handles to the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from grayshield.core.logging import configure_logging
from grayshield.pii import mask_file, scan_text
from grayshield.pii.corpus import generate_corpus
from grayshield.pii.evaluation import score

DOCS = generate_corpus(21, 200)


def pii_values() -> set[str]:
    return {doc.text[s:e] for doc in DOCS for s, e, _ in doc.spans}


def test_pipeline_logs_no_pii(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    source = tmp_path / "notes.txt"
    source.write_text("\n".join(doc.text for doc in DOCS) + "\n", encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        mask_file(source, tmp_path / "notes.masked.txt")
        for doc in DOCS[:20]:
            scan_text(doc.text)
        score(DOCS[:20])
    logged = caplog.text + capsys.readouterr().err
    assert "masked" in logged  # the pipeline did log
    leaked = sorted(v for v in pii_values() if v in logged)
    assert leaked == []
    masked = (tmp_path / "notes.masked.txt").read_text(encoding="utf-8")
    assert not [v for v in pii_values() if len(v) > 4 and v in masked]
