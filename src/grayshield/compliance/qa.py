"""Transcript QA: breach findings on agent utterances, missing mandatory items per call, QA scores.

Two layers that explain each other. The rulebook (analyst-edited) says which phrases are breaches and
which items a call must contain; the breach classifier (character n-grams of the folded text plus the
rule hits, logistic regression) learns from labelled calls, so a paraphrase no rule spells out is still
caught and a rule phrase in an innocent sentence is not. Each finding carries the rules and n-grams
behind it and the rulebook and model versions that made it. Everything is batch: a million utterances
are folded, hashed and scored in chunks, never one Python object per utterance beyond the folded string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from grayshield.compliance.rules import BREACHES, RuleBook
from grayshield.contract.truth import MANDATORY_ITEMS
from grayshield.core.errors import ValidationError
from grayshield.text.fold import fold
from grayshield.text.ngrams import CharNgramTfidf

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MODEL_NAME = "compliance_qa"
LABELS = ("none", *BREACHES)
CHUNK = 100_000  # utterances per batch: bounds the n-gram arrays to a few hundred MB
UTTERANCE_COLUMNS = ("call_id", "seq", "speaker", "text")


def fold_many(texts: Sequence[str]) -> list[str]:
    return [fold(t) for t in texts]


def rule_hits(book: RuleBook, folded: Sequence[str]) -> np.ndarray:
    """One boolean column per forbidden rule (rulebook order)."""
    forbidden = book.of_kind("forbidden")
    hits = np.zeros((len(folded), len(forbidden)), dtype=bool)
    for j, rule in enumerate(forbidden):
        hits[:, j] = rule.matches_many(folded)
    return hits


class BreachClassifier:
    """Multinomial logistic regression over hashed character 1-3-grams and rule hits (sklearn conventions).

    ``trusted_`` holds the labels it saw at least ``min_learnt`` times: a type learnt from a handful of
    examples is left to the rules, which an analyst wrote for exactly that case.
    """

    def __init__(self, bits: int = 18, c: float = 10.0, min_df: int = 2, min_learnt: int = 20) -> None:
        self.bits = bits
        self.c = c
        self.min_df = min_df
        self.min_learnt = min_learnt

    def _features(self, folded: Sequence[str], hits: np.ndarray) -> csr_matrix:
        from scipy.sparse import csr_matrix, hstack

        return hstack([self.vectorizer_.transform(folded), csr_matrix(hits.astype(np.float32))], format="csr")

    def fit(self, folded: Sequence[str], hits: np.ndarray, labels: Sequence[str], rule_ids: Sequence[str]
            ) -> BreachClassifier:
        from sklearn.linear_model import LogisticRegression

        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValidationError(f"unknown breach labels {unknown}; expected {', '.join(LABELS)}")
        if len(set(labels)) < 2:
            raise ValidationError("training the breach classifier needs breach examples as well as clean ones")
        self.rule_ids_ = list(rule_ids)
        counts = {label: list(labels).count(label) for label in LABELS}
        self.trusted_ = np.array([label == "none" or counts[label] >= self.min_learnt for label in LABELS])
        self.vectorizer_ = CharNgramTfidf(3, self.bits, self.min_df).fit(folded)
        self.model_ = LogisticRegression(C=self.c, max_iter=3000).fit(self._features(folded, hits), np.asarray(labels))
        return self

    def predict_proba(self, folded: Sequence[str], hits: np.ndarray) -> np.ndarray:
        """Columns in ``LABELS`` order; a breach type absent from training gets probability 0."""
        out = np.zeros((len(folded), len(LABELS)))
        if not folded:
            return out
        proba = self.model_.predict_proba(self._features(folded, hits))
        for j, label in enumerate(self.model_.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out

    def explain(self, folded: str, hits: np.ndarray, label: str, top: int = 3) -> list[str]:
        """The n-grams and rules that pushed one utterance towards ``label``."""
        classes = list(self.model_.classes_)
        if label not in classes:
            return []
        coef = self.model_.coef_[classes.index(label)] if len(classes) > 2 else \
            self.model_.coef_[0] * (1 if label == classes[1] else -1)
        row = self._features([folded], hits.reshape(1, -1)).tocoo()
        names = self.vectorizer_.columns(folded)
        names.update({self.vectorizer_.width + i: f"rule:{r}" for i, r in enumerate(self.rule_ids_)})
        ranked = sorted(zip(row.col, row.data * coef[row.col], strict=True), key=lambda p: -p[1])
        return [f"{names.get(int(j), 'ngram')}(+{w:.2f})" for j, w in ranked[:top] if w > 0]


@dataclass(frozen=True)
class QaModel:
    """A trained classifier with the rulebook it was trained with and its published version."""

    classifier: BreachClassifier
    source: str  # "compliance_qa/v0002"

    def save(self, folder: Path) -> None:
        import joblib  # type: ignore[import-untyped]

        joblib.dump(self.classifier, folder / "model.joblib", compress=3)

    @classmethod
    def load(cls, folder: Path, source: str) -> QaModel:
        """Read only from the bank's own models folder: joblib files execute code when loaded."""
        import joblib  # type: ignore[import-untyped]

        classifier = joblib.load(folder / "model.joblib")
        if not isinstance(classifier, BreachClassifier):
            raise ValidationError(f"{folder / 'model.joblib'} does not hold a compliance breach classifier")
        return cls(classifier, source)


