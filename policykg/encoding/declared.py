"""Pass 1 of reading the encodings (policykg.encoding.reader): each file on its own is parsed, its
shape checked and the keys it declares listed (`scan`); then the checks that only the whole set
of files shows: a key declared twice or also in the vocabulary (`key_table`), a graph of web
pages named twice (`graph_clashes`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policykg.encoding import yamlsrc
from policykg.encoding.check import Checker
from policykg.encoding.records import iri_of
from policykg.errors import InputError
from policykg.model.namespaces import GRAPH
from policykg.model.ontology import Ontology

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9.-]*)+$")
MAPPING_FIELDS = {"source", "entities", "label", "facts", "contradicted"}
SCALAR_FIELDS = {"key", "type", "sha256", "chars", "graph", "en", "zh", "lang", "inferred", "note", "verification"}


def _shape_errors(path: Path, node, facts: bool = False) -> list[InputError]:
    """Fields that must hold one value but hold a list or a mapping, found before any value is read.
    The keys of a `facts` mapping are property names, not fields: only their values are looked into."""
    out = []
    if isinstance(node, yamlsrc.Map):
        for key, value in node.items():
            kind = "a list" if isinstance(value, yamlsrc.Seq) else "a mapping" if isinstance(value, yamlsrc.Map) else "a value"
            if not facts and key in SCALAR_FIELDS and kind != "a value":
                out.append(InputError(f"'{key}' must be a single value, not {kind}", path=path,
                                      line=node.key_lines[key], fix=f"write {key}: VALUE (see docs/encoding.md)"))
            elif not facts and key in MAPPING_FIELDS and kind != "a mapping" and value != "":
                out.append(InputError(f"'{key}' must be a mapping, not {kind}", path=path, line=node.key_lines[key],
                                      fix="write it as indented 'name: value' lines (see docs/encoding.md)"))
            else:
                out += _shape_errors(path, value, facts=not facts and key == "facts")
    elif isinstance(node, yamlsrc.Seq):
        for item in node:
            out += _shape_errors(path, item)
    return out


def _declarations(onto: Ontology, path: Path, doc, reader: Checker) -> list[tuple[str, str, int]]:
    """(key, class IRI, line) for every entry with a type, the source itself included."""
    out = []
    src = doc.get("source")
    if isinstance(src, yamlsrc.Map) and "key" in src and "type" in src:
        cls = reader.class_iri(str(src["type"]), src.key_lines["type"])
        if cls:
            out.append((str(src["key"]), cls, src.key_lines["key"]))
    ents = doc.get("entities")
    if isinstance(ents, yamlsrc.Map):
        for key, entry in ents.items():
            if isinstance(entry, yamlsrc.Map) and "type" in entry:
                cls = reader.class_iri(str(entry["type"]), entry.key_lines["type"])
                if cls:
                    out.append((key, cls, ents.key_lines[key]))
    return out


@dataclass
class Scan:
    """What one file declares (pass 1 of reading): its parsed YAML, (key, class IRI, line) and errors."""
    path: Path
    doc: object
    declarations: list[tuple[str, str, int]]
    errors: list[InputError]


def scan(onto: Ontology, path: Path) -> Scan:
    """Parse one file and list the keys it declares; on its own, so it can run anywhere."""
    try:
        doc = yamlsrc.load(path)
    except InputError as e:
        return Scan(path, None, [], [e])
    shape = _shape_errors(path, doc)
    if shape:
        return Scan(path, None, [], shape)
    reader = Checker(onto, path, {})
    if not isinstance(doc, yamlsrc.Map):
        reader.error("the file must be a mapping with 'source' and 'entities'", 1, "see docs/encoding.md")
        return Scan(path, None, [], reader.errors)
    decls = _declarations(onto, path, doc, reader)
    for key, _cls, line in decls:
        if not KEY_RE.match(key):
            reader.error(f"bad key '{key}'", line, "keys are lower-case slugs with a kind prefix, e.g. doc/miit-2022-160")
    return Scan(path, doc, [d for d in decls if KEY_RE.match(d[0])], reader.errors)


def key_table(onto: Ontology, scans: list[Scan]) -> tuple[dict[str, frozenset[str]], list[InputError]]:
    """Every key the files may refer to (vocabulary and declarations) with its classes, and the
    errors only the whole set of files shows (a key declared twice, or also in the vocabulary).

    Keys of the same classes share one frozenset (and one string per class): the table has an entry
    for every declared entity of the corpus (about 27 a policy) and goes whole to every worker, where
    a set and a class name of its own per key tripled its size."""
    shared: dict[frozenset[str], frozenset[str]] = {}

    def classes(types) -> frozenset[str]:
        types = frozenset(types)
        return shared.setdefault(types, types)
    known: dict[str, frozenset[str]] = {iri: classes(types) for iri, types in onto.individuals.items()}
    declared_at: dict[str, tuple[Path, int]] = {}
    errors: list[InputError] = []
    for sc in scans:
        for key, cls, line in sc.declarations:
            iri = iri_of(key)
            if iri in declared_at:
                p, l = declared_at[iri]
                errors.append(InputError(f"duplicate id '{key}' (also declared at {Path(p).name}:{l})", path=sc.path, line=line,
                                         fix="declare it once; other files add facts without 'type'"))
            elif iri in onto.individuals:
                errors.append(InputError(f"duplicate id '{key}' (already defined in ontology/vocab)", path=sc.path,
                                         line=line, fix="refer to the vocabulary concept instead of declaring it"))
            else:
                declared_at[iri] = (sc.path, line)
                known[iri] = classes((cls,))
    return known, errors



def graph_clashes(encs) -> list[InputError]:
    """Files of facts from web pages that name the same graph (`encs`: SourceEncodings, or any
    records with pages, graph, path and graph_line)."""
    graphs: dict[str, Path] = {}
    errors = []
    for enc in encs:
        if enc.pages and enc.graph in graphs:
            errors.append(InputError(f"graph '{enc.graph[len(GRAPH):]}' is also the graph of {Path(graphs[enc.graph]).name}",
                                     path=enc.path, line=enc.graph_line, fix="give each file its own graph name"))
        else:
            graphs.setdefault(enc.graph, enc.path)
    return errors
