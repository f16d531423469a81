"""Quality measurement: train on one world, report on another, for every detector area.

Each area names the function that does its work as ``"module:function"``, imported only when that area
is asked for, so ``grayshield eval text`` never loads LightGBM or Spark. Evaluators take
``(train_world, test_world, out_dir)`` and return a JSON-serialisable dict with self-explaining keys;
trainers take ``(world, models_dir)``.

Training can also take its labels from the operational store (``labels="outcomes"`` or ``"both"``, see
:mod:`grayshield.services.labels`): real bank data has no truth, and closed cases, reviewed tags and platform
take-downs are the labels a bank has. ``labels=None`` means truth when the world has it, else outcomes.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grayshield.contract import TABLES
from grayshield.core.errors import NotFoundError, RegistryError, ValidationError
from grayshield.core.registry import Registry

if TYPE_CHECKING:
    from grayshield.services.labels import LabelSource
    from grayshield.store import Database

AREAS = ("text", "pii", "complaints", "callers", "social", "gangs", "compliance")
LABELLED_AREAS = ("callers", "complaints", "social")
"""Areas whose trainer can learn from store outcomes (``--labels outcomes|both``) as well as from truth."""

EVALUATORS: Registry[str] = Registry("evaluation area")
TRAINERS: Registry[str] = Registry("training area")

for _area, _module in (
    ("complaints", "grayshield.services.complaint_warning"),
    ("text", "grayshield.text.evaluation"),
    ("callers", "grayshield.callers.evaluation"),
    ("compliance", "grayshield.compliance.evaluation"),
    ("social", "grayshield.social.evaluation"),
):
    EVALUATORS.register(_area, f"{_module}:evaluate_world")
    TRAINERS.register(_area, f"{_module}:train_world")
EVALUATORS.register("pii", "grayshield.pii.evaluation:evaluate_world")
EVALUATORS.register("gangs", "grayshield.graph.evaluation:evaluate_world")  # nothing trained: fixed weights


def _resolve(target: str) -> Callable[..., Any]:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]


def check_world(path: Path) -> Path:
    """A world directory: a manifest, or (a lake, an ingested extract) at least one contract table's folder.

    The lake is laid out as a world but ingest writes no manifest, so `grayshield gangs discover LAKE` was
    refused although its help offers an ingested extract; the error still says how to make a world.
    """
    from grayshield.lake import open_world

    if not (path / "world.json").is_file() and not (
            path.is_dir() and any(open_world(path).has_table(name) for name in TABLES)):
        raise NotFoundError(
            f"{path} is not a world (no world.json and no contract tables); make one with "
            f"`grayshield simulate --customers 2000 --months 6 --seed 1 --out {path}`"
        )
    return path


MULTI_WORLD_AREAS = frozenset({"callers"})
"""Areas whose ``--train`` may be a folder of worlds (e.g. a default and a hard one) learnt from together."""


def check_training_world(area: str, path: Path) -> Path:
    """A world, or for :data:`MULTI_WORLD_AREAS` also a folder whose sub-folders are worlds."""
    if area in MULTI_WORLD_AREAS and _several_worlds(path):
        return path
    return check_world(path)


def _sub_worlds(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if (p / "world.json").is_file()) if path.is_dir() else []


def _several_worlds(path: Path) -> bool:
    """A folder of worlds rather than one world (a world's own manifest wins)."""
    return not (path / "world.json").is_file() and bool(_sub_worlds(path))


def world_manifest(path: Path) -> dict[str, Any]:
    return json.loads((check_world(path) / "world.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def evaluate(area: str, train_world: Path, test_world: Path, out_dir: Path | None = None) -> dict[str, Any]:
    if area not in AREAS:
        raise RegistryError(f"unknown evaluation area {area!r}; areas: {', '.join(AREAS)}")
    if area not in EVALUATORS:
        raise NotFoundError(f"area {area!r} has no evaluator in this version of GrayShield yet")
    target = EVALUATORS.get(area)
    check_training_world(area, train_world)
    check_world(test_world)
    result: dict[str, Any] = _resolve(target)(train_world, test_world, out_dir)
    return {
        "area": area,
        "train_world": {"path": str(train_world), **_world_identity(train_world)},
        "test_world": {"path": str(test_world), **_world_identity(test_world)},
        **result,
    }


def train(area: str, world: Path, models_dir: Path, labels: str | None = None,
          database: Database | None = None) -> dict[str, Any]:
    """Train ``area`` on ``world``; ``labels`` picks truth, store outcomes or both (None: truth if present).

    ``gangs`` trains only on outcomes: the gang score's weights, calibrated on decided gang cases.
    """
    if area == "gangs":
        return _train_gangs(labels, database, models_dir)
    if area not in TRAINERS:
        raise NotFoundError(f"area {area!r} has no trainer in this version of GrayShield yet")
    check_training_world(area, world)
    several = _several_worlds(world)
    if several and labels not in (None, "truth"):
        raise ValidationError("多个世界一起训练只用模拟真值；--labels outcomes/both 请指定单个世界")
    if area in LABELLED_AREAS and not several:
        source = _label_source(area, world, labels, database)
        if source.mode != "truth":
            from grayshield.services import label_training

            return label_training.train(area, source, models_dir)
    elif labels not in (None, "truth"):
        raise ValidationError(f"{area} 只能用模拟世界的真值训练；--labels outcomes/both 适用于: "
                              f"{', '.join(LABELLED_AREAS)}")
    result: dict[str, Any] = _resolve(TRAINERS.get(area))(world, models_dir)
    return result


def _train_gangs(labels: str | None, database: Database | None, models_dir: Path) -> dict[str, Any]:
    from grayshield.services import label_training

    if labels not in (None, "outcomes"):
        raise ValidationError("团伙评分只从运营库中已结案的团伙案件校准：请用 --labels outcomes")
    if database is None:
        raise ValidationError("团伙评分校准需要运营库（GRAYSHIELD_DATABASE_URL）")
    return label_training.train_gangs(database.session, models_dir)


def evaluate_labels(area: str, train_world: Path, test_world: Path, labels: str,
                    database: Database | None = None) -> dict[str, Any]:
    """Quality on the held-out ``test_world`` of ``area`` trained with ``labels`` on ``train_world``.

    With ``labels="outcomes"`` this answers the question a bank asks before trusting its own decisions as
    training data: does a model trained on the cases we closed find what we did not look at?
    """
    from grayshield.services import label_training

    if area not in LABELLED_AREAS:
        raise ValidationError(f"{area} 不从标签训练；可用: {', '.join(LABELLED_AREAS)}")
    check_world(train_world)
    check_world(test_world)
    return label_training.evaluate(area, _label_source(area, train_world, labels, database), test_world)


def _label_source(area: str, world: Path, labels: str | None, database: Database | None) -> LabelSource:
    from grayshield.lake import open_world
    from grayshield.services.labels import open_labels

    return open_labels(open_world(world), labels, area, database.session if database is not None else None)


def _world_identity(path: Path) -> dict[str, Any]:
    if not (path / "world.json").is_file():  # several worlds, or a lake (no manifest: its worlds list is empty)
        return {"worlds": [{"path": str(p), **_world_identity(p)} for p in _sub_worlds(path)]}
    manifest = world_manifest(path)
    return {k: manifest.get(k) for k in ("generator", "seed", "profile")}
