"""The per-document stage of the build: read, check and compile one encoding, and derive what the
rules entail from it alone. Each result is a `Unit`, cached by the hash of the file's bytes and of
everything else it depends on (ontology, vocabularies, rules and this code); a cached unit is reused
when the keys it looked up in other files still have the same classes.

The functions here take plain arguments and return picklable results, so the same code runs in
this process or on the workers of a Dask cluster (`policykg.build.distributed`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.build import literals
from policykg.encoding import compile as compiler, declared, reader
from policykg.errors import InputError
from policykg.model import entail, ontology, reason
from policykg.model.namespaces import INFERRED_GRAPH, PID
from policykg.store import jsonld

_PACKAGE = Path(__file__).resolve().parent.parent
CODE = [_PACKAGE / "encoding", _PACKAGE / "model", _PACKAGE / "store" / "jsonld.py", Path(__file__),
        Path(__file__).with_name("literals.py")]
PROVENANCE = (PID + "claim/", PID + "text/")        # claim and evidence nodes: local to one source


def context_digest() -> str:
    """Hash of everything a unit depends on besides its file: ontology, vocabularies, rules, code."""
    h = hashlib.sha256()
    files = ontology.ontology_files() + reason.rule_files()
    for c in CODE:
        files += sorted(c.glob("*.py")) if c.is_dir() else [c]
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


class Context:
    """The ontology as each process needs it: loaded once per process (and per ontology version)."""
    _current: "Context | None" = None

    def __init__(self):
        self.digest = context_digest()
        self.onto = ontology.load()
        base = ox.Store()
        base.extend(self.onto.store)
        reason.materialize(base)
        ds = ox.Dataset(base)                      # the axioms' blank nodes get labels from their content
        ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        self.base_quads = list(ds)
        self.schema = entail.Schema.load(base)
        self.joins = self.schema.join_properties()
        self.rules = self.schema.plain()          # what the per-source closure takes: plain terms
        self.base = set(entail.plain_triples(self.base_quads))
        self.base_out, self.base_in = {}, {}
        for s, p, o in self.base:
            if p in self.rules.joins:
                self.base_out.setdefault((s, p), set()).add(o)
                self.base_in.setdefault((o, p), set()).add(s)
        self.base_nodes = {t[0] for t in self.base if isinstance(t[0], str)}

    @classmethod
    def get(cls, expected: str | None = None) -> "Context":
        """This process's context; `expected` (the digest the caller built with) skips re-hashing
        the files, and a process whose ontology or code differs from it raises RuntimeError (a
        worker of a cluster with another version installed)."""
        if cls._current is not None and expected is not None and cls._current.digest == expected:
            return cls._current
        if cls._current is None or cls._current.digest != context_digest():
            cls._current = cls()
        if expected is not None and cls._current.digest != expected:
            raise RuntimeError("this process has another version of the ontology or of policykg than the build")
        return cls._current


@dataclass
class Unit:
    """One source's share of the build."""
    path: str
    digest: str                                  # of the file's bytes and the context
    graph: str = ""
    pages: bool = False                          # a file of facts from web pages
    graph_line: int = 0
    declarations: list = field(default_factory=list)   # (key, class IRI, line)
    lookups: dict = field(default_factory=dict)  # IRI -> classes, for every key looked up
    nodes: list = field(default_factory=list)    # entities its facts mention (not vocabulary-only)
    join_nodes: list = field(default_factory=list)   # entities in its triples of join properties
    quads: int = 0
    inferred: int = 0
    errors: list = field(default_factory=list)
    reused: bool = False                         # taken from the cache by this build
    broken: bool = False                         # the file could not be parsed (or has the wrong shape)

    @property
    def encoding_path(self) -> Path:
        return Path(self.path)


class _Recorder:
    """The key table as a reader sees it, noting every key looked up (for reusing the unit later)."""

    def __init__(self, known):
        self.known, self.seen = known, {}

    def get(self, iri, default=None):
        v = self.known.get(iri)
        self.seen[iri] = frozenset(v) if v is not None else None
        return default if v is None else v

    def __contains__(self, iri):
        return self.get(iri) is not None

    def __iter__(self):
        return iter(self.known)


def file_digest(path: Path, context: str) -> str:
    return hashlib.sha256(context.encode() + b"\0" + Path(path).read_bytes()).hexdigest()


class Cache:
    """Units on disk: DIR/DIGEST.unit (the Unit), DIR/DIGEST.nq (the quads of its source graph,
    N-Quads), DIR/DIGEST.jsonld (the same graph as kg.jsonld holds it, `policykg.store.jsonld.fragment`)
    and DIR/DIGEST.inf.nq (what the rules derive from it alone, in the inferred graph).
    The source graphs go into the dumps as they are (`policykg.store.dumps`); the inferred graph is
    shared by all sources, so it is taken from the store, where the build has merged it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def meta(self, digest: str) -> Unit | None:
        try:
            with open(self.folder / f"{digest}.unit", "rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return None

    def quads_path(self, digest: str) -> Path:
        return self.folder / f"{digest}.nq"

    def jsonld_path(self, digest: str) -> Path:
        return self.folder / f"{digest}.jsonld"

    def inferred_path(self, digest: str) -> Path:
        return self.folder / f"{digest}.inf.nq"

    def paths(self, digest: str) -> tuple[Path, Path]:
        """The unit's two N-Quads files: its source graph, then what is inferred from it."""
        return self.quads_path(digest), self.inferred_path(digest)

    def prune(self, keep: set[str]) -> int:
        """Delete the cached units of earlier builds that this build did not use (the cache holds
        one build's worth of units)."""
        n = 0
        for f in self.folder.iterdir():
            stem, dot, suffix = f.name.partition(".")
            if dot and suffix in ("unit", "nq", "jsonld", "inf.nq") and stem not in keep:
                f.unlink()
                n += 1
        return n

    def put(self, unit: Unit, nquads: bytes, inferred: bytes, compact: bytes) -> None:
        tmp = self.folder / f".{unit.digest}.{os.getpid()}.tmp"
        for body, path in ((nquads, self.quads_path(unit.digest)), (inferred, self.inferred_path(unit.digest)),
                           (compact, self.jsonld_path(unit.digest))):
            tmp.write_bytes(body)
            os.replace(tmp, path)
        tmp.write_bytes(pickle.dumps(unit))         # written last: a unit file means its quads are there
        os.replace(tmp, self.folder / f"{unit.digest}.unit")


