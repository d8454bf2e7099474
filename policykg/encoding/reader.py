"""Read and check the source encodings (kg/documents/*.yaml); see docs/encoding.md.

Reading runs in two passes: `policykg.encoding.declared` parses each file and lists the keys it
declares, then each file is checked against the ontology and the key table of all files
(`read_scanned`, with `policykg.encoding.check`) into a `SourceEncoding`
(`policykg.encoding.records`). This module reads the sections of the two kinds of file (with a
source text, or of facts read on web pages) and the whole set of files (`read_all`).
"""

from __future__ import annotations

import re
from pathlib import Path

from policykg.encoding import yamlsrc
from policykg.encoding.check import Checker
from policykg.encoding.records import Declaration, EncodingErrors, SourceEncoding, iri_of
from policykg.encoding.declared import Scan, graph_clashes, key_table, scan
from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import GRAPH, PID
from policykg.model.ontology import Ontology

TOP_FIELDS = {"source", "entities"}
SOURCE_FIELDS = {"key", "type", "label", "sha256", "chars", "facts", "at"}
ENTRY_FIELDS = {"type", "label", "at", "facts"}
# A file that encodes facts read on public web pages (the reference notes) has no source text:
# its header names the named graph and the pages it cites, and every fact cites pages instead
# of giving character offsets (docs/encoding.md, "Facts from web pages").
CITED_SOURCE_FIELDS = {"graph", "cites"}
CITED_ENTRY_FIELDS = {"type", "label", "cite", "facts"}
RESERVED_GRAPHS = {"ontology", "vocabulary", "inferred", "links"}
GRAPH_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_RE = re.compile(r"^https?://\S+$")


def read_scanned(onto: Ontology, sc: Scan, known) -> tuple[SourceEncoding | None, list[InputError]]:
    """Pass 2 for one file: check everything against the ontology and the key table `known`."""
    if sc.doc is None:
        return None, []
    reader = Checker(onto, sc.path, known)
    enc = _read_one(reader, sc.path, sc.doc)
    return (enc if not reader.errors else None), reader.errors


def read_all(onto: Ontology, files: list[Path]) -> list[SourceEncoding]:
    """Parse and check every file; raise EncodingErrors listing every problem found."""
    scans = [scan(onto, path) for path in files]
    broken = [e for sc in scans if sc.doc is None for e in sc.errors]
    if broken:          # the other files' references to what a broken file declares would only add noise
        raise EncodingErrors(broken)
    known, table_errors = key_table(onto, scans)
    errors: list[InputError] = []
    out = []
    for sc in scans:
        errors += sc.errors
        errors += [e for e in table_errors if e.path == sc.path]
        enc, errs = read_scanned(onto, sc, known)
        errors += errs
        if enc:
            out.append(enc)
    clashes = graph_clashes(out)
    errors += clashes
    if errors:
        raise EncodingErrors(errors)
    return out


def _read_one(r: Checker, path: Path, doc) -> SourceEncoding | None:
    r.check_fields(doc, TOP_FIELDS, "the file")
    src = doc.get("source")
    if src is None:
        r.error("missing 'source' section", 1, "add source: with key, type, label, sha256 and chars")
        return None
    if isinstance(src, yamlsrc.Map) and "cites" in src:
        return _read_cited(r, path, doc, src)
    if not r.check_fields(src, SOURCE_FIELDS, "source"):
        return None
    for needed in ("key", "type", "sha256", "chars"):
        if needed not in src:
            r.error(f"source has no '{needed}'", src.line, "see docs/encoding.md")
    if r.errors:
        return None
    sha = str(src["sha256"]).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        r.error(f"bad sha256 '{src['sha256']}'", src.key_lines["sha256"], "give the 64 hex digits of the file's SHA-256")
    if not re.fullmatch(r"\d{1,15}", str(src["chars"])):
        r.error(f"bad chars '{src['chars']}'", src.key_lines["chars"], "give the length of the text in characters")
        return None
    chars = int(src["chars"])
    key = str(src["key"])
    enc = SourceEncoding(path=path, key=key, iri=iri_of(key), graph=GRAPH + key.split("/", 1)[-1],
                         type_iri=r.onto.classes.get(str(src["type"]), ""),
                         labels=r.labels(src.get("label"), src.line, True), sha256=sha, chars=chars)
    src_at = r.locators(src.get("at"), chars)
    enc.declarations.append(Declaration(key, enc.iri, enc.type_iri, enc.labels, src_at, path, src.line))
    if "facts" in src:
        enc.facts += r.facts(enc.iri, src["facts"], src_at, chars)
    _read_entities(r, path, doc, enc, ENTRY_FIELDS,
                   lambda entry: (r.locators(entry.get("at"), chars), []))
    return enc


