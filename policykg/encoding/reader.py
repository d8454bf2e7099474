"""Read and check the source encodings (kg/documents/*.yaml); see docs/encoding.md.

The checks are driven by the ontology: entry types are its classes, fact names its properties,
and values are typed by the properties' ranges, so the format cannot drift from the ontology.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from policykg.encoding import yamlsrc
from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import GRAPH, OWL, PID, PKG, RDF, XSD
from policykg.model.ontology import Ontology

TOP_FIELDS = {"source", "entities"}
SOURCE_FIELDS = {"key", "type", "label", "sha256", "chars", "facts", "at"}
ENTRY_FIELDS = {"type", "label", "at", "facts"}
VALUE_FIELDS = {"v", "at", "lang", "inferred", "contradicted"}
CONTRADICTED_FIELDS = {"by", "note"}
# A file that encodes facts read on public web pages (the reference notes) has no source text:
# its header names the named graph and the pages it cites, and every fact cites pages instead
# of giving character offsets (docs/encoding.md, "Facts from web pages").
CITED_SOURCE_FIELDS = {"graph", "cites"}
CITED_ENTRY_FIELDS = {"type", "label", "cite", "facts"}
CITED_VALUE_FIELDS = {"v", "cite", "lang", "inferred", "contradicted", "verification"}
RESERVED_GRAPHS = {"ontology", "vocabulary", "inferred", "links"}
GRAPH_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_RE = re.compile(r"^https?://\S+$")
LANGS = ("en", "zh")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9.-]*)+$")
LOCATOR_RE = re.compile(r"^(\d{1,15})-(\d{1,15})$")     # bounded: no 5,000-digit offsets


@dataclass(frozen=True)
class Locator:
    start: int
    end: int


@dataclass
class Fact:
    subject: str
    predicate: str
    obj: ox.NamedNode | ox.Literal
    locators: list[Locator]
    inferred: str | None = None
    contradicted_by: list[str] = field(default_factory=list)
    note: str | None = None
    path: Path | None = None
    line: int = 0
    cites: list[str] = field(default_factory=list)         # web page addresses (files with 'cites')
    verification: str | None = None                         # a caution from the reference notes


@dataclass
class Declaration:
    key: str
    iri: str
    type_iri: str
    labels: dict[str, str]
    locators: list[Locator]
    path: Path
    line: int
    cites: list[str] = field(default_factory=list)


@dataclass
class SourceEncoding:
    path: Path
    key: str
    iri: str
    graph: str
    type_iri: str
    labels: dict[str, str]
    sha256: str
    chars: int
    declarations: list[Declaration] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)     # cited files: name -> web page address
    graph_line: int = 0                                     # cited files: the line of 'graph'


class EncodingErrors(InputError):
    """Several input errors at once; each is one line."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__(errors[0].what, path=errors[0].path, line=errors[0].line, fix=errors[0].fix)

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in getattr(self, "errors", []))


def iri_of(key: str) -> str:
    return PID + key


