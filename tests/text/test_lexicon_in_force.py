"""The lexicon in force: the newest version analysts saved (console) replaces the packaged file for the engine."""

from __future__ import annotations

import re
from pathlib import Path

from grayshield.text.lexicon import LEXICONS, lexicon_path, load_lexicon


def _save(home: Path, version: str, extra_term: str) -> Path:
    text = LEXICONS.get("default").read_text(encoding="utf-8")
    text = re.sub(r'^version = "[^"]+"', f'version = "{version}"', text, count=1, flags=re.M)
    text = text.replace('"停息挂账",', f'"停息挂账", "{extra_term}",', 1)
    path = home / "lexicons" / "default" / f"{version}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _terms() -> set[str]:
    return {term.text for term in load_lexicon().terms}


def test_packaged_file_until_a_version_is_saved(cli_home: Path) -> None:
    assert lexicon_path("default", cli_home / "lexicons") == LEXICONS.get("default")
    assert "停催上岸" not in _terms()


def test_newest_saved_version_is_in_force(cli_home: Path) -> None:
    _save(cli_home, "2099.1.9", "停催上岸")
    newest = _save(cli_home, "2099.1.10", "铲单上岸")  # 10 > 9: versions compare as numbers, not text
    assert lexicon_path("default", cli_home / "lexicons") == newest
    terms = _terms()
    assert "铲单上岸" in terms and "停催上岸" not in terms
    assert load_lexicon().version == "2099.1.10"
