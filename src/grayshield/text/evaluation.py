"""``grayshield train text`` / ``grayshield eval text``: the classifiers, contacts and normaliser on worlds.

Reads only contract tables and ground truth through :func:`grayshield.lake.open_world`, so a world from
any generator can be measured. Posts train the post classifier; caller utterances and complaint texts
(same four labels) train the utterance classifier.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grayshield.core.errors import ContractError
from grayshield.core.logging import get_logger
from grayshield.lake import open_world
from grayshield.lake.world import World
from grayshield.text.classify import TASKS, Analysis, CharNgramClassifier, LexiconScorer, TextClassifier
from grayshield.text.engine import TextEngine, model_registry

log = get_logger(__name__)
HARD_NEGATIVES = ("consumer_discussion", "news_official")
TARGETS = {"blackgray_ad_f1": 0.95, "hard_negative_fpr": 0.02, "proxy_representation_f1": 0.90}


@dataclass(frozen=True)
class Corpus:
    """Texts with their true labels and, for posts, the truth's evasion flags and contacts."""

    texts: list[str]
    labels: list[str]
    evasion: list[bool]
    contacts: list[str]


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pyarrow().to_pylist()  # type: ignore[no-any-return]


def post_corpus(world: World) -> Corpus:
    """One row per post (the latest crawl), title and body joined, labelled by ``truth/social_posts``."""
    posts = world.table("social_posts")
    truth = world.truth("social_posts")
    joined = posts.join(truth, ["platform", "post_id"]).order_by(["platform", "post_id", "crawled_time"])
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _rows(joined.select("platform", "post_id", "title", "text", "label", "evasion", "contacts")):
        latest[(row["platform"], row["post_id"])] = row
    rows = list(latest.values())
    return Corpus(
        texts=[" ".join(filter(None, (r["title"], r["text"]))) for r in rows],
        labels=[r["label"] for r in rows],
        evasion=[bool(r["evasion"]) for r in rows],
        contacts=[r["contacts"] or "" for r in rows],
    )


def utterance_corpus(world: World) -> Corpus:
    """Caller turns labelled by ``truth/utterances``."""
    utterances = world.table("call_utterances")
    joined = utterances.filter(utterances.speaker == "caller").join(world.truth("utterances"), ["call_id", "seq"])
    rows = _rows(joined.select("text", "label").order_by(["text"]))
    return Corpus([r["text"] for r in rows], [r["label"] for r in rows], [False] * len(rows), [""] * len(rows))


def complaint_corpus(world: World) -> Corpus:
    """Complaint bodies labelled by ``truth/complaints``; empty when the world has no complaints."""
    if not world.has_table("complaints") or not world.has_truth("complaints"):
        return Corpus([], [], [], [])
    joined = world.table("complaints").join(world.truth("complaints"), ["complaint_id"])
    rows = _rows(joined.select("text", "label").order_by(["text"]))
    return Corpus([r["text"] for r in rows], [r["label"] for r in rows], [False] * len(rows), [""] * len(rows))


def _require(corpus: Corpus, what: str, world: World) -> Corpus:
    if not corpus.texts:
        raise ContractError(f"{world.root} has no labelled {what}; text models need social_posts and call_utterances")
    return corpus


def fit(engine: TextEngine, task: str, corpus: Corpus) -> CharNgramClassifier:
    analyses = engine.analyse_many(corpus.texts)
    categories = list(engine.lexicon.categories)
    return CharNgramClassifier(task).fit(analyses, corpus.labels, categories)


def _training_corpora(world: World) -> dict[str, Corpus]:
    utterances = _require(utterance_corpus(world), "call utterances", world)
    complaints = complaint_corpus(world)
    return {
        "posts": _require(post_corpus(world), "social posts", world),
        "utterances": Corpus(
            utterances.texts + complaints.texts,
            utterances.labels + complaints.labels,
            utterances.evasion + complaints.evasion,
            utterances.contacts + complaints.contacts,
        ),
    }


