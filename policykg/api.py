"""The Python API: `policykg.open()` and what it returns, mirroring the command line.

    >>> import policykg
    >>> kg = policykg.open()                          # the build in $POLICYKG_BUILD, else ./build
    >>> kg.query("document-issuers", doc="doc/miit-2022-160").column("agency_en")
    ['Ministry of Industry and Information Technology', 'National Development and Reform Commission', 'State-owned Assets Supervision and Administration Commission of the State Council']

Every method returns data, never prints: a `Result` (rows of a query, with `.values()`,
`.column()`, `.to_pandas()` and `.format()`), an `EntityView`, or a networkx graph. Bad input
raises `policykg.errors.InputError`, whose message says what is wrong and how to fix it.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.query import engine
from policykg.query.bounds import DEFAULT as DEFAULT_LIMITS, Limits
from policykg.query.pool import Pool
from policykg.query.entity import EntityView, about
from policykg.query.results import Result
from policykg.store import load

POOL_SIZE = 2                           # pre-forked query workers of one KnowledgeGraph
NETWORK_VIEWS = ("overview", "instruments", "sectors", "lineage", "entities", "focus")

_LINKS = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?_policy ?type ?from ?to ?score ?explanation WHERE {
  VALUES (?type ?t) { %s }
  GRAPH <%s> {
    ?link a pkg:Link ; pkg:linkType ?t ; pkg:linkFrom ?from ; pkg:linkTo ?to ; pkg:score ?score ;
          pkg:explanation ?explanation .
  }
  FILTER(COALESCE(?from = ?_policy || ?to = ?_policy, true))
} ORDER BY DESC(?score) ?type ?from ?to
"""


