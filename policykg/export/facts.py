"""What the export tables are made of: the stated facts of the graph, with labels and codes.

`Facts` reads, for one entity at a time, the values of its properties from every named graph
except the reasoner's `inferred` graph: the tables hold what sources state (and what the curators
flagged as inferred), not what the reasoner derives. It also reads the sources that state each
fact about an entity (its claims), its names (as the name index reads them: labels, titles,
codes, from all graphs) and the classification codes of concepts (GB/T 4754-2017 and ISIC Rev.4
divisions of sectors, OECD STIP, Global Trade Alert and UN MAST classes of instruments).

Bound: read for the whole graph are the codes of the concepts (the vocabularies' SKOS mappings),
the class hierarchy, and the sources of the claims about each entity (one aggregate query: a
dict of the entities that claims are about, about 200 bytes each, 27,000 entities at 1,000
policies). An entity's facts and names are read by lookups in the store's indexes, and the last
`CACHE` entities' are kept (documents and concepts recur on many rows). The entities of a class are
listed by one query and sorted here (their IRIs are held: about 100 bytes each, 131,000 links at
1,000 policies); their stated values are read `PREFETCH` entities a query.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from itertools import islice

import pyoxigraph as ox

from policykg.model.namespaces import INFERRED_GRAPH, OWL, PID, PKG, RDF, RDFS, SKOS
from policykg.query.index import _FIELD_OF, FIELDS, Entry, printed
from policykg.store import union

SEP = "; "                   # joins the values of a list column
_MATCH = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"))
# code scheme key (pid:scheme/KEY) → column suffix
SCHEMES = {"gbt4754-2017": "gbt4754", "isic-rev4": "isic", "oecd-stip": "stip", "gta-types": "gta", "un-mast": "mast"}
CACHE = 1 << 14              # entities whose facts and names are kept
PREFETCH = 200               # entities whose stated values one query reads
_ONLY = ""                   # key of the properties a prefetched entity's values were read for, when not all
_TYPE = ox.NamedNode(RDF + "type")
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
_TERM_TYPES = {OWL + t for t in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")} \
    | {SKOS + "ConceptScheme"}
_NOT_ENTITIES = (PKG + "Claim", PKG + "Evidence")
# an entity, as the name index has it: an IRI with a name (a literal of a name property), not a claim or evidence
ENTITY = ("FILTER(isIRI(?e)) FILTER EXISTS { VALUES ?np { %s } ?e ?np ?l FILTER(isLiteral(?l)) } "
          "FILTER NOT EXISTS { ?e a <%s> } FILTER NOT EXISTS { ?e a <%s> }") % (
    " ".join(f"<{p}>" for p in _FIELD_OF), *_NOT_ENTITIES)

# per entity a claim is about: its claims' sources (IRIs joined by spaces) and how many of them flag its ordinal inferred
_CLAIMS = f"""SELECT ?e (GROUP_CONCAT(DISTINCT STR(?src); separator=" ") AS ?s) (COUNT(?io) AS ?inferred) WHERE {{
  ?c <{RDF}subject> ?e ; a <{PKG}Claim> FILTER(isIRI(?e))
  OPTIONAL {{ ?c <{PKG}statedIn> ?src }}
  OPTIONAL {{ ?c <{RDF}predicate> <{PKG}ordinal> ; <{PKG}inferred> true BIND(1 AS ?io) }} }} GROUP BY ?e"""
_NO_CLAIMS: tuple[list[str], bool] = ([], False)


def _value_order(t):
    return t.value, getattr(t, "language", "") or ""


class _Lru(OrderedDict):
    def __init__(self, size: int, make):
        super().__init__()
        self.size, self.make = size, make

    def __missing__(self, key):
        return self.put(key, self.make(key))

    def put(self, key, value):
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class Facts:
    def __init__(self, store: ox.Store):
        self.store = store
        self.union = union.options(store)
        self.names_graph = union.DEFAULT if union.has_union(store) else None     # names: from all graphs
        self._stated = _Lru(CACHE, self._read_stated)
        self._entries = _Lru(CACHE, self._read_entry)
        self._claims: dict[str, tuple[list[str], bool]] | None = None
        self._labels = _Lru(CACHE * 4, self._read_labels)
        self._codes: dict[str, dict[str, list[str]]] | None = None
        self._supers: dict[str, set[str]] | None = None

    # ------------------------------------------------------------------ one entity
    def _read_stated(self, s: str) -> dict[str, list]:
        """The entity's stated values, property → terms (distinct, sorted), from the named graphs but `inferred`."""
        got: dict[str, set] = defaultdict(set)
        for q in self.store.quads_for_pattern(ox.NamedNode(s), None, None):
            g = q.graph_name
            if isinstance(g, ox.NamedNode) and g.value != INFERRED_GRAPH:
                got[q.predicate.value].add(q.object)
        return {p: sorted(objs, key=_value_order) for p, objs in got.items()}

    def prefetch(self, iris, props: tuple[str, ...] = ()) -> None:
        """Read the stated values of many entities at once (`PREFETCH` a query: a lookup per entity also
        reads back its quads in the union and the inferred graph, and pays a call), into the cache;
        only those of `props` when given (another property of such an entity is then read by a lookup)."""
        todo = [i for i in dict.fromkeys(iris) if i not in self._stated]
        only = "FILTER(?p IN (%s))" % ", ".join(f"<{p}>" for p in props) if props else ""   # not VALUES: a bad plan
        for k in range(0, len(todo), PREFETCH):
            chunk = todo[k:k + PREFETCH]
            got: dict[str, dict] = {i: defaultdict(set) for i in chunk}
            query = ("SELECT ?s ?p ?o WHERE { VALUES ?s { %s } GRAPH ?g { ?s ?p ?o } FILTER(?g != <%s>) %s }"
                     % (" ".join(f"<{i}>" for i in chunk), INFERRED_GRAPH, only))
            for sub, p, o in self.store.query(query):
                got[sub.value][p.value].add(o)
            for i in chunk:
                vals = {p: sorted(objs, key=_value_order) for p, objs in got[i].items()}
                if props:
                    vals[_ONLY] = frozenset(props)
                self._stated.put(i, vals)

    def prefetched(self, iris, props: tuple[str, ...] = ()):
        """The IRIs as they come, their stated values (of `props` when given) read `PREFETCH` at a time."""
        it = iter(iris)
        while batch := list(islice(it, PREFETCH)):
            self.prefetch(batch, props)
            yield from batch

    def _read_entry(self, iri: str) -> Entry:
        """The entity's names and most specific classes, as `policykg.query.index` reads them."""
        node, entry = ox.NamedNode(iri), Entry(iri)
        seen = set()
        for q in self.store.quads_for_pattern(node, None, None, self.names_graph):
            fld = _FIELD_OF.get(q.predicate.value)
            lit = q.object
            if fld and isinstance(lit, ox.Literal) and (q.predicate.value, lit) not in seen:
                seen.add((q.predicate.value, lit))
                entry.names.setdefault(fld, []).append((lit.value, lit.language or ""))
        if not entry.names:
            return Entry(iri)
        types = {q.object.value for q in self.store.quads_for_pattern(node, _TYPE, None, self.names_graph)
                 if isinstance(q.object, ox.NamedNode) and (q.object.value.startswith(PKG) or q.object.value in _TERM_TYPES)}
        if types & set(_NOT_ENTITIES):
            return Entry(iri)
        supers = self.supers
        implied = set().union(*(supers.get(t, set()) for t in types))
        entry.classes = sorted(types - implied) + sorted(types & implied)
        for vals in entry.names.values():
            vals.sort(key=lambda v: (v[1] not in ("en", "zh"), v[1], v[0]))
        return entry

    @property
    def claims(self) -> dict[str, tuple[list[str], bool]]:
        """Entity IRI → (the sources of the claims about it, whether a claim flags its ordinal as inferred),
        for every entity a claim is about: one aggregate query on the whole graph, read once."""
        if self._claims is None:
            self._claims = {}
            for e, srcs, flag in self.store.query(_CLAIMS, **self.union):
                self._claims[e.value] = (sorted({printed(x) for x in srcs.value.split()}) if srcs is not None else [],
                                     int(flag.value) > 0)
        return self._claims

    @property
    def supers(self) -> dict[str, set[str]]:
        """Class → its superclasses (the class hierarchy: the ontology's, small)."""
        if self._supers is None:
            self._supers = {}
            for c, s in self.store.query(f"SELECT DISTINCT ?c ?s WHERE {{ ?c <{RDFS}subClassOf>+ ?s "
                                         f"FILTER(isIRI(?c) && isIRI(?s)) }}", **self.union):
                self._supers.setdefault(c.value, set()).add(s.value)
        return self._supers

    @property
    def codes(self) -> dict[str, dict[str, list[str]]]:
        """Concept IRI → code scheme → codes, from the SKOS mapping properties."""
        if self._codes is None:
            codes: dict = defaultdict(lambda: defaultdict(set))
            for p in _MATCH:
                for q in self.store.quads_for_pattern(None, ox.NamedNode(p), None):
                    g = q.graph_name
                    if not (isinstance(g, ox.NamedNode) and g.value != INFERRED_GRAPH and isinstance(q.subject, ox.NamedNode)):
                        continue
                    code = self.entry(q.object.value) if isinstance(q.object, ox.NamedNode) else None
                    key = code.key if code is not None and code.names else ""
                    scheme = key.split("/")[1] if key.startswith("code/") else ""
                    if scheme in SCHEMES:
                        codes[q.subject.value][scheme].add(code.text("code") or code.label("en"))
            self._codes = {s: {k: sorted(v) for k, v in per.items()} for s, per in codes.items()}
        return self._codes

    def of(self, s: str, prop: str) -> list:
        vals = self._stated[s]
        if _ONLY in vals and prop not in vals[_ONLY]:            # prefetched without this property
            vals = self._stated.put(s, self._read_stated(s))
        return vals.get(prop, [])

    def iris(self, s: str, *props: str) -> list[str]:
        return sorted({o.value for p in props for o in self.of(s, p) if isinstance(o, ox.NamedNode)})

    def literal(self, s: str, prop: str, lang: str | None = None) -> str:
        vals = [o for o in self.of(s, prop) if isinstance(o, ox.Literal)]
        if lang is not None:
            vals = [o for o in vals if (o.language or "") == lang] or ([] if lang else vals)
        return vals[0].value if vals else ""

    def entry(self, iri: str) -> Entry:
        return self._entries[iri]

    def label(self, iri: str, lang: str) -> str:
        return self._labels[iri].text("label", lang)

    def _read_labels(self, iri: str) -> Entry:
        """The entity's labels alone (what `label` reads: two lookups, not every statement about it)."""
        node, entry = ox.NamedNode(iri), Entry(iri)
        for prop in FIELDS["label"]:
            for lit in dict.fromkeys(q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(prop), None, self.names_graph)):
                if isinstance(lit, ox.Literal):
                    entry.names.setdefault("label", []).append((lit.value, lit.language or ""))
        if entry.names and any(True for t in _NOT_ENTITIES
                               for _ in self.store.quads_for_pattern(node, _TYPE, ox.NamedNode(t), self.names_graph)):
            return Entry(iri)                        # claims and evidence are not named entities
        for vals in entry.names.values():
            vals.sort(key=lambda v: (v[1] not in ("en", "zh"), v[1], v[0]))
        return entry

    def keys(self, iris) -> str:
        return SEP.join(printed(i) for i in iris)

    def labels(self, iris, lang: str) -> str:
        return SEP.join(self.label(i, lang) for i in iris)

    def code_list(self, iris, scheme: str) -> str:
        return SEP.join(sorted({c for i in iris for c in self.codes.get(i, {}).get(scheme, ())}))

    def source_keys(self, iri: str) -> list[str]:
        return self.claims.get(iri, _NO_CLAIMS)[0]

    def ordinal_inferred(self, iri: str) -> bool:
        """Whether a claim about the entity's ordinal is flagged inferred."""
        return self.claims.get(iri, _NO_CLAIMS)[1]

    def is_instance(self, iri: str, cls: str) -> bool:
        return PKG + cls in self.entry(iri).classes

    # ------------------------------------------------------------------ many entities, streamed
    def instances(self, cls: str):
        """Entities of a class, also where only the reasoner says so (a Notice is a PolicyDocument),
        sorted by IRI. Their IRIs are held and sorted here (oxigraph's ORDER BY compares terms by
        reading their text from the store, about 200 µs an IRI: 25 s for the 131,000 links of 1,000 policies)."""
        yield from sorted({e.value for (e,) in self.store.query(
            f"SELECT ?e WHERE {{ ?e a <{PKG}{cls}> {ENTITY} }}", **self.union)})

    def by_document(self, cls: str):
        """(document IRI, entity IRI) for the entities of a class whose key is under a document's
        (`doc/KEY/...`), sorted by the document's IRI, then the entity's (the pairs are held and sorted here)."""
        doc = PID + "doc/"
        query = f"""SELECT ?e WHERE {{ ?e a <{PKG}{cls}> FILTER(STRSTARTS(STR(?e), "{doc}")) {ENTITY} }}"""
        pairs = set()
        for (e,) in self.store.query(query, **self.union):
            k = e.value[len(doc):].split("/", 1)
            if len(k) == 2 and k[0]:                    # doc/KEY/... : under the document doc/KEY
                pairs.add((doc + k[0], e.value))
        yield from sorted(pairs)