def train_world(world: Path, models_dir: Path) -> dict[str, Any]:
    """Train both classifiers on ``world`` and publish them as new versions under ``models_dir/text``."""
    opened = open_world(world)
    engine = TextEngine()
    registry = model_registry(models_dir)
    published: dict[str, Any] = {}
    for task, corpus in _training_corpora(opened).items():
        classifier = fit(engine, task, corpus)

        def write(folder: Path, classifier: TextClassifier = classifier, corpus: Corpus = corpus,
                  task: str = task) -> dict[str, Any]:
            from grayshield.text.classify import CLASSIFIER_KINDS

            CLASSIFIER_KINDS.get("char_ngram").save(classifier, folder)
            return {
                "kind": "char_ngram",
                "task": task,
                "labels": list(classifier.labels),
                "lexicon": engine.lexicon.identity,
                "trained_on": opened.identity(),
                "training_rows": len(corpus.texts),
                "class_counts": {label: corpus.labels.count(label) for label in classifier.labels},
                "features": "tf-idf char 1-3-grams of normalised text + lexicon category weights, contacts",
            }

        version = registry.publish(task, write)
        log.info("published text model %s %s (%d rows)", task, version.version, len(corpus.texts))
        published[task] = {"version": version.version, "path": str(version.path),
                           "training_rows": len(corpus.texts)}
    return {"area": "text", "models": published, "lexicon": engine.lexicon.identity}


# ------------------------------------------------------------------------------------------- evaluation
def classification_metrics(truth: Sequence[str], proba: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per-class precision / recall / F1 / support, macro F1 and the confusion matrix (rows: truth)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    predicted = [labels[i] for i in np.argmax(proba, axis=1)]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(labels), zero_division=0)
    per_class = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    matrix = confusion_matrix(truth, predicted, labels=list(labels))
    return {
        "per_class": per_class,
        "macro_f1": float(np.mean([c["f1"] for c in per_class.values() if c["support"]] or [0.0])),
        "accuracy": float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])) if truth else 0.0,
        "confusion_matrix": {"labels": list(labels), "rows_truth_columns_predicted": matrix.tolist()},
    }


def hard_negative_fpr(truth: Sequence[str], proba: np.ndarray, labels: Sequence[str]) -> float:
    """Share of consumer discussions and news / official posts the classifier calls black/gray ads."""
    predicted = np.asarray(labels)[np.argmax(proba, axis=1)]
    negatives = np.isin(np.asarray(truth), HARD_NEGATIVES)
    return float((predicted[negatives] == "blackgray_ad").mean()) if negatives.any() else 0.0


_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def contact_key(value: str) -> str:
    """A comparable form of a contact, whatever canonical form the truth uses (wx:abc, +8613…, 13…)."""
    key = _NOT_ALNUM.sub("", value.lower().rsplit(":", 1)[-1])
    return key[2:] if len(key) >= 12 and key.startswith("86") else key  # +86 138…, +86 400…


def contact_metrics(corpus: Corpus, analyses: Sequence[Analysis]) -> dict[str, Any]:
    """Recall on the truth's embedded contacts; every extra extraction is counted as a false positive."""
    expected = found = extra = 0
    for truth, analysis in zip(corpus.contacts, analyses, strict=True):
        wanted = {contact_key(c) for c in truth.split("|") if c.strip()}
        got = {contact_key(c.value) for c in analysis.contacts if c.kind != "link"}
        got_links = {contact_key(c.value) for c in analysis.contacts if c.kind == "link"}
        expected += len(wanted)
        found += len(wanted & (got | got_links))
        extra += len(got - wanted)
    return {"expected": expected, "found": found, "recall": found / expected if expected else None,
            "false_positives": extra}