class KnowledgeGraph:
    """A built knowledge graph, opened read-only. Make one with `policykg.open()`."""

    def __init__(self, build_dir: Path | str | None = None, store: ox.Store | None = None):
        self.build_dir = paths.build_dir(build_dir)
        self.store = store if store is not None else load.load(self.build_dir)
        self._pool: Pool | None = None
        self._bounded = 0                     # bounded queries so far: the second starts the pool

    def _pool_for(self, limits: Limits | None) -> Pool | None:
        """The pre-forked workers for a bounded query (docs/reliability.md): none for the first query,
        which forks a worker of its own, so that one query stays cheap; a pool of 2 from the second."""
        if limits is None:
            return None
        self._bounded += 1
        if self._pool is None and self._bounded >= 2:
            self._pool = Pool(self.store, size=POOL_SIZE, limits=limits.check())
            weakref.finalize(self, self._pool.close)
        return self._pool

    def close(self) -> None:
        """Stop the query workers this object started (they also end with the process)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __repr__(self) -> str:
        return f"<policykg.KnowledgeGraph {self.build_dir}/ ({len(self.store)} quads)>"

    def query(self, name: str, *, graph: str | None = None, limits: Limits | None = DEFAULT_LIMITS,
              tier: str = "curated", limit: int | None = None, offset: int = 0, **params) -> Result:
        """Run a named query of `queries/` (`policykg query NAME --param k=v`).

        Parameters are keyword arguments; entities may be given by IRI, key or zh/en label. The query
        runs in a worker bounded by `limits` (`Limits(timeout_s=30, memory_mb=2048, max_rows=100_000)`
        by default; docs/reliability.md); a limit hit raises `LimitError`, an InputError.
        `tier="all"` adds the facts `policykg ingest --into-graph` extracted (`--tier all`).
        `limit` and `offset` return one page of the rows (`result.total` counts them all).

        >>> kg = policykg.open()
        >>> kg.query("measures-per-part", doc="doc/miit-2022-160").column("measures")
        [0, 5, 4, 3, 2, 3]
        >>> [iri.rsplit("/", 1)[1] for iri in kg.query("measures-by-sector", sector="汽车").column("measure")]
        ['2', '3', '4']
        """
        return engine.run(name, graph=graph, store=self.store, limits=limits, tier=tier, limit=limit, offset=offset,
                          pool=self._pool_for(limits),
                          **params)

    def sparql(self, text: str, *, graph: str | None = None, allow_service: bool = False,
               limits: Limits | None = DEFAULT_LIMITS, tier: str = "curated", limit: int | None = None,
               offset: int = 0) -> Result:
        """Run your own SPARQL (`policykg sparql`); the PolicyKG prefixes are declared for you.
        Bounded by `limits` as `query()` is; SERVICE is refused unless `allow_service=True`.
        `tier="all"` adds the extracted tier (`--tier all`).

        >>> kg = policykg.open()
        >>> kg.sparql("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a pkg:Measure ; pkg:isPartOf <https://w3id.org/policykg/id/doc/miit-2022-160> }").values()
        [{'n': 17}]
        """
        return engine.sparql(text, graph=graph, store=self.store, allow_service=allow_service, limits=limits,
                             pool=None if allow_service else self._pool_for(limits),
                             tier=tier, limit=limit, offset=offset)

    def entity(self, key_or_label: str) -> EntityView:
        """What the sources say about one entity, source by source (`policykg show`), as data.

        >>> view = policykg.open().entity("工业和信息化部")
        >>> view.iri, view.label_en
        ('https://w3id.org/policykg/id/agency/miit', 'Ministry of Industry and Information Technology')
        """
        return about(self.store, key_or_label)

    def resolve(self, name: str, cls: str | None = None) -> str:
        """The IRI of the entity a name means: IRI, key, zh/en label, document number or measure reference.

        >>> kg = policykg.open()
        >>> kg.resolve("工信部联运行〔2022〕160号") == kg.resolve("Notice No. 160") == kg.resolve("第160号通知")
        True
        >>> kg.resolve("Notice No. 160 measure 2").rsplit("/id/", 1)[1]
        'doc/miit-2022-160/measure/2'
        """
        from policykg.query.resolve import resolve
        from policykg.model.namespaces import PKG
        return resolve(self.store, name, PKG + cls.removeprefix("pkg:") if cls else None).value

    def search(self, text: str, *, cls: str | None = None, limit: int = 20) -> list:
        """Entities whose names match `text`, best first (`policykg search`): a list of Hits.

        >>> [h.key for h in policykg.open().search("钢铁", cls="Sector", limit=1)]
        ['pid:sector/steel']
        """
        from policykg.query.search import search
        return search(self.store, text, cls=cls, limit=limit)

    def export(self, out: Path | str, formats=("csv",), tables=None) -> list[Path]:
        """Write the flat tables and their codebook (`policykg export`); returns the files written."""
        from policykg.export.write import export
        return export(self.store, out, formats, tables)

    def network(self, view: str = "overview", *, entity: str | None = None, depth: int = 1):
        """A networkx graph of one view of the pages (`policykg viz`): overview, instruments
        (measure → instrument → agency), sectors (co-targeting), lineage, entities (every entity
        and its links) or focus (the neighbourhood of `entity` up to `depth` links).

        >>> g = policykg.open().network("focus", entity="sector/automobiles")
        >>> g.nodes["https://w3id.org/policykg/id/sector/automobiles"]["label_en"]
        'Automobiles'
        """
        from policykg.errors import InputError, did_you_mean
        from policykg.viz import focus, projections as P
        builders = {"overview": P.overview, "instruments": P.measure_instrument_agency,
                    "sectors": P.sector_cotargeting, "lineage": P.lineage, "entities": focus.entity_graph}
        if view == "focus":
            if not entity:
                raise InputError("the focus view needs an entity", fix="call network('focus', entity='sector/automobiles')")
            return focus.focus(self.store, entity, depth)[1]
        if view not in builders:
            raise InputError(f"unknown view '{view}'{did_you_mean(view, NETWORK_VIEWS)}",
                             fix="use one of " + ", ".join(NETWORK_VIEWS))
        return builders[view](self.store)

    def links(self, policy: str | None = None) -> Result:
        """The links between policies in the build (`policykg link`), strongest first; with `policy`
        (a document or measure, by IRI, key or label) only the links that touch it.

        >>> kinds = {row["type"] for row in policykg.open().links("doc/plan-2023-automobiles").values()}
        >>> "continues" in kinds
        True
        """
        from policykg.link.output import TYPE_IRIS
        from policykg.model.namespaces import LINKS_GRAPH
        subs = {}
        if policy is not None:
            subs[ox.Variable("_policy")] = engine.resolve_entity(self.store, policy, what="document or measure")
        values = " ".join(f'("{name}" <{iri}>)' for name, iri in TYPE_IRIS.items())
        return engine.execute(_LINKS % (values, LINKS_GRAPH), self.store, substitutions=subs, hide_params=True)


def open(build_dir: Path | str | None = None) -> KnowledgeGraph:   # noqa: A001  (mirrors the builtin's role)
    """Open a built knowledge graph: `build_dir`, else $POLICYKG_BUILD, else ./build.

    Raises InputError naming --build and $POLICYKG_BUILD when there is no build there.
    """
    return KnowledgeGraph(build_dir)


def build(build_dir: Path | str | None = None, documents: list[Path | str] | None = None, *,
          with_builtin: bool = False, **options) -> KnowledgeGraph:
    """Build (`policykg build`) and open the result. `documents`: folders of encodings to read instead
    of kg/documents/ (`--documents`), and with `with_builtin` besides it; `options` go to
    `policykg.build.pipeline.build` (with_pages, with_links, client, force, progress)."""
    from policykg.build import pipeline
    folders = None
    if documents:
        folders = ([paths.DOCUMENTS_DIR] if with_builtin else []) + [Path(d) for d in documents]
    ds = pipeline.build(build_dir, folders, **options)
    return KnowledgeGraph(build_dir, store=ds.store)
