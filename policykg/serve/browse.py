"""What a browser finds on `policykg serve`: the query page at `/` and the entity pages under `/id/`.

The endpoint's front process calls `respond()` for every GET; it returns None for paths that are
not pages (such as `/query`), which the endpoint answers itself. The query page is one offline
HTML file (no external scripts): a SPARQL editor with examples that posts to `/query` and shows
the results as a table, results taken as text (never as markup) and our IRIs linked to their
`/id/` pages; below it, the named queries of `/catalogue` (policykg.serve.named), each with a field
per parameter (filled with its example), run a page at a time with the total and Previous/Next. Entity pages are `policykg.serve.ids`.
"""

from __future__ import annotations

import html
import json
import urllib.parse

import pyoxigraph as ox

from policykg.model.namespaces import PID, sparql_prefixes
from policykg.serve import ids

EXAMPLES = {
    "Measures whose own entry targets the automobile industry": """SELECT DISTINCT ?measure ?label WHERE {
  ?measure a pkg:Measure ; pkg:targetsSector pid:sector\\/automobiles ; skos:prefLabel ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?measure""",
    "Issuers of Notice No. 160": """SELECT DISTINCT ?agency ?name WHERE {
  ?doc pkg:documentNumber "工信部联运行〔2022〕160号" ; pkg:issuedBy ?agency .
  ?agency skos:prefLabel ?name FILTER(LANG(?name) = "zh")
}""",
    "Sectors with their GB/T 4754-2017 codes": """SELECT DISTINCT ?sector ?label ?code WHERE {
  ?sector a pkg:Sector ; skos:prefLabel ?label ; skos:closeMatch ?c .
  ?c skos:inScheme pid:scheme\\/gbt4754-2017 ; skos:notation ?code .
  FILTER(LANG(?label) = "en")
} ORDER BY ?code""",
}

_SCRIPT = """
const pid = __PID__;
function cell(v) {
  const td = document.createElement('td');
  if (!v) return td;
  if (v.type === 'uri' && v.value.startsWith(pid)) {
    const a = document.createElement('a');
    a.href = '/id/' + v.value.slice(pid.length).split('/').map(encodeURIComponent).join('/');
    a.textContent = 'pid:' + v.value.slice(pid.length);
    td.appendChild(a);
  } else {
    td.textContent = v.value + (v['xml:lang'] ? '@' + v['xml:lang'] : '');
  }
  return td;
}
async function run() {
  const out = document.getElementById('out');
  out.textContent = 'running…';
  const r = await fetch('/query', {method: 'POST', body: document.getElementById('q').value,
    headers: {'Content-Type': 'application/sparql-query', 'Accept': 'application/sparql-results+json'}});
  const text = await r.text();
  out.textContent = '';
  if (!r.ok) { const p = document.createElement('pre'); p.textContent = text; out.appendChild(p); return; }
  const data = JSON.parse(text);
  if (data.boolean !== undefined) { out.textContent = String(data.boolean); return; }
  const table = document.createElement('table'), head = table.insertRow();
  for (const v of data.head.vars) { const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of data.results.bindings) { const tr = table.insertRow(); for (const v of data.head.vars) tr.appendChild(cell(b[v])); }
  const n = document.createElement('p'); n.textContent = data.results.bindings.length + ' rows';
  out.appendChild(n); out.appendChild(table);
}
document.getElementById('run').onclick = run;
document.getElementById('ex').onchange = e => { document.getElementById('q').value = e.target.value; };

// Named queries: GET /catalogue lists them; a call is GET /catalogue/NAME?param=value&limit=N&offset=M,
// whose headers give the total of the whole answer (X-PolicyKG-Total).
let named = {}, offset = 0;
function table(data) {
  const t = document.createElement('table'), head = t.insertRow();
  for (const v of data.head.vars) { const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of data.results.bindings) { const tr = t.insertRow(); for (const v of data.head.vars) tr.appendChild(cell(b[v])); }
  return t;
}
function showParams() {
  const q = named[document.getElementById('nq').value], box = document.getElementById('np');
  box.textContent = '';
  document.getElementById('nd').textContent = q ? q.description : '';
  for (const p of (q ? q.params : [])) {
    const label = document.createElement('label'), input = document.createElement('input');
    label.textContent = p.name + (p.required ? ' (required) ' : ' ');
    input.name = p.name; input.value = p.required ? p.example : ''; input.placeholder = p.example;
    input.title = p.description || p.type;
    label.appendChild(input); box.appendChild(label); box.appendChild(document.createTextNode(' '));
  }
}
async function runNamed(at) {
  offset = Math.max(0, at);
  const name = document.getElementById('nq').value, size = document.getElementById('ns').value;
  const params = new URLSearchParams();
  for (const input of document.querySelectorAll('#np input')) if (input.value) params.set(input.name, input.value);
  params.set('limit', size); params.set('offset', String(offset));
  const out = document.getElementById('nout'), note = document.getElementById('nn');
  out.textContent = 'running…'; note.textContent = '';
  const r = await fetch('/catalogue/' + encodeURIComponent(name) + '?' + params,
                        {headers: {'Accept': 'application/sparql-results+json'}});
  const text = await r.text();
  out.textContent = '';
  if (!r.ok) { const p = document.createElement('pre'); p.textContent = text; out.appendChild(p); return; }
  const data = JSON.parse(text), total = Number(r.headers.get('X-PolicyKG-Total'));
  const n = data.results.bindings.length;
  note.textContent = n ? `rows ${offset + 1}–${offset + n} of ${total}` : `no rows (the answer has ${total})`;
  document.getElementById('prev').disabled = offset === 0;
  document.getElementById('next').disabled = offset + n >= total;
  out.appendChild(table(data));
}
fetch('/catalogue').then(r => r.json()).then(doc => {
  const select = document.getElementById('nq');
  for (const q of doc.queries) {
    named[q.name] = q;
    const o = document.createElement('option'); o.value = q.name; o.textContent = q.name + ': ' + q.title;
    select.appendChild(o);
  }
  select.onchange = showParams; showParams();
  document.getElementById('nrun').onclick = () => runNamed(0);
  document.getElementById('prev').onclick = () => runNamed(offset - Number(document.getElementById('ns').value));
  document.getElementById('next').onclick = () => runNamed(offset + Number(document.getElementById('ns').value));
  document.body.dataset.ready = '1';
});
"""


