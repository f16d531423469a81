"""The text engine's front door: normalise, match, extract contacts and classify, one text or a batch.

Social monitoring, transcript analysis and complaint analysis all call this, so a fix to the
normaliser or the lexicon reaches every one of them. Models are versioned artefacts under
``<models_dir>/text/<task>/vNNNN``; without one the engine falls back to the lexicon score.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grayshield.core.errors import NotFoundError, ValidationError
from grayshield.models.registry import ModelRegistry
from grayshield.text.classify import (
    CLASSIFIER_KINDS,
    Analysis,
    LexiconScorer,
    TextClassifier,
    check_task,
)
from grayshield.text.contacts import extract_contacts
from grayshield.text.lexicon import Lexicon, load_lexicon
from grayshield.text.normalise import Normaliser, normaliser_for

MODEL_FOLDER = "text"


@dataclass(frozen=True)
class LoadedModel:
    """A classifier and the version that made it; every result records ``source``."""

    classifier: TextClassifier
    source: str  # "text/posts/v0003" or "lexicon_fallback"
    metadata: dict[str, Any]


def model_registry(models_dir: Path) -> ModelRegistry:
    return ModelRegistry(models_dir / MODEL_FOLDER)


def load_model(folder: Path) -> LoadedModel:
    """A saved model version folder (with ``metadata.json``), whatever kind of classifier it holds."""
    meta_path = folder / "metadata.json"
    if not meta_path.is_file():
        raise NotFoundError(f"{folder} is not a text model version folder (no metadata.json)")
    metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    classifier = CLASSIFIER_KINDS.get(metadata.get("kind", "char_ngram")).load(folder)
    return LoadedModel(classifier, f"{MODEL_FOLDER}/{metadata.get('name')}/{metadata.get('version')}", metadata)


def latest_model(models_dir: Path, task: str) -> LoadedModel | None:
    """The newest trained model for ``task``, or None when none has been trained yet."""
    check_task(task)
    registry = model_registry(models_dir)
    if not registry.versions(task):
        return None
    return load_model(registry.get(task).path)


def fallback_model(task: str) -> LoadedModel:
    return LoadedModel(LexiconScorer(task), "lexicon_fallback", {"kind": "lexicon"})


class TextEngine:
    """One lexicon, one classifier per task; ``classify_many`` is the batch path."""

    def __init__(self, lexicon: Lexicon | None = None, models: dict[str, LoadedModel] | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.normaliser: Normaliser = normaliser_for(self.lexicon)
        self.models = dict(models or {})

    def analyse(self, text: str) -> Analysis:
        return Analysis(self.normaliser.normalise(text), extract_contacts(text))

    def analyse_many(self, texts: Sequence[str]) -> list[Analysis]:
        normalise = self.normaliser.normalise
        return [Analysis(normalise(t), extract_contacts(t)) for t in texts]

    def model(self, task: str) -> LoadedModel:
        check_task(task)
        if task not in self.models:
            self.models[task] = fallback_model(task)
        return self.models[task]

    def predict(self, texts: Sequence[str], task: str) -> tuple[list[Analysis], np.ndarray]:
        """Analyses and probability rows (columns in the task's label order): the fast batch path."""
        analyses = self.analyse_many(texts)
        return analyses, self.model(task).classifier.predict_proba(analyses)

    def classify_many(self, texts: Sequence[str], task: str, explain: int = 5) -> list[dict[str, Any]]:
        """One self-explaining result per text: label, probability, hits and contacts with original spans."""
        if any(not isinstance(t, str) for t in texts):
            raise ValidationError("every text to classify must be a string")
        loaded = self.model(task)
        analyses, proba = self.predict(texts, task)
        labels = loaded.classifier.labels
        results = []
        for analysis, row in zip(analyses, proba, strict=True):
            best = int(np.argmax(row))
            normalised = analysis.normalised
            results.append({
                "label": labels[best],
                "probability": round(float(row[best]), 4),
                "probabilities": {label: round(float(p), 4) for label, p in zip(labels, row, strict=True)},
                "model": loaded.source,
                "lexicon": self.lexicon.identity,
                "hits": [normalised.hit_dict(h) for h in normalised.hits],
                "contacts": [c.as_dict() for c in analysis.contacts],
                "explanation": loaded.classifier.explain(analysis, labels[best], explain) if explain else [],
            })
        return results