def agent_turns(utterances: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in UTTERANCE_COLUMNS if c not in utterances.columns]
    if missing:
        raise ValidationError(f"utterances lack column(s) {', '.join(missing)}")
    agent = utterances[utterances["speaker"] == "agent"]
    return agent.loc[:, list(UTTERANCE_COLUMNS)].reset_index(drop=True)


def train(book: RuleBook, utterances: pd.DataFrame, labels: pd.Series) -> BreachClassifier:
    """Fit on agent utterances; ``labels`` (breach types) align with ``utterances`` rows."""
    agent_mask = (utterances["speaker"] == "agent").to_numpy()
    folded = fold_many(utterances["text"].to_numpy()[agent_mask].tolist())
    rule_ids = [r.id for r in book.of_kind("forbidden")]
    return BreachClassifier().fit(folded, rule_hits(book, folded), labels.to_numpy()[agent_mask].tolist(), rule_ids)


@dataclass
class QaResult:
    """Findings (one row per flagged utterance or missing item) and one row per call with its score."""

    findings: pd.DataFrame
    calls: pd.DataFrame
    rulebook: str
    model: str

    def scores(self, by: str) -> pd.DataFrame:
        """Mean QA score, calls and findings per ``agent_id``, ``team`` or ``month`` (needs those call columns)."""
        if by not in self.calls.columns:
            raise ValidationError(f"cannot score by {by!r}: calls carry {', '.join(self.calls.columns)}")
        grouped = self.calls.groupby(by, dropna=False)
        return pd.DataFrame({"calls": grouped.size(), "mean_score": grouped["score"].mean().round(1),
                             "breaches": grouped["breaches"].sum(), "missing_items": grouped["missing_count"].sum()}
                            ).reset_index().sort_values("mean_score")


def _breach_findings(book: RuleBook, model: QaModel | None, turns: pd.DataFrame, folded_all: list[str]
                     ) -> pd.DataFrame:
    """Per chunk: match rules, classify; keep only flagged utterances, with their reasons."""
    forbidden = book.of_kind("forbidden")
    by_target = {r.target: r for r in forbidden}
    parts = []
    for start in range(0, len(turns), CHUNK):
        chunk = turns.iloc[start:start + CHUNK]
        folded = folded_all[start:start + CHUNK]
        hits = rule_hits(book, folded)
        # Rules alone: the first matching forbidden rule decides.
        first = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
        targets = np.array([LABELS.index(r.target) for r in forbidden] or [0])
        best = np.where(first >= 0, targets[np.maximum(first, 0)], 0)
        confidence = np.where(first >= 0, 1.0, 0.0)
        if model is not None:  # the model decides the types it learnt well; the rules keep the others
            trusted = model.classifier.trusted_
            proba = model.classifier.predict_proba(folded, hits)
            learnt = proba.argmax(axis=1)
            from_model = (learnt > 0) & trusted[learnt]
            keep_rule = ~from_model & (best > 0) & ~trusted[best]
            best = np.where(from_model, learnt, np.where(keep_rule, best, 0))
            confidence = np.where(from_model, proba[np.arange(len(folded)), learnt], confidence)
        call_ids, seqs, texts = (chunk[c].to_numpy() for c in ("call_id", "seq", "text"))
        for i in np.flatnonzero(best > 0).tolist():
            label = LABELS[int(best[i])]
            matched = [f"rule:{forbidden[j].id}「{forbidden[j].find(folded[i])}」" for j in np.flatnonzero(hits[i])]
            learned = model.classifier.explain(folded[i], hits[i], label) if model is not None else []
            rule = by_target.get(label)
            parts.append({"call_id": call_ids[i], "seq": int(seqs[i]), "kind": "breach",
                          "target": label, "rule_id": rule.id if rule else None, "title_zh": rule.title_zh if rule
                          else label, "probability": round(float(confidence[i]), 4), "penalty": rule.penalty if rule
                          else 0, "reasons": matched + learned, "text": texts[i]})
    return pd.DataFrame(parts, columns=["call_id", "seq", "kind", "target", "rule_id", "title_zh", "probability",
                                        "penalty", "reasons", "text"])


