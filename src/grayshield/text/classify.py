"""Text classifiers: the fast character n-gram default, the lexicon fallback, and the protocol for others.

Character n-grams need no word segmentation (jieba splits evasion spellings unpredictably), are robust
to the spellings normalisation leaves behind, and a linear model over them trains in seconds and
explains itself: the n-grams and lexicon categories that pushed a text towards its label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from grayshield.contract.truth import POST_LABELS, UTTERANCE_LABELS
from grayshield.core.errors import ValidationError
from grayshield.core.registry import Registry
from grayshield.text.contacts import Contact
from grayshield.text.ngrams import CharNgramTfidf
from grayshield.text.normalise import Normalised

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

TASKS: dict[str, tuple[str, ...]] = {"posts": POST_LABELS, "utterances": UTTERANCE_LABELS}
"""What each classifier tells apart: (a) posts and comments, (b) call utterances and complaint texts."""


@dataclass(frozen=True)
class Analysis:
    """Everything the engine learnt about one text before classification."""

    normalised: Normalised
    contacts: list[Contact]


@runtime_checkable
class TextClassifier(Protocol):
    """What a classifier for one task offers; a heavier model (a fine-tuned BERT, say) implements this."""

    task: str
    labels: tuple[str, ...]

    def predict_proba(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """Rows of probabilities, columns in ``labels`` order."""
        ...

    def explain(self, analysis: Analysis, label: str, top: int = 5) -> list[dict[str, Any]]:
        """The features that pushed ``analysis`` towards ``label``, strongest first."""
        ...


def check_task(task: str) -> tuple[str, ...]:
    if task not in TASKS:
        raise ValidationError(f"unknown text task {task!r}; tasks: {', '.join(TASKS)}")
    return TASKS[task]


def _signal_scores(analysis: Analysis) -> dict[str, float]:
    scores: dict[str, float] = {}
    for hit in analysis.normalised.hits:
        scores[hit.term.signal] = scores.get(hit.term.signal, 0.0) + hit.term.weight
    return scores


class LexiconScorer:
    """The fallback when no model is trained: lexicon weights (and, for posts, contacts) squashed to (0, 1).

    It can only say how strongly a text speaks for each lexicon signal; the remaining probability is
    shared by the labels no lexicon category speaks for (consumer discussion vs. news look alike to it).
    """

    def __init__(self, task: str, scale: float = 4.0) -> None:
        self.task = task
        self.labels = check_task(task)
        self.scale = scale

    def _row(self, analysis: Analysis) -> list[float]:
        scores = _signal_scores(analysis)
        if self.task == "posts":
            scores["blackgray_ad"] = scores.get("blackgray_ad", 0.0) + 1.5 * len(analysis.contacts)
        strength = {label: 1 - math.exp(-scores.get(label, 0.0) / self.scale) for label in self.labels}
        signalled = [label for label in self.labels if label in scores]
        rest = [label for label in self.labels if label not in signalled]
        remaining = math.prod(1 - strength[label] for label in signalled)
        row = [strength[label] if label in signalled else remaining / max(len(rest), 1) for label in self.labels]
        total = sum(row)
        return [value / total for value in row]

    def predict_proba(self, analyses: Sequence[Analysis]) -> np.ndarray:
        return np.array([self._row(a) for a in analyses], dtype=float).reshape(len(analyses), len(self.labels))

    def explain(self, analysis: Analysis, label: str, top: int = 5) -> list[dict[str, Any]]:
        hits = [h for h in analysis.normalised.hits if h.term.signal == label]
        hits.sort(key=lambda h: -h.term.weight)
        return [{"feature": f"lexicon:{h.term.category}:{h.term.text}", "weight": h.term.weight} for h in hits[:top]]


class CharNgramClassifier:
    """TF-IDF character 1-3-grams of the normalised text plus lexicon features, logistic regression,
    sigmoid-calibrated on cross-validated predictions (scikit-learn estimator conventions)."""

    def __init__(self, task: str, max_n: int = 3, bits: int = 19, c: float = 8.0, min_df: int = 2) -> None:
        self.task = task
        self.labels = check_task(task)
        self.max_n = max_n
        self.bits = bits
        self.c = c
        self.min_df = min_df

    # features -----------------------------------------------------------------------------
    def _lexicon_features(self, analyses: Sequence[Analysis]) -> np.ndarray:
        index = {name: i for i, name in enumerate(self.lexicon_features_)}
        rows = np.zeros((len(analyses), len(index)), dtype=np.float32)
        for row, analysis in enumerate(analyses):
            for hit in analysis.normalised.hits:
                column = index.get(f"lexicon:{hit.term.category}")
                if column is not None:
                    rows[row, column] += hit.term.weight
                rows[row, index["sound_alike_spellings"]] += hit.sound_alike
            for contact in analysis.contacts:
                rows[row, index["links" if contact.kind == "link" else "contacts"]] += 1
        return np.log1p(rows)

    def _features(self, analyses: Sequence[Analysis]) -> csr_matrix:
        from scipy.sparse import csr_matrix, hstack

        ngrams = self.vectorizer_.transform([a.normalised.text for a in analyses])
        return hstack([ngrams, csr_matrix(self._lexicon_features(analyses))], format="csr")

    # estimator ----------------------------------------------------------------------------
    def fit(self, analyses: Sequence[Analysis], labels: Sequence[str], categories: Sequence[str]) -> CharNgramClassifier:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        unknown = sorted(set(labels) - set(self.labels))
        if unknown:
            raise ValidationError(f"labels {unknown} are not {self.task} labels ({', '.join(self.labels)})")
        present = [label for label in self.labels if label in set(labels)]
        if len(present) < 2:
            raise ValidationError(f"training a {self.task} model needs at least two labels; got {present}")
        self.lexicon_features_ = [f"lexicon:{c}" for c in sorted(categories)] + [
            "sound_alike_spellings", "contacts", "links"]
        self.vectorizer_ = CharNgramTfidf(self.max_n, self.bits, self.min_df).fit([a.normalised.text for a in analyses])
        folds = max(2, min(3, *(list(labels).count(label) for label in present)))
        self.model_ = CalibratedClassifierCV(
            LogisticRegression(C=self.c, max_iter=3000), method="sigmoid", cv=folds, ensemble=False)
        self.model_.fit(self._features(analyses), np.asarray(labels))
        return self

    def predict_proba(self, analyses: Sequence[Analysis]) -> np.ndarray:
        if not analyses:
            return np.zeros((0, len(self.labels)))
        proba = self.model_.predict_proba(self._features(analyses))
        columns = {label: i for i, label in enumerate(self.model_.classes_)}
        out = np.zeros((len(analyses), len(self.labels)))
        for j, label in enumerate(self.labels):
            if label in columns:
                out[:, j] = proba[:, columns[label]]
        return out

    def explain(self, analysis: Analysis, label: str, top: int = 5) -> list[dict[str, Any]]:
        linear = self.model_.calibrated_classifiers_[0].estimator
        classes = list(linear.classes_)
        if label not in classes:
            return []
        coef = linear.coef_[0] * (1 if label == classes[1] else -1) if len(classes) == 2 else linear.coef_[classes.index(label)]
        row = self._features([analysis]).tocoo()
        names = self.vectorizer_.columns(analysis.normalised.text)
        names.update({self.vectorizer_.width + i: name for i, name in enumerate(self.lexicon_features_)})
        contributions = sorted(zip(row.col, row.data * coef[row.col], strict=True), key=lambda p: -p[1])
        return [{"feature": names.get(int(j), f"bucket:{j}"), "weight": round(float(w), 4)}
                for j, w in contributions[:top] if w > 0]


@dataclass(frozen=True)
class ClassifierKind:
    """How to save and load one kind of classifier; a bank registers a heavier model's kind here."""

    save: Callable[[TextClassifier, Path], None]
    load: Callable[[Path], TextClassifier]


def _save_joblib(classifier: TextClassifier, folder: Path) -> None:
    import joblib  # type: ignore[import-untyped]

    joblib.dump(classifier, folder / "model.joblib", compress=3)


def _load_joblib(folder: Path) -> TextClassifier:
    """Models are read only from the bank's own models folder: joblib files execute code when loaded."""
    import joblib  # type: ignore[import-untyped]

    loaded = joblib.load(folder / "model.joblib")
    if not isinstance(loaded, TextClassifier):
        raise ValidationError(f"{folder / 'model.joblib'} does not hold a text classifier")
    return loaded


CLASSIFIER_KINDS: Registry[ClassifierKind] = Registry("text classifier kind")
CLASSIFIER_KINDS.register("char_ngram", ClassifierKind(save=_save_joblib, load=_load_joblib))