def query_page() -> str:
    """The query page (static: it does not depend on the build)."""
    prefixes = sparql_prefixes()
    options = "".join(f'<option value="{html.escape(prefixes + q)}">{html.escape(t)}</option>' for t, q in EXAMPLES.items())
    first = html.escape(prefixes + next(iter(EXAMPLES.values())))
    script = _SCRIPT.replace("__PID__", json.dumps(PID))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>PolicyKG SPARQL</title>"
            "<style>body{font-family:sans-serif;margin:1em 2em}textarea{width:100%;height:18em;font-family:monospace}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>"
            "</head><body><h1>PolicyKG SPARQL</h1>"
            "<p>Queries run on the union of the graphs, read-only and bounded; send them to <code>/query</code> "
            "from any SPARQL client. Entities have pages under <code>/id/</code>, for example "
            "<a href=\"/id/doc/miit-2022-160\"><code>/id/doc/miit-2022-160</code></a>. Inside a query, write a key "
            "with its slashes escaped: <code>pid:sector\\/automobiles</code>.</p>"
            f"<p><select id=\"ex\">{options}</select> <button id=\"run\">Run</button></p>"
            f"<textarea id=\"q\" spellcheck=\"false\">{first}</textarea><div id=\"out\"></div>"
            "<h2>Named queries</h2><p>The catalogue's queries by name (<code>/catalogue</code>), with their "
            "parameters: an entity by key, label or document number; the long listings are read from the "
            "answers the build stored, a page at a time.</p>"
            "<p><select id=\"nq\"></select> rows a page <input id=\"ns\" value=\"50\" size=\"4\"> "
            "<button id=\"nrun\">Run</button> <button id=\"prev\" disabled>Previous</button> "
            "<button id=\"next\" disabled>Next</button> <span id=\"nn\"></span></p>"
            "<p id=\"nd\"></p><p id=\"np\"></p><div id=\"nout\"></div>"
            f"<script>{script}</script></body></html>\n")


def respond(store: ox.Store, path: str, accept: str = "") -> ids.Reply | None:
    """The page for a GET of `path`, or None when `path` is not a page."""
    url = urllib.parse.urlsplit(path)
    if url.path in ("/", "/index.html"):
        return ids.Reply(200, "text/html; charset=utf-8", query_page().encode("utf-8"))
    if ids.handles(path):
        return ids.respond(store, path, accept)
    return None