def _missing_findings(book: RuleBook, turns: pd.DataFrame, folded: list[str]) -> pd.DataFrame:
    """A mandatory item is missing when no agent utterance of the call matches its rule."""
    parts = []
    for rule in book.of_kind("mandatory"):
        said = pd.Series(rule.matches_many(folded), index=turns["call_id"]).groupby(level=0, sort=False).any()
        for call_id in said.index[~said.to_numpy(dtype=bool)]:
            parts.append({"call_id": call_id, "seq": None, "kind": "missing", "target": rule.target,
                              "rule_id": rule.id, "title_zh": rule.title_zh, "probability": 1.0,
                              "penalty": rule.penalty, "reasons": [f"rule:{rule.id} 全通话坐席话术均未出现"],
                              "text": None})
    return pd.DataFrame(parts, columns=["call_id", "seq", "kind", "target", "rule_id", "title_zh", "probability",
                                        "penalty", "reasons", "text"])


def run_qa(book: RuleBook, utterances: pd.DataFrame, calls: pd.DataFrame | None = None,
           model: QaModel | None = None) -> QaResult:
    """QA every transcribed call in ``utterances``; ``calls`` (call_id, agent_id, team, month) adds grouping keys."""
    turns = agent_turns(utterances)
    folded = fold_many(turns["text"].tolist())
    findings = pd.concat([_breach_findings(book, model, turns, folded), _missing_findings(book, turns, folded)],
                         ignore_index=True)
    per_call = pd.DataFrame({"call_id": turns["call_id"].unique()})
    penalties = findings.groupby("call_id")["penalty"].sum()
    breaches = findings[findings["kind"] == "breach"].groupby("call_id").size()
    missing = findings[findings["kind"] == "missing"].groupby("call_id")["target"].agg(
        lambda items: "|".join(sorted(items, key=MANDATORY_ITEMS.index)))
    # reindex, not map: with no transcripts at all (the table is optional) a mapped empty column stays text
    penalty = penalties.reindex(per_call["call_id"], fill_value=0).to_numpy(dtype=np.float64)
    per_call["score"] = np.clip(100 - penalty, 0, None)
    per_call["breaches"] = per_call["call_id"].map(breaches).fillna(0).astype(int)
    per_call["missing"] = per_call["call_id"].map(missing).fillna("")
    per_call["missing_count"] = per_call["missing"].str.count(r"\|") + (per_call["missing"] != "")
    if calls is not None:
        per_call = per_call.merge(calls, on="call_id", how="left")
    return QaResult(findings, per_call, book.identity, model.source if model else "rules_only")


def describe(result: QaResult) -> dict[str, Any]:
    """A JSON-friendly summary for the CLI and the evaluation."""
    findings = result.findings
    return {"rulebook": result.rulebook, "model": result.model, "calls": len(result.calls),
            "mean_call_score": round(float(result.calls["score"].mean()), 2) if len(result.calls) else None,
            "breach_findings": findings[findings["kind"] == "breach"]["target"].value_counts().to_dict(),
            "missing_items": findings[findings["kind"] == "missing"]["target"].value_counts().to_dict()}
