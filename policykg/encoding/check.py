"""Checking the fields and values of one encoding file (policykg.encoding.reader) against the
ontology and the key table, collecting every error with its line.

The checks are driven by the ontology: entry types are its classes, fact names its properties,
and values are typed by the properties' ranges, so the format cannot drift from the ontology.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from policykg.encoding import yamlsrc
from policykg.encoding.records import Fact, Locator, iri_of
from policykg.errors import InputError, did_you_mean
from policykg.model.namespaces import OWL, PID, PKG, RDF, XSD
from policykg.model.ontology import Ontology

VALUE_FIELDS = {"v", "at", "lang", "inferred", "contradicted"}
CONTRADICTED_FIELDS = {"by", "note"}
# a value in a file of facts read on web pages cites pages instead of giving offsets (reader.py)
CITED_VALUE_FIELDS = {"v", "cite", "lang", "inferred", "contradicted", "verification"}
LANGS = ("en", "zh")
LOCATOR_RE = re.compile(r"^(\d{1,15})-(\d{1,15})$")     # bounded: no 5,000-digit offsets


class Checker:
    """Checks one file against the ontology and the keys of all files."""

    def __init__(self, onto: Ontology, path: Path, known: dict[str, frozenset[str]]):
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
