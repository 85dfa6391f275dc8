"""The two graph algorithms, on igraph's C core: weighted PageRank and Louvain communities.

Edges come as parallel arrays of node names and weights; node names are factorised to integer ids
once, so a graph of millions of edges is built without a Python loop over edges.

igraph is imported when a graph is first built, not with this module: the graph models import it in
every dbt build, and most daily builds have no graph due (escucha.graph.refresh), so they skip the
import (most of a second: igraph loads its plotting modules).
"""
from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import igraph as ig


def _graph(sources, targets, weights, directed: bool) -> tuple[ig.Graph, np.ndarray]:
    import igraph as ig

    ends = np.concatenate([np.asarray(sources), np.asarray(targets)])
    # integer names (escucha.graph.refresh.number_accounts) are factorised as integers, much faster
    codes, names = pd.factorize(ends if ends.dtype.kind in "iu" else ends.astype(object, copy=False),
                                sort=True)
    n = len(np.asarray(sources))
    # pairs zipped from two flat lists: igraph reads them 2-3 times as fast as a list of lists
    graph = ig.Graph(n=len(names), edges=zip(codes[:n].tolist(), codes[n:].tolist()), directed=directed)
    graph.es["weight"] = np.asarray(weights, dtype=float).tolist()
    return graph, np.asarray(names, dtype=object)


def pagerank(sources, targets, weights, alpha: float = 0.85) -> pd.Series:
    """Weighted PageRank of the directed graph (damping ``alpha``; dangling nodes spread their rank
    uniformly), indexed by node name; sums to 1."""
    graph, names = _graph(sources, targets, weights, directed=True)
    values = graph.pagerank(weights="weight", damping=alpha, directed=True)
    return pd.Series(values, index=names, dtype=float)


#: igraph's random number generator is process-wide: one Louvain at a time draws from its own seeded
#: generator, so threads (dbt runs Python models side by side) cannot disturb each other's sequence
_RNG_LOCK = threading.Lock()


def louvain(us, vs, weights, resolution: float = 1.0, seed: int = 42) -> list[set]:
    """Louvain communities of the undirected weighted graph (multilevel modularity optimisation at
    ``resolution``), as sets of node names. ``seed`` fixes igraph's random node order, so a graph
    gives the same communities on every run."""
    import igraph as ig

    graph, names = _graph(us, vs, weights, directed=False)
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            membership = graph.community_multilevel(weights="weight", resolution=resolution).membership
        finally:
            ig.set_random_number_generator(random)
    groups: dict[int, set] = {}
    for name, c in zip(names, membership):
        groups.setdefault(c, set()).add(name)
    return list(groups.values())
