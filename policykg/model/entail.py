"""The materialization rules of ontology/rules, applied to one document's triples in Python.

The rule files are the definition (`reason.materialize` runs them as SPARQL, and a test checks them
against owlrl); this module computes the same entailments for one source graph at a time, which is
what makes the build incremental: the schema (class and property axioms, read from the ontology and
vocabularies with the rules' own conditions) is fixed, so a document's consequences depend only on
its own triples and the ontology. What joins triples of two documents (transitive properties and
property chains through an entity both mention) is left to the global pass (`build.reasoning`).

Each supported rule file is named in RULES; a rule file this module does not know makes `Schema.load`
raise, so a new rule cannot be skipped silently.

`closure` works on plain terms (`plain`: an IRI as its string, a literal or blank node as the
pyoxigraph term): Python hashes a string once and keeps it, while a pyoxigraph term is hashed anew
in Rust at each lookup, and the closure makes several lookups per triple.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.model import reason
from policykg.model.namespaces import RDF, SKOS, sparql_prefixes

RULES = {"cax-sco", "prp-dom", "prp-inv", "prp-rng", "prp-spo1", "prp-spo2", "prp-trp",
         "skos-broader-transitive", "skos-narrower"}
TYPE = ox.NamedNode(RDF + "type")
BROADER, NARROWER = ox.NamedNode(SKOS + "broader"), ox.NamedNode(SKOS + "narrower")
BROADER_T, NARROWER_T = ox.NamedNode(SKOS + "broaderTransitive"), ox.NamedNode(SKOS + "narrowerTransitive")
TYPE_IRI, BROADER_IRI, NARROWER_IRI = TYPE.value, BROADER.value, NARROWER.value
BROADER_T_IRI, NARROWER_T_IRI = BROADER_T.value, NARROWER_T.value


_MISSING = object()


def plain(term):
    """An IRI as its string; a literal or a blank node as it is."""
    return term.value if isinstance(term, ox.NamedNode) else term


def plain_triples(quads) -> list[tuple]:
    """(subject, predicate, object) of each quad, in plain terms."""
    named = ox.NamedNode
    out = []
    for q in quads:
        s, o = q.subject, q.object
        out.append((s.value if isinstance(s, named) else s, q.predicate.value, o.value if isinstance(o, named) else o))
    return out


def term(t):
    """A plain term as a pyoxigraph term again."""
    return ox.NamedNode(t) if isinstance(t, str) else t


def _pairs(store: ox.Store, query: str):
    for row in store.query(sparql_prefixes() + query, use_default_graph_as_union=True):
        yield row[0], row[1]


@dataclass
class Schema:
    """The axioms the rules read, as lookup tables (rule bodies' conditions included)."""
    superclasses: dict = field(default_factory=lambda: defaultdict(set))   # cax-sco: class -> rdfs:subClassOf+ (IRIs)
    domains: dict = field(default_factory=lambda: defaultdict(set))        # prp-dom
    ranges: dict = field(default_factory=lambda: defaultdict(set))         # prp-rng
    inverses: dict = field(default_factory=lambda: defaultdict(set))       # prp-inv (both directions)
    superproperties: dict = field(default_factory=lambda: defaultdict(set))  # prp-spo1
    chains_first: dict = field(default_factory=lambda: defaultdict(set))   # prp-spo2: p1 -> {(p2, p)}
    chains_second: dict = field(default_factory=lambda: defaultdict(set))  # prp-spo2: p2 -> {(p1, p)}
    transitive: set = field(default_factory=set)                           # prp-trp (and skos:broaderTransitive)
    joins: set = field(default_factory=set)                                # see join_properties()
    plans: dict = field(default_factory=dict, repr=False, compare=False)  # predicate -> rules_of(predicate)

    @classmethod
    def load(cls, store: ox.Store) -> "Schema":
        names = {f.stem for f in reason.rule_files()}
        unknown = names - RULES
        if unknown:
            raise RuntimeError(f"rule files {sorted(unknown)} have no per-document form in policykg.model.entail")
        s = cls()
        for c, d in _pairs(store, "SELECT ?c ?super WHERE { ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }"):
            s.superclasses[c].add(d)
        for p, c in _pairs(store, """SELECT ?p ?c WHERE { ?p rdfs:domain ?c . FILTER(isIRI(?c)) ?p a ?kind .
                                     FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty)) }"""):
            s.domains[p].add(c)
        for p, c in _pairs(store, """SELECT ?p ?c WHERE { ?p rdfs:range ?c . FILTER(isIRI(?c) && ?c != owl:Thing)
                                     ?p a owl:ObjectProperty }"""):
            s.ranges[p].add(c)
        for p, q in _pairs(store, "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q }"):
            s.inverses[p].add(q)
            s.inverses[q].add(p)
        for p, q in _pairs(store, "SELECT ?p ?super WHERE { ?p rdfs:subPropertyOf+ ?super . FILTER(isIRI(?super)) }"):
            s.superproperties[p].add(q)
        for row in store.query(sparql_prefixes() + """SELECT ?p ?p1 ?p2 WHERE { ?p owl:propertyChainAxiom ?chain .
                ?chain rdf:first ?p1 ; rdf:rest ?rest . ?rest rdf:first ?p2 ; rdf:rest rdf:nil }""",
                               use_default_graph_as_union=True):
            p, p1, p2 = row[0], row[1], row[2]
            s.chains_first[p1].add((p2, p))
            s.chains_second[p2].add((p1, p))
        s.transitive = {row[0] for row in store.query(sparql_prefixes() + "SELECT ?p WHERE { ?p a owl:TransitiveProperty }",
                                                         use_default_graph_as_union=True)}
        s.transitive.add(BROADER_T)
        s.joins = s.join_properties()
        return s

    def plain(self) -> "Schema":
        """The same schema in plain terms, as `closure` takes it."""
        def table(d):
            return defaultdict(set, {plain(k): {tuple(map(plain, v)) if isinstance(v, tuple) else plain(v) for v in vs}
                                     for k, vs in d.items()})
        return Schema(table(self.superclasses), table(self.domains), table(self.ranges), table(self.inverses),
                      table(self.superproperties), table(self.chains_first), table(self.chains_second),
                      {plain(p) for p in self.transitive}, {plain(p) for p in self.joins})

    def rules_of(self, p) -> tuple | None:
        """What the rules do with a triple of predicate `p` (its domains, ranges, inverses,
        superproperties, chains it starts and ends, whether it is transitive, skos:broader or
        skos:broaderTransitive); None when nothing."""
        rules = (tuple(self.domains.get(p, ())), tuple(self.ranges.get(p, ())), tuple(self.inverses.get(p, ())),
                 tuple(self.superproperties.get(p, ())), tuple(self.chains_first.get(p, ())),
                 tuple(self.chains_second.get(p, ())), p in self.transitive, p in (BROADER, BROADER_IRI),
                 p in (BROADER_T, BROADER_T_IRI))
        return rules if any(rules) else None

    def join_properties(self) -> set:
        """Properties through which a rule joins two triples (the only way two documents combine)."""
        return set(self.transitive) | set(self.chains_first) | set(self.chains_second) | {BROADER, BROADER_T}


def closure(schema: Schema, triples, base: set | None = None, base_out=None, base_in=None) -> set:
    """Everything the rules derive from `triples` (with the ontology's own closure `base`), minus
    what is already in `triples` or `base`; all in plain terms (`plain`, `Schema.plain`).
    `base_out`/`base_in` index the base's triples of join properties by subject/object, so chains
    and transitive steps through vocabulary terms are found."""
    base = base or set()
    base_out = base_out or {}
    base_in = base_in or {}
    have = set(triples)
    joins = schema.joins
    out_idx: dict = defaultdict(set)                        # (s, p) -> {o}, for join properties only
    in_idx: dict = defaultdict(set)                         # (o, p) -> {s}
    agenda = list(have)
    for s_, p_, o_ in have:
        if p_ in joins:
            out_idx[s_, p_].add(o_)
            in_idx[o_, p_].add(s_)
    derived: set = set()

    def add(t):
        if t in have or t in base or isinstance(t[0], ox.Literal):
            return
        have.add(t)
        derived.add(t)
        agenda.append(t)
        if t[1] in joins:
            out_idx[t[0], t[1]].add(t[2])
            in_idx[t[2], t[1]].add(t[0])

    def outs(node, p):
        return out_idx.get((node, p), set()) | base_out.get((node, p), set())

    def ins(node, p):
        return in_idx.get((node, p), set()) | base_in.get((node, p), set())

    plans = schema.plans
    while agenda:
        s, p, o = agenda.pop()
        if p == TYPE_IRI:
            for d in schema.superclasses.get(o, ()):
                add((s, TYPE_IRI, d))
        rules = plans.get(p, _MISSING)
        if rules is _MISSING:
            rules = plans[p] = schema.rules_of(p)
        if rules is None:
            continue
        domains, ranges, inverses, supers, first, second, transitive, broader, broader_t = rules
        for c in domains:
            add((s, TYPE_IRI, c))
        if isinstance(o, str):
            for c in ranges:
                add((o, TYPE_IRI, c))
            for q in inverses:
                add((o, q, s))
        for q in supers:
            add((s, q, o))
        for p2, q in first:
            for c in list(outs(o, p2)):
                add((s, q, c))
        for p1, q in second:
            for a in list(ins(s, p1)):
                add((a, q, o))
        if transitive:
            for c in list(outs(o, p)):
                add((s, p, c))
            for a in list(ins(s, p)):
                add((a, p, o))
        if broader:                                        # skos-narrower, skos-broader-transitive
            add((o, NARROWER_IRI, s))
            add((s, BROADER_T_IRI, o))
        if broader_t:
            add((o, NARROWER_T_IRI, s))
    return derived
