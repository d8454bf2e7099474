"""The names of the graph's entities, gathered once per store: labels, titles, numbers, classes.

An `Index` holds, for every IRI that has a label, its zh/en labels, alternative labels, titles,
document numbers, definitions and codes (skos:notation, GB/T 2260, ISO 3166-2), its most specific
PolicyKG classes, the document it belongs to (for parts, measures and actions, by key) and the
number of sources that state something about it. The resolver (`resolve.py`), `search`
(`search.py`) and the catalogue queries that match names (`candidates.py`) read it; it is built with four SPARQL queries on the union of the graphs (65 ms
for the 781 entities of the current build; 50-110 s and 0.9 GB for the 160,000 of 1,000 policies,
131,000 of them links, on a loaded machine), written into the build by `policykg build`
(`index_file.py`, which streams the same rows into the file without holding the index) so that a
query process reads it instead; after an add, the earlier build's file with a layer of what the add
changed (`index_layer.py`). `name_index.index(store)` gives a store's index: read from the
file, or built, and cached for the last few stores.
"""

from __future__ import annotations

import glob
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from policykg.model.namespaces import OWL, PID, PKG, PREFIXES, RDFS, SKOS
from policykg.store import union

# field name → the properties it is read from
FIELDS = {
    "label": (RDFS + "label", SKOS + "prefLabel"),
    "alt": (SKOS + "altLabel", PKG + "abbreviation", PKG + "alternativeTitle"),
    "title": (PKG + "title",),
    "number": (PKG + "documentNumber",),
    "definition": (SKOS + "definition", RDFS + "comment"),
    "code": (SKOS + "notation", PKG + "gbt2260Code", PKG + "iso3166Code"),
}
_FIELD_OF = {p: f for f, ps in FIELDS.items() for p in ps}
_DOC_KEY = re.compile(r"^(doc/[^/]+)/")


def norm(text: str) -> str:
    """Case-, width- and space-insensitive form of a name (NFKC, casefold, one space)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Dropped(dict):
    """str.translate's table for `loose`: punctuation and separators to nothing, learnt per character."""

    def __missing__(self, code: int):
        self[code] = None if unicodedata.category(chr(code))[0] in "PZ" else code
        return self[code]


_DROP = _Dropped()


def loose(text: str) -> str:
    """`norm` without spaces and punctuation: 工业和信息化部、国家发展改革委 = 工业和信息化部 国家发展改革委."""
    return norm(text).translate(_DROP)


def key_of(iri: str) -> str:
    """`doc/miit-2022-160` for `https://w3id.org/policykg/id/doc/miit-2022-160`; other IRIs unchanged."""
    return iri[len(PID):] if iri.startswith(PID) else iri


def printed(iri: str) -> str:
    """How commands print an identifier: `pid:KEY` or `pkg:Name` (which `sparql` accepts as written), else the IRI."""
    if iri.startswith(PID):
        return "pid:" + iri[len(PID):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Entry:
    iri: str
    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)   # field → [(text, lang)]
    classes: list[str] = field(default_factory=list)                       # most specific pkg: classes
    sources: int = 0                                                       # sources stating claims about it

    @property
    def key(self) -> str:
        return key_of(self.iri)

    @property
    def document(self) -> str | None:
        """The IRI of the document a part, measure, action, goal ... belongs to (by its key)."""
        m = _DOC_KEY.match(self.key)
        return PID + m.group(1) if m else None

    def text(self, fld: str, lang: str | None = None) -> str:
        """The first value of a field, in `lang` when there is one."""
        vals = self.names.get(fld, [])
        if lang:
            for t, lg in vals:
                if lg == lang:
                    return t
        return vals[0][0] if vals else ""

    def label(self, lang: str = "en") -> str:
        return self.text("label", lang) or self.text("title", lang) or self.key

    @property
    def cls(self) -> str:
        """The short name of its most specific class (`Measure`, `ObjectProperty`, `ConceptScheme`), or ''."""
        return self.classes[0].rsplit("#", 1)[-1] if self.classes else ""


