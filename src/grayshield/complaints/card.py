"""The model card: one self-contained HTML page (plots inlined, no external asset) for model-risk review."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from grayshield.features import default_catalogue
from grayshield.features.catalogue import DIMENSION_ZH


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def curves_plot(y: npt.ArrayLike, scores: Mapping[str, npt.ArrayLike]) -> str:
    """ROC and capture curves of each named score on the same labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    labels = np.asarray(y)
    fig, (roc_ax, cap_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for name, score in scores.items():
        s = np.asarray(score)
        fpr, tpr, _ = roc_curve(labels, s)
        roc_ax.plot(fpr, tpr, label=name)
        order = np.argsort(-s, kind="stable")
        captured = np.cumsum(labels[order]) / max(labels.sum(), 1)
        cap_ax.plot(np.arange(1, len(s) + 1) / len(s), captured, label=name)
    roc_ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    roc_ax.set(title="ROC", xlabel="false positive rate", ylabel="true positive rate")
    cap_ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    cap_ax.axvline(0.05, color="grey", lw=0.8)
    cap_ax.set(title="capture", xlabel="alert rate", ylabel="share of complaints captured")
    roc_ax.legend()
    return _png(fig)


def importance_plot(importance: dict[str, float], top: int = 15) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(importance.items(), key=lambda kv: kv[1])[-top:]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(items) + 1))
    ax.barh([k for k, _ in items], [v for _, v in items])
    ax.set(title="feature importance (gain)")
    return _png(fig)


def render(summary: dict[str, Any], features: Sequence[str], plots: dict[str, str]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("grayshield.complaints", "templates"), autoescape=select_autoescape())
    catalogue = {f.name: f for f in default_catalogue()}
    rows = [{"name": n, "dimension": DIMENSION_ZH[catalogue[n].dimension] if n in catalogue else "",
             "definition": catalogue[n].definition if n in catalogue else ""} for n in features]
    return env.get_template("model_card.html.j2").render(summary=summary, features=rows, plots=plots)
