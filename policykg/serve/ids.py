"""Identifiers that resolve locally: `GET /id/KEY` on `policykg serve` describes the entity
`https://w3id.org/policykg/id/KEY`, in the format the client asks for.

| Accept (or `?format=`) | Answer |
|---|---|
| `text/html` (browsers), or `html` | a summary page: class, labels, definition, codes, neighbours by label, sources |
| `text/turtle`, or `ttl` | Turtle: the statements about the entity (as subject or object) in the union of the graphs |
| `application/ld+json`, or `jsonld` | the same statements as compact JSON-LD with the build's context |
| `application/n-triples`, or `nt` | the same statements as N-Triples |

Anything else gets HTML (browsers send `*/*` among their types); `Vary: Accept` is set. An
unknown key is a 404 with one line that suggests keys, as the resolver does. Bounds: at most
`MAX_TRIPLES` statements per answer (a cut answer carries the header `X-PolicyKG-Limit: rows`;
the HTML page lists at most 500 neighbours and counts the rest); paths longer than `MAX_PATH`
characters are refused.

The web server calls `respond(store, path, accept, query)` for paths under `/id/` and sends the
`Reply` it returns: this module does no I/O of its own.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from dataclasses import dataclass, field

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.model.namespaces import PID, PREFIXES
from policykg.query import entity, entity_format
from policykg.query.name_index import index
from policykg.query.resolve import suggestions
from policykg.store.jsonld import compact

PREFIX = "/id/"
MAX_TRIPLES = 5000
MAX_PATH = 2000
TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl", "application/x-turtle": "ttl",
         "application/ld+json": "jsonld", "application/json": "jsonld", "application/n-triples": "nt"}
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
                 "jsonld": "application/ld+json", "nt": "application/n-triples"}


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


def handles(path: str) -> bool:
    return urllib.parse.urlsplit(path).path.startswith(PREFIX)


def negotiate(accept: str, query: str = "") -> str:
    """html, ttl, jsonld or nt from `?format=` or the Accept header (q-values honoured; HTML by default)."""
    fmt = urllib.parse.parse_qs(query).get("format", [""])[0]
    if fmt in CONTENT_TYPES:
        return fmt
    ranked = []
    for i, part in enumerate((accept or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if bits[0].lower() in TYPES and q > 0:
            ranked.append((-q, i, TYPES[bits[0].lower()]))
    return min(ranked)[2] if ranked else "html"


def respond(store: ox.Store, path: str, accept: str = "", query: str = "") -> Reply:
    """The answer to `GET path` (a path under /id/)."""
    if len(path) > MAX_PATH:
        return _error(414, f"the path has more than {MAX_PATH} characters")
    url = urllib.parse.urlsplit(path)
    key = urllib.parse.unquote(url.path[len(PREFIX):])
    iri = PID + key
    idx = index(store)
    if not key or (iri not in idx.entries and not _about(store, iri, 1)[0]):
        hint = suggestions(idx, store, key) if key else ""
        return _error(404, f"no entity '{key}' in this build" + (f"; did you mean {hint}?" if hint else ""))
    fmt = negotiate(accept, query or url.query)
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if fmt == "html":
        try:
            view = entity.about(store, iri)
        except InputError as e:
            return _error(404, e.message)
        lang = urllib.parse.parse_qs(query or url.query).get("lang", ["en"])[0]
        return Reply(200, CONTENT_TYPES["html"], page(view, store, "zh" if lang == "zh" else "en").encode("utf-8"), headers)
    triples, cut = _about(store, iri, MAX_TRIPLES)
    if cut:
        headers["X-PolicyKG-Limit"] = "rows"
    if fmt == "jsonld":
        expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
        body = (json.dumps(compact(expanded), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    elif fmt == "ttl":
        body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return Reply(200, CONTENT_TYPES[fmt], body, headers)


def _about(store: ox.Store, iri: str, limit: int) -> tuple[list[ox.Triple], bool]:
    """(distinct statements with the entity as subject or object in the union of the graphs, sorted;
    whether there were more than `limit`)."""
    node = ox.NamedNode(iri)
    seen: set = set()
    for pattern in ((node, None, None), (None, None, node)):
        for q in store.quads_for_pattern(*pattern):
            seen.add(ox.Triple(q.subject, q.predicate, q.object))
            if len(seen) > limit:
                break
    cut = len(seen) > limit
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))[:limit], cut


def _error(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", ("error: " + " ".join(message.split()) + "\n").encode("utf-8"))


def _link(ident: str) -> str:
    """A link to an identifier's own page when it is one of ours."""
    e = html.escape(ident)
    if ident.startswith("pid:"):
        return f'<a href="{html.escape(PREFIX + urllib.parse.quote(ident[4:]))}"><code>{e}</code></a>'
    return f"<code>{e}</code>"


