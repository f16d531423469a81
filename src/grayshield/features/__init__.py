"""Features over the lake: the complaint early-warning catalogue, point-in-time correct, as Ibis expressions
(DuckDB by default, Spark through the same code)."""

from grayshield.features.build import build_features, categorical_features, feature_names, make_spine
from grayshield.features.catalogue import DIMENSION_ZH, Dimension, TableSource
from grayshield.features.definitions import default_catalogue

__all__ = [
    "DIMENSION_ZH",
    "Dimension",
    "TableSource",
    "build_features",
    "categorical_features",
    "default_catalogue",
    "feature_names",
    "make_spine",
]
