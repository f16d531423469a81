"""Gang discovery: the entity graph across sources, Leiden communities, scores, summaries and stable ids."""

from grayshield.graph.build import EntityGraph, GraphConfig, build_graph
from grayshield.graph.communities import Community, Discovery, DiscoveryConfig, discover

__all__ = ["Community", "Discovery", "DiscoveryConfig", "EntityGraph", "GraphConfig", "build_graph", "discover"]