class Index:
    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries
        self.by_name: dict[str, set[str]] = {}            # normalized label/alt/title/number → IRIs
        self.by_loose: dict[str, set[str]] = {}           # the same without spaces and punctuation
        for e in entries.values():
            for fld in ("label", "alt", "title", "number"):
                for text, _ in e.names.get(fld, ()):
                    normed = norm(text)
                    self.by_name.setdefault(normed, set()).add(e.iri)
                    self.by_loose.setdefault(normed.translate(_DROP), set()).add(e.iri)   # loose(text)

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(iri)

    def numbers(self) -> list[tuple[str, str]]:
        """(IRI, document number) of every entity with a number."""
        return [(e.iri, n) for e in self.entries.values() for n, _ in e.names.get("number", ())]

    def documents(self) -> list[str]:
        """The documents that parts, measures, actions ... belong to, sorted."""
        return sorted({e.document for e in self.entries.values() if e.document})

    def has_class(self, iri: str, cls: str, store: ox.Store) -> bool:
        return any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDF_TYPE), ox.NamedNode(cls)))


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_NAMES = """SELECT DISTINCT ?e ?p ?l WHERE { VALUES ?p { %s } ?e ?p ?l FILTER(isIRI(?e) && isLiteral(?l)) }"""
_TERM_TYPES = " ".join(f"<{OWL}{t}>" for t in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")) \
    + f" <{SKOS}ConceptScheme>"
_TYPES = f"""SELECT DISTINCT ?e ?t WHERE {{ ?e a ?t FILTER(isIRI(?e) && (STRSTARTS(STR(?t), "{PKG}")
                                                              || ?t IN ({", ".join(_TERM_TYPES.split())}))) }}"""
_SUPER = f"""SELECT DISTINCT ?c ?s WHERE {{ ?c <{RDFS}subClassOf>+ ?s FILTER(isIRI(?c) && isIRI(?s)) }}"""
_SOURCES = f"""PREFIX pkg: <{PKG}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?e (COUNT(DISTINCT ?src) AS ?n) WHERE {{
  {{ ?c rdf:subject ?e }} UNION {{ ?c rdf:object ?e FILTER(isIRI(?e)) }}
  ?c a pkg:Claim ; pkg:statedIn ?src }} GROUP BY ?e"""

_NOT_ENTITIES = (PKG + "Claim", PKG + "Evidence")


def build(store: ox.Store) -> Index:
    """The name index of a store, from four queries on the union of its graphs."""
    entries: dict[str, Entry] = {}
    props = " ".join(f"<{p}>" for p in _FIELD_OF)
    for e, p, lit in store.query(_NAMES % props, **union.options(store)):
        entry = entries.get(e.value) or entries.setdefault(e.value, Entry(e.value))
        entry.names.setdefault(_FIELD_OF[p.value], []).append((lit.value, lit.language or ""))
    supers: dict[str, set[str]] = {}
    for c, s in store.query(_SUPER, **union.options(store)):
        supers.setdefault(c.value, set()).add(s.value)
    types: dict[str, set[str]] = {}
    for e, t in store.query(_TYPES, **union.options(store)):
        types.setdefault(e.value, set()).add(t.value)
    for iri, ts in types.items():
        entry = entries.get(iri)
        if entry is None:
            continue
        if ts & set(_NOT_ENTITIES):
            del entries[iri]
            continue
        implied = set().union(*(supers.get(t, set()) for t in ts))
        entry.classes = sorted(ts - implied) + sorted(ts & implied)
    for e, n in store.query(_SOURCES, **union.options(store)):
        if e.value in entries:
            entries[e.value].sources = int(n.value)
    for entry in entries.values():
        for vals in entry.names.values():
            vals.sort(key=lambda v: (v[1] not in ("en", "zh"), v[1], v[0]))
    return Index(dict(sorted(entries.items())))


# ------------------------------------------------------------- the index file of a build (index_file.write)

FOLDER, NAME, VERSION = "index", "names.sqlite", "2"


def path(build_dir: Path | str) -> Path:
    return Path(build_dir) / FOLDER / NAME


def entry_of(iri: str, data: str) -> Entry:
    """An entry from its row of an index file."""
    names, classes, sources = json.loads(data)
    return Entry(iri, {k: [tuple(v) for v in vs] for k, vs in names.items()}, classes, sources)


class _Entries(Mapping):
    def __init__(self, idx: "StoredIndex"):
        self.idx, self._all = idx, None

    def __getitem__(self, iri: str) -> Entry:
        if self._all is not None:
            return self._all[iri]
        for s in self.idx.newest_first:       # a layer's entry replaces its file's
            row = self.idx.db.execute(f"SELECT data FROM {s}entries WHERE iri = ?", (iri,)).fetchone()
            if row is not None:
                return entry_of(iri, row[0])
        raise KeyError(iri)

    def _load(self) -> dict:
        if self._all is None:
            self._all = {iri: entry_of(iri, data) for iri, data in self.idx.db.execute(self.idx.entries_sql("iri, data")
                                                                                      + " ORDER BY iri")}
        return self._all

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        return self.idx.db.execute(f"SELECT COUNT(*) FROM ({self.idx.entries_sql('iri')})").fetchone()[0]

    def values(self):
        return self._load().values()

    def items(self):
        return self._load().items()


class _Names(Mapping):
    def __init__(self, idx: "StoredIndex", kind: int):
        self.idx, self.kind, self._all = idx, kind, None

    def __getitem__(self, name: str) -> set[str]:
        if self._all is not None:
            return self._all[name]
        found = {r[0] for r in self.idx.db.execute(self.idx.union("SELECT iri FROM {s}names WHERE kind = ? AND name = ?"),
                                                   (self.kind, name) * len(self.idx.schemas))}
        if not found:
            raise KeyError(name)
        return found

    def _load(self) -> dict:
        if self._all is None:
            self._all = {}
            for name, iri in self.idx.db.execute(self.idx.union("SELECT name, iri FROM {s}names WHERE kind = ?"),
                                                 (self.kind,) * len(self.idx.schemas)):
                self._all.setdefault(name, set()).add(iri)
        return self._all

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class StoredIndex(Index):
    """An `Index` read from the build's file (`index_file.write`) as it is asked; with its layer
    (`layered`: the entities an add brought or changed, index_layer.py) attached as schema `added`,
    whose entries replace the file's and whose names add to them."""

    def __init__(self, db: sqlite3.Connection, layered: bool = False):
        self.db, self.layered = db, layered
        self.schemas = ("main.", "added.") if layered else ("",)
        self.newest_first = self.schemas[::-1]
        self.entries = _Entries(self)
        self.by_name = _Names(self, 0)
        self.by_loose = _Names(self, 1)

    def union(self, sql: str) -> str:
        """`sql` (with `{s}` before its tables) over the file and its layer, repeats dropped."""
        return " UNION ".join(sql.format(s=s) for s in self.schemas)

    def entries_sql(self, columns: str) -> str:
        """A SELECT of `columns` of every entry: the layer's, and the file's that the layer does not replace."""
        if not self.layered:
            return f"SELECT {columns} FROM entries"
        return (f"SELECT {columns} FROM main.entries WHERE iri NOT IN (SELECT iri FROM added.entries) "
                f"UNION ALL SELECT {columns} FROM added.entries")

    def numbers(self):
        return self.db.execute(self.union("SELECT iri, number FROM {s}numbers") + " ORDER BY iri").fetchall()

    def documents(self) -> list[str]:
        return [r[0] for r in self.db.execute(self.union("SELECT DISTINCT document FROM {s}entries WHERE document IS NOT NULL")
                                              + " ORDER BY document")]


def read(build_dir: Path | str, newer_than: float) -> StoredIndex | None:
    """The index file of a build when it exists, has this version and is not older than `newer_than`;
    or, when the build has a layer (`LAYER`) that is not older than `newer_than` and was written over
    this very file, the file with its layer attached (the file itself is then as old as the build the
    add started from)."""
    layered = _with_layer(Path(build_dir), newer_than)
    if layered is not None:
        return layered
    db = open_current(path(Path(build_dir)), newer_than, VERSION)
    return StoredIndex(db) if db is not None else None


LAYER = "names-added.sqlite"


def layer_path(build_dir: Path | str) -> Path:
    return Path(build_dir) / FOLDER / LAYER


def identity(p: Path) -> str:
    """What names one index file over time (an add hard-links it into the next build; writing the
    index again replaces it by another file)."""
    st = p.stat()
    return f"{st.st_ino}:{st.st_size}"


def _with_layer(build_dir: Path, newer_than: float) -> StoredIndex | None:
    layer, base = layer_path(build_dir), path(build_dir)
    if not layer.is_file():
        return None
    db = open_current(layer, newer_than, VERSION)
    if db is None:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'base'").fetchone()
        db.close()
        if row is None or row[0] != identity(base):
            return None
        db = sqlite3.connect(f"file:{base}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        db.execute("ATTACH ? AS added", (f"file:{layer}?mode=ro&immutable=1",))
        if db.execute("SELECT value FROM main.meta WHERE key = 'version'").fetchone() != (VERSION,):
            db.close()
            return None
    except (OSError, sqlite3.Error):
        return None
    return StoredIndex(db, layered=True)


_LEFTOVER = re.compile(r"\.tmp-(\d+)-[0-9a-f]{8}$")


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the temporary files of `replacing(target)` whose writer has ended without removing
    them (a reader killed at its time limit while it wrote the name index again): files named
    `TARGET.tmp-PID-XXXXXXXX` (our pattern) whose process PID no longer runs. The caller holds the
    folder's lock, so no writer of ours is between creating such a file and renaming it."""
    gone = []
    for f in target.parent.glob(glob.escape(target.name) + ".tmp-*"):
        m = _LEFTOVER.search(f.name[len(target.name):])
        if m is None or f.is_symlink() or not f.is_file() or _runs(int(m.group(1))):
            continue
        f.unlink(missing_ok=True)
        gone.append(f)
    return gone


def _runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A build's file written whole: a temporary file of our own beside `target` (created empty and
    exclusively; the umask applies) to write in the block, renamed over `target` when the block
    ends, removed when it fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def mark_current(build_dir: Path | str) -> None:
    """Give the build's index files (names, stored answers) the time of now, once the build has
    closed its store. They were made from the store's final content, but closing the store rewrites
    its manifest, which makes the store's time stamp newer than theirs: without this, a fresh build's
    files looked stale whenever its last steps took more than a second, and the first query by
    name wrote the name index again (245 s at 10,000 policies)."""
    for f in (Path(build_dir) / FOLDER).glob("*.sqlite"):
        os.utime(f)


def open_current(p: Path, newer_than: float, version: str) -> sqlite3.Connection | None:
    """A build's SQLite file (one with a `meta` table holding its `version`), read-only, when it
    exists, has `version` and is not older than `newer_than` (its store's time stamp); else None."""
    try:
        if p.stat().st_mtime + 1 < newer_than:
            return None
        db = sqlite3.connect(f"file:{p}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except (OSError, sqlite3.Error):
        return None
    if not row or row[0] != version:
        db.close()
        return None
    return db