def _read_entities(r: Checker, path: Path, doc, enc: SourceEncoding, fields: set[str], locate) -> None:
    """The 'entities' section, for both kinds of file: `locate(entry)` gives the entry's default
    (locators, cited pages): offsets into a text, or web pages."""
    ents = doc.get("entities", yamlsrc.Map())
    if not r.check_fields(ents, set(ents) if isinstance(ents, dict) else set(), "entities"):
        return
    for key, entry in ents.items():
        line = ents.key_lines[key]
        if not r.check_fields(entry, fields, f"entity '{key}'"):
            continue
        iri = iri_of(key)
        at, cite = locate(entry)
        if "type" in entry:
            cls = r.onto.classes.get(str(entry["type"]))
            if cls:
                enc.declarations.append(Declaration(key, iri, cls, r.labels(entry.get("label"), line, True), at, path,
                                                    line, cites=cite))
        elif not _declared_elsewhere(r, key, entry, line):
            continue
        if "facts" in entry:
            enc.facts += r.facts(iri, entry["facts"], at, enc.chars, default_cite=cite)


def _declared_elsewhere(r: Checker, key: str, entry, line: int) -> bool:
    """An entry without 'type' adds facts to an entity declared elsewhere; False when there is none."""
    if iri_of(key) not in r.known:
        keys = [k[len(PID):] for k in r.known if k.startswith(PID)]
        r.error(f"unknown entity '{key}'{did_you_mean(key, keys)}", line,
                "add 'type' and 'label' to declare it, or fix the key")
        return False
    if "label" in entry:
        r.error(f"'label' on '{key}', which is declared elsewhere", entry.key_lines["label"],
                "give labels where the entity is declared")
    return True


def _read_cited(r: Checker, path: Path, doc, src) -> SourceEncoding | None:
    """A file of facts read on web pages: header {graph, cites}; facts cite pages, not offsets."""
    if not r.check_fields(src, CITED_SOURCE_FIELDS, "source"):
        return None
    if "graph" not in src:
        r.error("source has no 'graph'", src.line, "name the file's named graph, e.g. graph: ten-industry-plans")
        return None
    slug = str(src["graph"])
    if not GRAPH_SLUG_RE.match(slug) or slug in RESERVED_GRAPHS:
        r.error(f"bad graph name '{slug}'", src.key_lines["graph"],
                "use a lower-case slug that is not one of " + ", ".join(sorted(RESERVED_GRAPHS)))
        return None
    cites = src["cites"]
    if not isinstance(cites, yamlsrc.Map) or not cites:
        r.error("'cites' must map short names to web page addresses", src.key_lines["cites"],
                "write one 'NAME: https://...' line per page")
        return None
    r.pages = {}
    for name, url in cites.items():
        if isinstance(url, (yamlsrc.Map, yamlsrc.Seq)) or not URL_RE.match(str(url)):
            r.error(f"bad web page address for cite '{name}'", cites.key_lines[name], "give the page's http(s) address")
        else:
            r.pages[name] = str(url)
    enc = SourceEncoding(path=path, key="graph/" + slug, iri=GRAPH + slug, graph=GRAPH + slug, type_iri="",
                         labels={}, sha256="", chars=0, pages=dict(r.pages), graph_line=src.key_lines["graph"])
    _read_entities(r, path, doc, enc, CITED_ENTRY_FIELDS,
                   lambda entry: ([], r.cite_refs(entry["cite"]) if "cite" in entry else []))
    return enc
