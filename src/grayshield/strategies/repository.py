"""Strategy rule sets on disk: drafts, and immutable published versions each with the backtest that
justified them. Published files are never edited; a change is a new version, and every alert records
the version that chose its action."""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.strategies.rules import RuleSet, default_rule_text, parse_rule_set

_VERSION = re.compile(r"^v(\d{4,})\.toml$")


@dataclass(frozen=True)
class PublishedStrategy:
    version: str
    rule_set: RuleSet
    text: str
    backtest: dict[str, Any] | None


class StrategyRepository:
    def __init__(self, root: Path, name: str = "complaints") -> None:
        self.name = name
        self.folder = root / name
        self.drafts = self.folder / "drafts"
        self.published = self.folder / "published"

    def save_draft(self, draft: str, text: str) -> RuleSet:
        """Validate and store a draft; an invalid draft is refused and nothing is written."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", draft):
            raise ValidationError(f"draft name must be 1-64 letters, digits, '-' or '_': {draft!r}")
        rule_set = parse_rule_set(text, source=f"draft {draft}")
        self.drafts.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.drafts / f"{draft}.toml", text)
        return rule_set

    def draft_text(self, draft: str) -> str:
        path = self.drafts / f"{draft}.toml"
        if not path.is_file():
            raise NotFoundError(f"no draft {draft!r} for strategy {self.name!r}")
        return path.read_text(encoding="utf-8")

    def versions(self) -> list[str]:
        if not self.published.is_dir():
            return []
        found = [m.group(0)[:-5] for p in self.published.iterdir() if (m := _VERSION.match(p.name))]
        return sorted(found, key=lambda v: int(v[1:]))

    def publish(self, draft: str, backtest_report: dict[str, Any]) -> str:
        """Publish a draft as the next version; a backtest of exactly this draft is required."""
        text = self.draft_text(draft)
        rule_set = parse_rule_set(text, source=f"draft {draft}")
        if backtest_report.get("strategy_version") != rule_set.version:
            raise ValidationError("the backtest report was not produced for this draft's version")
        if any(parse_rule_set(self._text(v)).version == rule_set.version for v in self.versions()):
            raise ValidationError(f"version label {rule_set.version!r} is already published; bump `version`")
        self.published.mkdir(parents=True, exist_ok=True)
        existing = self.versions()
        version = f"v{(int(existing[-1][1:]) + 1) if existing else 1:04d}"
        _atomic_write(self.published / f"{version}.backtest.json",
                      json.dumps(backtest_report, ensure_ascii=False, indent=2))
        _atomic_write(self.published / f"{version}.toml", text)
        return version

    def _text(self, version: str) -> str:
        path = self.published / f"{version}.toml"
        if not path.is_file():
            raise NotFoundError(f"strategy {self.name!r} has no published version {version}")
        return path.read_text(encoding="utf-8")

    def get(self, version: str) -> PublishedStrategy:
        text = self._text(version)
        report_path = self.published / f"{version}.backtest.json"
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else None
        return PublishedStrategy(version, parse_rule_set(text, source=version), text, report)

    def active(self) -> PublishedStrategy:
        """The newest published version, or the rule set shipped with GrayShield if none was published."""
        versions = self.versions()
        if versions:
            return self.get(versions[-1])
        text = default_rule_text(self.name)
        return PublishedStrategy("default", parse_rule_set(text, source="default"), text, None)

    def diff(self, old: str, new: str) -> str:
        """A unified diff between two published versions (or 'default'), for review in the console."""
        def text(v: str) -> str:
            return default_rule_text(self.name) if v == "default" else self._text(v)

        return "".join(difflib.unified_diff(text(old).splitlines(keepends=True), text(new).splitlines(keepends=True),
                                            fromfile=old, tofile=new))


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