class _Reader:
    """Checks one file against the ontology and the keys of all files."""

    def __init__(self, onto: Ontology, path: Path, known: dict[str, set[str]]):
        self.onto, self.path, self.known = onto, path, known
        self.errors: list[InputError] = []
        self.pages: dict[str, str] | None = None    # set for a file whose header has 'cites'

    def error(self, what: str, line: int | None, fix: str | None = None):
        if len(what) > 300:                     # a value quoted in the message stays readable
            what = what[:299] + "…"
        self.errors.append(InputError(what, path=self.path, line=line, fix=fix))

    # -- structure ------------------------------------------------------------------
    def check_fields(self, mapping, allowed: set[str], where: str) -> bool:
        if not isinstance(mapping, yamlsrc.Map):
            self.error(f"{where} must be a mapping", getattr(mapping, "line", None),
                       "write it as 'name: value' lines")
            return False
        for key in mapping:
            if key not in allowed:
                self.error(f"unknown field '{key}' in {where}{did_you_mean(key, allowed)}",
                           mapping.key_lines[key], "allowed: " + ", ".join(sorted(allowed)))
        return True

    def class_iri(self, name, line) -> str | None:
        if name in self.onto.classes:
            return self.onto.classes[name]
        self.error(f"unknown class '{name}'{did_you_mean(str(name), self.onto.classes)}", line,
                   "use a class of ontology/policykg.ttl")
        return None

    def labels(self, value, line, required: bool) -> dict[str, str]:
        if value is None:
            if required:
                self.error("missing 'label'", line, "add label: {en: ..., zh: ...}")
            return {}
        if not self.check_fields(value, set(LANGS), "label"):
            return {}
        out = {}
        for lang in LANGS:
            text = value.get(lang)
            if text is None:
                self.error(f"label has no '{lang}' text", value.line, f"add {lang}: ... to the label")
            elif text != " ".join(text.split()) or not text:
                self.error(f"label '{text}' has leading, trailing or double spaces", value.line, "remove the extra spaces")
            else:
                out[lang] = str(text)
        return out

    def locators(self, value, chars: int) -> list[Locator]:
        if value is None:
            return []
        items = value if isinstance(value, yamlsrc.Seq) else [value]
        out = []
        for item in items:
            m = LOCATOR_RE.match(str(item))
            line = getattr(item, "line", None)
            if not m or isinstance(item, (yamlsrc.Map, yamlsrc.Seq)):
                self.error(f"bad locator '{item}'", line, "write START-END character offsets, e.g. at: 120-185")
                continue
            start, end = int(m[1]), int(m[2])
            if start >= end:
                self.error(f"locator {item} is empty or reversed", line, "the start must be less than the end")
            elif end > chars:
                self.error(f"locator {item} ends after the text ({chars} characters)", line,
                           "check the offsets with 'policykg locate'")
            else:
                out.append(Locator(start, end))
        return out

    def cite_refs(self, value) -> list[str]:
        """Web page addresses of a 'cite': names of the header's cites, or addresses listed there."""
        items = value if isinstance(value, yamlsrc.Seq) else [value]
        out = []
        for item in items:
            line = getattr(item, "line", None)
            name = str(item)
            if isinstance(item, (yamlsrc.Map, yamlsrc.Seq)):
                self.error(f"bad cite '{item}'", line, "write a name from the header's cites, or a list of names")
            elif name in self.pages:
                out.append(self.pages[name])
            elif name in self.pages.values():
                out.append(name)
            else:
                self.error(f"unknown cite '{name}'{did_you_mean(name, self.pages)}", line,
                           "name a page listed under the header's cites, or add it there")
        return out

    # -- values ---------------------------------------------------------------------
    def resolve_ref(self, ref: str, ranges: list[str], line: int, prop: str) -> ox.NamedNode | None:
        if ref.startswith("pkg:"):
            iri = PKG + ref[4:]
            types = self.onto.individuals.get(iri)
            if types is None:
                self.error(f"unknown ontology individual '{ref}'", line, "use an individual defined in ontology/policykg.ttl")
                return None
        else:
            iri = iri_of(ref)
            types = self.known.get(iri)
            if types is None:
                keys = [k[len(PID):] for k in self.known if k.startswith(PID)]
                prefix = ref.split("/")[0] + "/"
                same_kind = [k for k in keys if k.startswith(prefix)] or keys
                self.error(f"unknown entity '{ref}'{did_you_mean(ref, same_kind)}", line,
                           "declare it (type + label) in an encoding or add it to ontology/vocab/")
                return None
        wanted = [r for r in ranges if r != OWL + "Thing"]
        if wanted and not (self.onto.closure(types) & set(wanted)):
            names = ", ".join(_short(r) for r in wanted)
            have = ", ".join(sorted(_short(t) for t in types))
            self.error(f"'{ref}' is a {have}, but {prop} expects {names}", line, "point to an entity of the expected class")
            return None
        return ox.NamedNode(iri)

    def literal(self, raw: str, ranges: list[str], lang: str | None, line: int, prop: str) -> ox.Literal | None:
        dtype = ranges[0] if ranges else XSD + "string"
        name = dtype.rsplit("#", 1)[-1]
        try:
            if dtype == RDF + "langString":
                if lang not in LANGS:
                    self.error(f"{prop} needs a language", line, "write {v: ..., lang: en} or lang: zh")
                    return None
                return ox.Literal(raw, language=lang)
            if name == "date":
                dt.date.fromisoformat(raw)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                    raise ValueError
            elif name == "decimal":
                Decimal(raw)
                if not re.fullmatch(r"-?\d+(\.\d+)?", raw):
                    raise ValueError
            elif name in ("positiveInteger", "nonNegativeInteger", "integer"):
                n = int(raw)
                if name == "positiveInteger" and n < 1 or name == "nonNegativeInteger" and n < 0:
                    raise ValueError
            elif name == "boolean":
                if raw not in ("true", "false"):
                    raise ValueError
        except (ValueError, InvalidOperation):
            examples = {"date": "a date as YYYY-MM-DD, e.g. 2022-11-21", "decimal": "a number such as 5.0",
                        "positiveInteger": "a whole number from 1", "boolean": "true or false"}
            self.error(f"bad {name} '{raw}' for {prop}", line, "write " + examples.get(name, f"an {name}"))
            return None
        return ox.Literal(raw, datatype=ox.NamedNode(dtype))

    def facts(self, subject: str, mapping, default_at: list[Locator], chars: int, default_cite=()) -> list[Fact]:
        out: list[Fact] = []
        if not self.check_fields(mapping, set(mapping), "facts"):
            return out
        for prop_name, values in mapping.items():
            line = mapping.key_lines[prop_name]
            prop = self.onto.properties.get(prop_name)
            if prop is None or prop.kind == "annotation":
                usable = [n for n, p in self.onto.properties.items() if p.kind != "annotation"]
                self.error(f"unknown property '{prop_name}'{did_you_mean(prop_name, usable)}", line,
                           "use an object or datatype property of ontology/policykg.ttl")
                continue
            items = values if isinstance(values, yamlsrc.Seq) else [values]
            item_lines = values.item_lines if isinstance(values, yamlsrc.Seq) else [line]
            for item, item_line in zip(items, item_lines):
                fact = self.fact(subject, prop, item, item_line, default_at, chars, default_cite)
                if fact:
                    out.append(fact)
        return out

    def fact(self, subject, prop, item, line, default_at, chars, default_cite=()) -> Fact | None:
        detail = {}
        if isinstance(item, yamlsrc.Map):
            allowed = VALUE_FIELDS if self.pages is None else CITED_VALUE_FIELDS
            if not self.check_fields(item, allowed, f"value of {prop.name}"):
                return None
            detail, line = item, item.line
            if "v" not in item:
                self.error(f"value of {prop.name} has no 'v'", line, "write {v: VALUE, at: START-END}")
                return None
            raw = item["v"]
        else:
            raw = item
        if isinstance(raw, (yamlsrc.Map, yamlsrc.Seq)):
            self.error(f"value of {prop.name} must be a single value", line, "use a list of values instead of a nested one")
            return None
        raw = str(raw)
        if prop.kind == "object":
            obj = self.resolve_ref(raw, prop.ranges, line, prop.name)
        else:
            obj = self.literal(raw, prop.ranges, detail.get("lang"), line, prop.name)
        if obj is None:
            return None
        if "at" in detail and self.pages is None:
            errors_before = len(self.errors)
            locs = self.locators(detail.get("at"), chars)
            if len(self.errors) > errors_before:
                return None
        else:
            locs = list(default_at)
        inferred = detail.get("inferred")
        if "inferred" in detail and not str(inferred or "").strip():
            self.error(f"'inferred' of {prop.name} gives no reason", detail.key_lines["inferred"],
                       "say why the fact is inferred, e.g. inferred: the notice numbers its measures in order")
            return None
        fact = Fact(subject, prop.iri, obj, locs, inferred=str(inferred) if inferred else None, path=self.path, line=line)
        if self.pages is not None:
            if "cite" in detail:
                errors_before = len(self.errors)
                fact.cites = self.cite_refs(detail["cite"])
                if len(self.errors) > errors_before:
                    return None
            else:
                fact.cites = list(default_cite)
            if "verification" in detail:
                text = str(detail["verification"])
                if not text or text != " ".join(text.split()):
                    self.error("'verification' must be a note in our own words", detail.key_lines["verification"],
                               "say what the reference notes leave unverified, without extra spaces")
                fact.verification = text
        if "contradicted" in detail:
            c = detail["contradicted"]
            if self.check_fields(c, CONTRADICTED_FIELDS, "contradicted"):
                by = c.get("by")
                by = by if isinstance(by, yamlsrc.Seq) else ([by] if by else [])
                if not by or not c.get("note"):
                    self.error("'contradicted' needs 'by' (source keys) and 'note'", c.line,
                               "name the sources that disagree and say why")
                for b in by:
                    if iri_of(str(b)) not in self.known:
                        self.error(f"unknown source '{b}'{did_you_mean(str(b), [k[len(PID):] for k in self.known])}",
                                   getattr(b, "line", c.line), "name the key of another source")
                fact.contradicted_by = [iri_of(str(b)) for b in by]
                fact.note = str(c.get("note") or "")
        if self.pages is not None and not fact.cites and not fact.inferred:
            self.error(f"fact '{prop.name}: {raw}' cites no page", line,
                       "add cite: NAME (a page of the header's cites) here or on the entry, or mark it inferred: REASON")
            return None
        if self.pages is None and not fact.locators and not fact.inferred:
            self.error(f"fact '{prop.name}: {raw}' has no locator", line,
                       "add at: START-END (or an entry-level at), or mark it inferred: REASON")
            return None
        return fact


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


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


