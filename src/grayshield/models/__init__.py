"""Model building blocks shared by the detectors: metrics, LightGBM with reasons, WOE scorecard, registry."""

from grayshield.models.gbm import GbmClassifier
from grayshield.models.metrics import auc, capture_at, classification_report, ks, lift_at, psi
from grayshield.models.registry import ModelRegistry, ModelVersion
from grayshield.models.scorecard import ScorecardModel

__all__ = [
    "GbmClassifier",
    "ModelRegistry",
    "ModelVersion",
    "ScorecardModel",
    "auc",
    "capture_at",
    "classification_report",
    "ks",
    "lift_at",
    "psi",
]
