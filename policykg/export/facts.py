"""What the export tables are made of: the stated facts of the graph, with labels and codes.

`Facts` reads the values of the properties the tables use, each once when first asked for, from
every named graph except the reasoner's `inferred` graph: the tables hold what sources state
(and what the curators flagged as inferred), not what the reasoner derives. It also reads the
sources that state each fact about an entity, and the classification codes of concepts
(GB/T 4754-2017 and ISIC Rev.4 divisions of sectors, OECD STIP, Global Trade Alert and UN MAST
classes of instruments).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from policykg.model.namespaces import INFERRED_GRAPH, PKG, RDF, SKOS
from policykg.query.index import Entry, index, printed
from policykg.store import union

SEP = "; "                   # joins the values of a list column
_MATCH = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"))
# code scheme key (pid:scheme/KEY) → column suffix
SCHEMES = {"gbt4754-2017": "gbt4754", "isic-rev4": "isic", "oecd-stip": "stip", "gta-types": "gta", "un-mast": "mast"}


class Facts:
    def __init__(self, store: ox.Store):
        self.store = store
        self.idx = index(store)
        names = {g.value for g in store.named_graphs()}
        self.graphs = [ox.NamedNode(g) for g in sorted(names - {INFERRED_GRAPH})]    # with the links graph
        self.values: dict[tuple[str, str], list] = defaultdict(list)        # (subject, property) → terms
        self._loaded: set[str] = set()
        self.sources: dict[str, set[str]] = defaultdict(set)
        for s, src in store.query(f"""SELECT DISTINCT ?s ?src WHERE {{ ?c a <{PKG}Claim> ; <{RDF}subject> ?s ;
                                       <{PKG}statedIn> ?src }}""", **union.options(store)):
            self.sources[s.value].add(src.value)
        self.inferred_ordinals = {s.value for (s,) in store.query(
            f"""SELECT DISTINCT ?s WHERE {{ ?c a <{PKG}Claim> ; <{RDF}subject> ?s ; <{RDF}predicate> <{PKG}ordinal> ;
                  <{PKG}inferred> true }}""", **union.options(store))}
        self._codes: dict[str, dict[str, list[str]]] | None = None

    def _load(self, prop: str) -> None:
        """Read one property's values (only the properties the tables use are ever read)."""
        if prop in self._loaded:
            return
        self._loaded.add(prop)
        got = defaultdict(list)
        for s, o in self.store.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{prop}> ?o FILTER(isIRI(?s)) }}",
                                     default_graph=self.graphs):
            got[s.value].append(o)
        for s, objs in got.items():
            self.values[(s, prop)] = sorted(objs, key=lambda t: (t.value, getattr(t, "language", "") or ""))

    @property
    def codes(self) -> dict[str, dict[str, list[str]]]:
        """Concept IRI → code scheme → codes, from the SKOS mapping properties."""
        if self._codes is None:
            codes: dict = defaultdict(lambda: defaultdict(set))
            for p in _MATCH:
                self._load(p)
            for (s, prop), objs in self.values.items():
                if prop in _MATCH:
                    for o in objs:
                        code = self.idx.get(o.value)
                        key = code.key if code else ""
                        scheme = key.split("/")[1] if key.startswith("code/") else ""
                        if scheme in SCHEMES:
                            codes[s][scheme].add(code.text("code") or code.label("en"))
            self._codes = {s: {k: sorted(v) for k, v in per.items()} for s, per in codes.items()}
        return self._codes

    def of(self, s: str, prop: str) -> list:
        self._load(prop)
        return self.values.get((s, prop), [])

    def iris(self, s: str, *props: str) -> list[str]:
        return sorted({o.value for p in props for o in self.of(s, p) if isinstance(o, ox.NamedNode)})

    def literal(self, s: str, prop: str, lang: str | None = None) -> str:
        vals = [o for o in self.of(s, prop) if isinstance(o, ox.Literal)]
        if lang is not None:
            vals = [o for o in vals if (o.language or "") == lang] or ([] if lang else vals)
        return vals[0].value if vals else ""

    def entry(self, iri: str) -> Entry:
        return self.idx.get(iri) or Entry(iri)

    def label(self, iri: str, lang: str) -> str:
        e = self.idx.get(iri)
        return e.text("label", lang) if e else ""

    def keys(self, iris) -> str:
        return SEP.join(printed(i) for i in iris)

    def labels(self, iris, lang: str) -> str:
        return SEP.join(self.label(i, lang) for i in iris)

    def code_list(self, iris, scheme: str) -> str:
        return SEP.join(sorted({c for i in iris for c in self.codes.get(i, {}).get(scheme, ())}))

    def source_keys(self, iri: str) -> list[str]:
        return sorted(printed(s) for s in self.sources.get(iri, ()))

    def instances(self, cls: str) -> list[str]:
        """Entities of a class, also where only the reasoner says so (a Notice is a PolicyDocument)."""
        return [e.iri for e in self.idx.entries.values() if PKG + cls in e.classes]