def _declarations(onto: Ontology, path: Path, doc, reader: _Reader) -> list[tuple[str, str, int]]:
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
    reader = _Reader(onto, path, {})
    if not isinstance(doc, yamlsrc.Map):
        reader.error("the file must be a mapping with 'source' and 'entities'", 1, "see docs/encoding.md")
        return Scan(path, None, [], reader.errors)
    decls = _declarations(onto, path, doc, reader)
    for key, _cls, line in decls:
        if not KEY_RE.match(key):
            reader.error(f"bad key '{key}'", line, "keys are lower-case slugs with a kind prefix, e.g. doc/miit-2022-160")
    return Scan(path, doc, [d for d in decls if KEY_RE.match(d[0])], reader.errors)


def key_table(onto: Ontology, scans: list[Scan]) -> tuple[dict[str, set[str]], list[InputError]]:
    """Every key the files may refer to (vocabulary and declarations) with its classes, and the
    errors only the whole set of files shows (a key declared twice, or also in the vocabulary)."""
    known: dict[str, set[str]] = {iri: set(types) for iri, types in onto.individuals.items()}
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
                known[iri] = {cls}
    return known, errors


def read_scanned(onto: Ontology, sc: Scan, known) -> tuple[SourceEncoding | None, list[InputError]]:
    """Pass 2 for one file: check everything against the ontology and the key table `known`."""
    if sc.doc is None:
        return None, []
    reader = _Reader(onto, sc.path, known)
    enc = _read_one(reader, sc.path, sc.doc)
    return (enc if not reader.errors else None), reader.errors


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


def _read_one(r: _Reader, path: Path, doc) -> SourceEncoding | None:
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


def _read_entities(r: _Reader, path: Path, doc, enc: SourceEncoding, fields: set[str], locate) -> None:
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


def _declared_elsewhere(r: _Reader, key: str, entry, line: int) -> bool:
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


def _read_cited(r: _Reader, path: Path, doc, src) -> SourceEncoding | None:
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
