"""Links between policies: shared entities, a similarity score, and lineage (see docs/links.md).

A *unit* is a policy document or a measure. Each unit has six facets, the sets of entities it (or
any of its parts and actions) addresses: sectors (including the sectors of the targets it sets),
instruments, programs, regions, agencies (issuers and responsible bodies) and enterprise
categories. Two units are related when their facets overlap:

- the **similarity** of two units is the weighted mean, over the facets either of them states,
  of the weighted Jaccard overlap of that facet (facet weights: sectors and instruments 3,
  programs 2, regions, agencies and enterprise categories 1); inside a facet an entity weighs
  ln(1 + N/df), so that an entity most units share (MIIT, manufacturing) counts for less than a
  rare one (a pilot program);
- each unit keeps its `k` most similar units whose similarity reaches the threshold; each such
  pair gets a `related` link and one `shares-<facet>` link per facet it shares, each with the
  shared entities as its evidence;
- a **lineage** link (`continues`) runs from a later document to a measure of an earlier one when
  the later document takes that measure forward: it concerns the same program as one of the
  measure's actions, or uses the same instrument for the same sector, or continues a document
  that the measure applies. Its evidence is the shared entities and the matched actions. Each
  later document keeps its `k` best lineage links (and every stated continuation).

No pair is compared unless an index brings it up (`candidates`): the cost grows with the number
of units, not with its square. Links are data about the graph, computed from it, and live in
their own named graph (`pgraph:links`); this module never prints or exits.

This module puts the stage together: what a link is (`model`), the similarity links
(`similarity`), lineage (`lineage`) and their explanations (`explain`); its names are those of
the link stage's library.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from policykg.link.explain import FACET_NAMES, explain_lineage, explain_related
from policykg.link.graph import FACETS, Labels, Unit, units
from policykg.link.lineage import LINEAGE_BUDGET, LINEAGE_PER_KEY, lineage
from policykg.link.model import DEFAULT_K, DEFAULT_MIN_SCORE, LINK_TYPES, Link, order
from policykg.link.similarity import FACET_WEIGHTS, SCORED, related, similarity

__all__ = ["DEFAULT_K", "DEFAULT_MIN_SCORE", "FACETS", "FACET_NAMES", "FACET_WEIGHTS", "LINEAGE_BUDGET",
           "LINEAGE_PER_KEY", "LINK_TYPES", "SCORED", "Link", "Unit", "compute", "explain_lineage",
           "explain_related", "iter_links", "lineage", "order", "related", "similarity"]


def iter_links(store: ox.Store, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
               only: set[str] | None = None, us: dict[str, Unit] | None = None,
               acts: dict | None = None) -> Iterator[Link]:
    """The links of the graph one at a time (related pairs in IRI order, then lineage), so that a
    large graph's links can be written without holding them all; with `only`, just the links that
    have one end in `only`. `us` and `acts` are the store's `graph.units` and `graph.actions` when
    the caller has them already."""
    us = us if us is not None else units(store)
    labels = Labels(store)
    yield from related(us, labels, min_score=min_score, k=k, only=only)
    yield from lineage(store, us, labels, k=k, only=only, acts=acts)


def compute(store: ox.Store, *, min_score: float = DEFAULT_MIN_SCORE, k: int = DEFAULT_K,
            only: set[str] | None = None) -> list[Link]:
    """The links of the graph, strongest first within each type (see `iter_links`)."""
    return sorted(iter_links(store, min_score=min_score, k=k, only=only), key=order)
