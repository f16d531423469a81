"""What the caller says: proxy, escalation and coaching signals per call, from the speech-to-text transcript.

The text engine (``grayshield.text``) classifies utterances best; it sits behind :class:`UtteranceScorer` so the
caller engine still works where it is not installed or not trained, with a small lexicon of the phrases agencies'
staff use on the phone (a fallback, deliberately short: the text engine owns the real lexicon and its evasion
handling).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from grayshield.features.catalogue import TableSource

SIGNALS = ("proxy_representation", "escalation_threat", "coached_customer")
SIGNAL_ZH = {
    "proxy_representation": "来电者自称代理/代办",
    "escalation_threat": "威胁投诉/起诉/曝光",
    "coached_customer": "话术像被人指导",
}


class UtteranceScorer(Protocol):
    """Maps caller utterances to one probability column per signal in :data:`SIGNALS` (rows in input order)."""

    name: str

    def score(self, texts: Sequence[str]) -> np.ndarray: ...


_FALLBACK_PATTERNS = {
    "proxy_representation": r"委托|代理|代办|受.{0,4}委托|我是他的|我是她的|替他|替她|帮他|帮她|法务|律师|我们公司|我方当事人|授权",
    "escalation_threat": r"投诉|银保监|金融监管|12378|起诉|诉讼|曝光|媒体|报警|仲裁|人民银行",
    "coached_customer": r"停息挂账|个性化分期|协商还款|减免|只还本金|暴力催收|征信|违规|录音为证",
}


class LexiconUtteranceScorer:
    """Fallback scorer: a regex per signal; the probability saturates with repeated hits (1 - 0.5^hits)."""

    name = "callers_lexicon_fallback"

    def __init__(self, patterns: dict[str, str] | None = None) -> None:
        self.patterns = {k: re.compile(v) for k, v in (patterns or _FALLBACK_PATTERNS).items()}

    def score(self, texts: Sequence[str]) -> np.ndarray:
        hits = np.array([[len(self.patterns[s].findall(t)) for s in SIGNALS] for t in texts], dtype=np.float64)
        return 1.0 - np.power(0.5, hits) if len(texts) else np.zeros((0, len(SIGNALS)))


class TextEngineUtteranceScorer:
    """Adapter over the text engine's utterance classifier (its labels include the three signals)."""

    def __init__(self, models_dir: str | None = None) -> None:
        from pathlib import Path

        from grayshield.text import TextEngine, latest_model

        model = latest_model(Path(models_dir), "utterances") if models_dir else None
        self.engine = TextEngine(models={"utterances": model} if model else None)
        self.name = f"text_engine:{self.engine.model('utterances').source}"
        self._labels = list(self.engine.model("utterances").classifier.labels)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(SIGNALS)))
        _, proba = self.engine.predict(list(texts), "utterances")
        return np.column_stack([proba[:, self._labels.index(s)] for s in SIGNALS])


def default_scorer(models_dir: str | None = None) -> UtteranceScorer:
    """The text engine when it is importable, else the lexicon fallback; the result names which one ran."""
    try:
        return TextEngineUtteranceScorer(models_dir)
    except ImportError:
        return LexiconUtteranceScorer()


def call_signals(source: TableSource, call_ids: Sequence[str], scorer: UtteranceScorer) -> pd.DataFrame:
    """Per call: the strongest caller utterance for each signal (``text_<signal>``), 0 where no transcript."""
    columns = [f"text_{s}" for s in SIGNALS]
    if not call_ids:
        return pd.DataFrame(columns=["call_id", *columns])
    import ibis

    utterances = source.table("call_utterances")
    wanted = ibis.memtable({"want_call_id": list(call_ids)})
    caller = utterances.filter(utterances.speaker == "caller")
    caller = caller.join(wanted, caller.call_id == wanted.want_call_id).select("call_id", "text")
    frame: pd.DataFrame = caller.to_pandas()
    if frame.empty:
        return pd.DataFrame({"call_id": list(call_ids), **dict.fromkeys(columns, 0.0)})
    scores = scorer.score(frame["text"].fillna("").tolist())
    frame[columns] = scores
    per_call = frame.groupby("call_id", as_index=False)[columns].max()
    base = pd.DataFrame({"call_id": list(call_ids)})
    return base.merge(per_call, on="call_id", how="left").fillna(0.0)