def _pr_curve(path: Path, curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    figure, axis = plt.subplots(figsize=(6, 5))
    for name, (truth, score) in curves.items():
        if truth.any():
            precision, recall, _ = precision_recall_curve(truth, score)
            axis.plot(recall, precision, label=name)
    axis.set_xlabel("recall")
    axis.set_ylabel("precision")
    axis.set_title("text classifiers: precision-recall on the test world")
    axis.legend(loc="lower left")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)


def _evaluate_task(
    engine: TextEngine, task: str, classifier: TextClassifier, corpus: Corpus
) -> tuple[dict[str, Any], np.ndarray]:
    """The task's metrics on ``corpus`` and the probability rows behind them (for the PR curve)."""
    started = time.perf_counter()
    analyses = engine.analyse_many(corpus.texts)
    proba = classifier.predict_proba(analyses)
    seconds = time.perf_counter() - started
    labels = TASKS[task]
    baseline = LexiconScorer(task).predict_proba(analyses)
    result: dict[str, Any] = {
        "rows": len(corpus.texts),
        **classification_metrics(corpus.labels, proba, labels),
        "lexicon_only_baseline": {"macro_f1": classification_metrics(corpus.labels, baseline, labels)["macro_f1"]},
        "texts_per_second": len(corpus.texts) / seconds if seconds else None,
    }
    if task == "posts":
        result["hard_negative_fpr"] = hard_negative_fpr(corpus.labels, proba, labels)
        result["lexicon_only_baseline"]["hard_negative_fpr"] = hard_negative_fpr(corpus.labels, baseline, labels)
        evasive = [i for i, (e, label) in enumerate(zip(corpus.evasion, corpus.labels, strict=True))
                   if e and label == "blackgray_ad"]
        predicted = np.argmax(proba, axis=1)
        result["evasion_ads"] = {
            "count": len(evasive),
            "recall": float(np.mean([labels[predicted[i]] == "blackgray_ad" for i in evasive])) if evasive else None,
            "with_lexicon_hit": float(np.mean([bool(analyses[i].normalised.hits) for i in evasive])) if evasive else None,
        }
        result["contacts"] = contact_metrics(corpus, analyses)
    return result, proba


def evaluate_world(train_world: Path, test_world: Path, out_dir: Path | None) -> dict[str, Any]:
    """Train on ``train_world``, measure on ``test_world``; the PR curve goes to ``out_dir`` when given."""
    engine = TextEngine()
    train, test = open_world(train_world), open_world(test_world)
    corpora = _training_corpora(train)
    posts_model = fit(engine, "posts", corpora["posts"])
    utterance_model = fit(engine, "utterances", corpora["utterances"])
    test_corpora = {
        "posts": ("posts", posts_model, _require(post_corpus(test), "social posts", test)),
        "utterances": ("utterances", utterance_model, _require(utterance_corpus(test), "call utterances", test)),
        "complaints": ("utterances", utterance_model, complaint_corpus(test)),
    }
    results: dict[str, Any] = {}
    curves = {}
    for name, (task, model, corpus) in test_corpora.items():
        if not corpus.texts:
            continue
        results[name], proba = _evaluate_task(engine, task, model, corpus)
        label = "blackgray_ad" if task == "posts" else "proxy_representation"
        curves[f"{name}: {label}"] = (np.asarray(corpus.labels) == label, proba[:, TASKS[task].index(label)])
    report: dict[str, Any] = {"lexicon": engine.lexicon.identity, **results}
    figures = {
        "blackgray_ad_f1": results["posts"]["per_class"]["blackgray_ad"]["f1"],
        "hard_negative_fpr": results["posts"]["hard_negative_fpr"],
        "proxy_representation_f1": results["utterances"]["per_class"]["proxy_representation"]["f1"],
    }
    report["targets"] = {
        name: {"value": value, "target": TARGETS[name],
               "met": value <= TARGETS[name] if name.endswith("fpr") else value >= TARGETS[name]}
        for name, value in figures.items()
    }
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _pr_curve(out_dir / "text_pr_curve.png", curves)
        report["pr_curve_png"] = str(out_dir / "text_pr_curve.png")
    return report

