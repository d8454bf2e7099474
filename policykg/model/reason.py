"""OWL 2 RL materialization with the rule files of ontology/rules, run on pyoxigraph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.model.namespaces import INFERRED_GRAPH, sparql_prefixes

MAX_ROUNDS = 20


def rule_files(rules_dir: Path | None = None) -> list[Path]:
    return sorted((rules_dir or paths.RULES_DIR).glob("*.rq"))


def materialize(store: ox.Store, rules_dir: Path | None = None) -> int:
    """Add everything the rules entail to the inferred graph, until a fixpoint. Returns the count."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    rules = [sparql_prefixes() + f.read_text(encoding="utf-8") for f in rule_files(rules_dir)]
    added = 0
    for _ in range(MAX_ROUNDS):
        new = set()
        for rule in rules:
            for t in store.query(rule, use_default_graph_as_union=True):
                if isinstance(t.subject, ox.Literal):
                    continue
                if not any(True for _ in store.quads_for_pattern(t.subject, t.predicate, t.object)):
                    new.add(ox.Quad(t.subject, t.predicate, t.object, graph))
        if not new:
            return added
        store.extend(new)
        added += len(new)
    raise RuntimeError(f"materialization did not reach a fixpoint in {MAX_ROUNDS} rounds")
