"""An entity view (`policykg.query.entity`) as text, Markdown or JSON, in English or Chinese.

Identifiers are printed as `pid:KEY` (or `pkg:Name`), which `policykg sparql` accepts as written;
relations and neighbours are named by their labels in the chosen language. Given the folder of
the user's copies of the sources, passages are quoted (at most `entity.QUOTE_MAX` characters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from policykg.query.entity import EntityView, passage, texts
from policykg.query.index import printed
from policykg.query.name_index import index
from policykg.query.results import short_iri

FORMATS = ("text", "md", "json")
LANGS = ("en", "zh")
_WORDS = {
    "en": {"class": "class", "labels": "labels", "alt": "also called", "definition": "definition", "codes": "codes",
           "values": "values", "out": "relations", "in": "referred to by", "sources": "sources", "document": "in",
           "none": "no source states anything about it (it comes from the vocabularies or the ontology)",
           "derived": "derived by the reasoner (no source states these directly)", "more": "more not shown",
           "notext": "no text: the claims carry no passages", "missing": "text not found in the folder"},
    "zh": {"class": "类", "labels": "标签", "alt": "别名", "definition": "定义", "codes": "代码", "values": "取值",
           "out": "关系", "in": "被引用", "sources": "来源", "document": "所属", "none": "没有来源对其作出陈述（来自词表或本体）",
           "derived": "推理机导出（无来源直接陈述）", "more": "条未显示", "notext": "无文本：陈述不带段落",
           "missing": "文件夹中未找到文本"},
}


def render(view: EntityView, store: ox.Store, sources_dir: Path | str | None = None, lang: str = "en",
           fmt: str = "text") -> str:
    """The view in `fmt` (text, md or json) with labels in `lang` (en or zh)."""
    data = as_dict(view, store, sources_dir, lang)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _lines(data, lang, md=fmt == "md")


def as_dict(view: EntityView, store: ox.Store, sources_dir: Path | str | None = None, lang: str = "en") -> dict:
    """Plain data for JSON and the text formats."""
    idx = index(store)
    files = texts(sources_dir) if sources_dir else {}

    def prop(p: str) -> str:
        e = idx.get(p)
        return e.label(lang) if e and e.names.get("label") else short_iri(p)

    def term(t) -> dict:
        if isinstance(t, ox.NamedNode):
            e = idx.get(t.value)
            return {"id": printed(t.value), "label": e.label(lang) if e else ""}
        return {"value": t.value}

    sources = []
    for sv in view.sources:
        sha = next((c.sha256 for c in sv.claims if c.sha256), None)
        have = files.get(sha) if sha else None
        claims = []
        for c in sv.claims:
            d = {"direction": "in" if c.incoming else "out", "property": printed(c.predicate),
                 "property_label": prop(c.predicate), "status": c.status}
            d["subject" if c.incoming else "value"] = term(ox.NamedNode(c.subject)) if c.incoming else term(c.obj)
            d["spans"] = [list(s) for s in c.spans]
            if c.inferred:
                d["inferred"] = c.inferred
            if c.note:
                d["note"] = c.note
            if c.contradicted_by:
                d["contradicted_by"] = [printed(x) for x in c.contradicted_by]
            if have:
                d["passages"] = [passage(have, a, b) for a, b in c.spans]
            claims.append(d)
        src = idx.get(sv.source)
        sources.append({"source": printed(sv.source), "label": src.label(lang) if src else sv.label,
                        "sha256": sha, "text": have.name if have else None, "claims": claims})
    return {
        "id": printed(view.iri), "iri": view.iri,
        "class": [printed(c) for c in view.classes] or [printed(t) for t in view.types],
        "labels": {lg: v for lg, v in (("en", view.label_en), ("zh", view.label_zh)) if v},
        "alt_labels": view.alt_labels, "definitions": view.definitions,
        "document": printed(view.document) if view.document else None,
        "codes": [{"system": s, "code": c, "id": printed(i) if i else None} for s, c, i in view.codes],
        "values": [{"property": printed(p), "property_label": prop(p), "value": v, "lang": lg}
                   for p, v, lg in view.values if lg in ("", lang)],
        "neighbours": [{"direction": "in" if n.incoming else "out", "property": printed(n.predicate),
                        "property_label": prop(n.predicate), "id": printed(n.iri), "class": n.cls,
                        "label": n.labels.get(lang) or n.labels.get("en", "")} for n in view.neighbours],
        "more_neighbours": view.more_neighbours,
        "sources": sources,
        "derived": [{"property": printed(p), "value": printed(o) if o.startswith("http") else o} for p, o in view.derived],
    }


def _lines(d: dict, lang: str, md: bool) -> str:
    w = _WORDS[lang]
    other = "zh" if lang == "en" else "en"
    title = d["labels"].get(lang) or d["labels"].get(other, "")
    head = f"{d['id']}  {title}" + (f" / {d['labels'][other]}" if d["labels"].get(other) and lang in d["labels"] else "")
    out = [f"# {title}" if md else head]
    item = "- " if md else "  "

    def section(name: str) -> None:
        out.extend(["", f"## {name}", ""] if md else ["", f"{name}:"])

    if md:
        out += ["", f"`{d['id']}`", ""]
    out.append(f"{item}{w['class']}: " + ", ".join(d["class"]))
    if d["document"]:
        out.append(f"{item}{w['document']}: {d['document']}")
    for lg in (lang, other):
        if d["alt_labels"].get(lg):
            out.append(f"{item}{w['alt']} ({lg}): " + "; ".join(d["alt_labels"][lg]))
    for lg in (lang, other):
        if d["definitions"].get(lg):
            out.append(f"{item}{w['definition']} ({lg}): {d['definitions'][lg]}")
    if d["codes"]:
        out.append(f"{item}{w['codes']}: " + ", ".join(f"{c['system']} {c['code']}" for c in d["codes"]))
    if d["values"]:
        section(w["values"])
        out += [f"{item}{v['property_label']}: {v['value']}" for v in d["values"]]
    for direction in ("out", "in"):
        ns = [n for n in d["neighbours"] if n["direction"] == direction]
        if ns:
            section(w[direction])
            arrow = "→" if direction == "out" else "←"
            out += [f"{item}{n['property_label']} {arrow} {n['label']} ({n['id']}" + (f", {n['class']})" if n["class"] else ")")
                    for n in ns]
    if d["more_neighbours"]:
        out.append(f"{item}… {d['more_neighbours']} {w['more']}")
    section(w["sources"])
    if not d["sources"]:
        out.append(f"{item}{w['none']}")
    for s in d["sources"]:
        note = (f"sha256 {s['sha256'][:12]}…" + (f"; text: {s['text']}" if s["text"] else "")) if s["sha256"] else w["notext"]
        out += ["", f"### {s['label']} ({s['source']})" if md else f"{s['source']} — {s['label']} ({note})"]
        if md:
            out += [f"_{note}_", ""]
        for c in s["claims"]:
            if c["direction"] == "in":
                line = f"{item}← {c['subject']['label'] or c['subject']['id']} ({c['subject']['id']}) {c['property_label']}"
            else:
                v = c["value"]
                line = f"{item}{c['property_label']} " + (f"{v['label']} ({v['id']})" if "id" in v and v["label"]
                                                          else v.get("id") or v["value"])
            if c["spans"]:
                line += "  [" + ", ".join(f"{a}-{b}" for a, b in c["spans"]) + "]"
            if c["status"] != "Accepted":
                line += "  CONTRADICTED by " + ", ".join(c.get("contradicted_by", []))
            if c.get("inferred"):
                line += "  INFERRED"
            out.append(line)
            pad = "  " if md else "      "
            if c.get("note"):
                out.append(f"{pad}note: {c['note']}")
            if c.get("inferred") and c["inferred"] != "yes":
                out.append(f"{pad}reason: {c['inferred']}")
            for q in c.get("passages", ()):
                out.append(f"{pad}> {q}" if md else f"{pad}“{q}”")
    if d["derived"]:
        section(w["derived"])
        out += [f"{item}{x['property']} {x['value']}" for x in d["derived"]]
    return "\n".join(out) + "\n"