@contextlib.contextmanager
def no_cycle_collection():
    """Python's cycle collector off while one file is read and compiled. A file makes some 10^5
    short-lived containers (parsed YAML, tuples, sets), which refcounting frees; each 700 of them
    start a collection that walks every young object, and now and then every object of the
    process (the ontology, the key table: more with every policy of the corpus). That was a third
    of the stage's CPU time. The few cycles one file leaves (an error's traceback) are collected
    once it is done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def scan(path: str, context: str, cache_dir: str) -> Unit:
    """Stage 1: the keys a file declares (from the cache when the file is unchanged)."""
    with no_cycle_collection():
        return _scan(path, context, cache_dir)


def _scan(path: str, context: str, cache_dir: str) -> Unit:
    digest = file_digest(Path(path), context)
    cached = Cache(cache_dir).meta(digest)
    if cached is not None:
        cached.path = path
        return cached
    ctx = Context.get(context)
    sc = declared.scan(ctx.onto, Path(path))
    return Unit(path, digest, declarations=sc.declarations, errors=sc.errors, broken=sc.doc is None)


def valid(unit: Unit, known) -> bool:
    """A cached unit still holds when every key it looked up has the same classes now."""
    for iri, types in unit.lookups.items():
        now = known.get(iri)
        if (frozenset(now) if now is not None else None) != types:
            return False
    return True


def compile_one(path: str, digest: str, known, cache_dir: str, context: str | None = None) -> Unit:
    """Stage 2: check and compile one file, derive its local entailments, write them to the cache.
    The unit returned has no `lookups`: they are in its cache file, where a later build reads them
    (`valid`), and the build that gathers every unit has no use for them (half of a unit's size)."""
    with no_cycle_collection():
        unit = _compile_one(path, digest, known, cache_dir, context)
    unit.lookups = {}
    return unit


def _compile_one(path: str, digest: str, known, cache_dir: str, context: str | None = None) -> Unit:
    cache = Cache(cache_dir)
    cached = cache.meta(digest)
    if cached is not None and not cached.errors and cached.graph and valid(cached, known):
        cached.path, cached.reused = path, True
        return cached
    ctx = Context.get(context)
    sc = declared.scan(ctx.onto, Path(path))
    rec = _Recorder(known)
    enc, errors = reader.read_scanned(ctx.onto, sc, rec)
    unit = Unit(path, digest, declarations=sc.declarations, errors=sc.errors + errors)
    if enc is None or unit.errors:
        return unit
    unit.graph, unit.pages, unit.graph_line = enc.graph, bool(enc.pages), enc.graph_line
    unit.lookups = {iri: t for iri, t in rec.seen.items() if t is not None}
    quads = list(dict.fromkeys(literals.as_stored(list(compiler.compile_source(enc)))))
    derived = sorted(entail.closure(ctx.rules, entail.plain_triples(quads), ctx.base, ctx.base_out, ctx.base_in),
                     key=lambda t: (t[0], t[1], str(t[2])))      # the same order in every process
    g, term = ox.NamedNode(INFERRED_GRAPH), entail.term
    inferred = [ox.Quad(term(s), term(p), term(o), g) for s, p, o in derived]
    unit.quads, unit.inferred = len(quads), len(inferred)
    unit.nodes, unit.join_nodes = _nodes(enc, derived, ctx)
    cache.put(unit, ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
              ox.serialize(inferred, format=ox.RdfFormat.N_QUADS), jsonld.fragment(quads).encode())
    return unit


def _nodes(enc, derived, ctx: Context) -> tuple[list[str], list[str]]:
    """The entities a source's facts (stated or derived) mention, and those in its triples of join
    properties; claims and evidence are left out (they belong to one source)."""
    nodes, join_nodes = set(), set()
    triples = [(f.subject, f.predicate, entail.plain(f.obj)) for f in enc.facts]
    triples += [(d.iri, None, d.type_iri) for d in enc.declarations]
    for s, p, o in triples + derived:
        ends = [t for t in (s, o) if isinstance(t, str)]
        if any(e.startswith(PROVENANCE) for e in ends):
            continue
        for e in ends:
            if e not in ctx.base_nodes or e == s:
                nodes.add(e)
        if p in ctx.rules.joins:
            join_nodes.update(ends)
    return sorted(nodes), sorted(join_nodes)


def errors_of(units: list[Unit]) -> list[InputError]:
    return [e for u in units for e in u.errors]


def default_cache(build_dir: Path) -> Path:
    return Path(build_dir) / "cache" / "units"


def document_paths(documents: list[Path] | None) -> list[Path]:
    """The encodings of the given folders (default: the built-in kg/documents/), sorted by path."""
    folders = documents or [paths.DOCUMENTS_DIR]
    out = []
    for d in folders:
        d = Path(d)
        if not d.is_dir():
            raise InputError("no such folder of encodings", path=d, fix="give a folder that holds *.yaml encodings")
        out += sorted(d.glob("*.yaml"))
    return out