def page(view: entity.EntityView, store: ox.Store, lang: str = "en") -> str:
    """An HTML summary of an entity (everything escaped; no scripts)."""
    d = entity_format.as_dict(view, store, None, lang)
    esc = html.escape
    title = d["labels"].get(lang) or d["labels"].get("en") or d["id"]
    out = ["<!DOCTYPE html>", f'<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>',
           '<link rel="alternate" type="text/turtle" href="?format=ttl">',
           '<link rel="alternate" type="application/ld+json" href="?format=jsonld">',
           "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{vertical-align:top;"
           "text-align:left;padding:2px 8px}</style></head><body>",
           f"<h1>{esc(title)}</h1>", f"<p><code>{esc(view.iri)}</code> · {_link(d['id'])} · "
           f'<a href="?format=ttl">Turtle</a> · <a href="?format=jsonld">JSON-LD</a> · '
           f'<a href="?lang={"en" if lang == "zh" else "zh"}">{"English" if lang == "zh" else "中文"}</a></p>', "<table>"]
    rows = [("class", ", ".join(d["class"]))] + [(f"label ({lg})", v) for lg, v in d["labels"].items()]
    rows += [(f"also called ({lg})", "; ".join(v)) for lg, v in d["alt_labels"].items()]
    rows += [(f"definition ({lg})", v) for lg, v in d["definitions"].items()]
    rows += [("codes", ", ".join(f"{c['system']} {c['code']}" for c in d["codes"]))] if d["codes"] else []
    rows += [(v["property_label"], v["value"]) for v in d["values"]]
    out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows]
    if d["document"]:
        out.append(f"<tr><th>document</th><td>{_link(d['document'])}</td></tr>")
    out.append("</table>")
    for direction, heading in (("out", "Relations"), ("in", "Referred to by")):
        ns = [n for n in d["neighbours"] if n["direction"] == direction]
        if ns:
            out += [f"<h2>{heading}</h2>", "<ul>"]
            out += [f"<li>{esc(n['property_label'])} {'→' if direction == 'out' else '←'} {esc(n['label'])} "
                    f"{_link(n['id'])}{' (' + esc(n['class']) + ')' if n['class'] else ''}</li>" for n in ns]
            out.append("</ul>")
    if d["sources"]:
        out += ["<h2>Sources</h2>"]
        for s in d["sources"]:
            out += [f"<h3>{esc(s['label'])} {_link(s['source'])}</h3>", "<ul>"]
            for c in s["claims"]:
                who = c.get("subject") or c.get("value")
                what = who.get("label") or who.get("id") or who.get("value", "")
                spans = ", ".join(f"{a}-{b}" for a, b in c["spans"])
                flag = "" if c["status"] == "Accepted" else " <strong>contradicted</strong>"
                flag += " <em>inferred</em>" if c.get("inferred") else ""
                out.append(f"<li>{'← ' if c['direction'] == 'in' else ''}{esc(c['property_label'])} {esc(what)}"
                           f"{(' [' + esc(spans) + ']') if spans else ''}{flag}</li>")
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
