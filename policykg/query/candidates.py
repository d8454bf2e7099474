"""Catalogue queries that match names: their entities from the name index, before the store is read.

A query such as `entity-by-label` or `search-labels` compares the parameter with names ignoring
case. Written plainly, the engine reads every label-like literal of the store to compare it
(543,000 at 10,000 policies, most of them the labels of links): seconds at 1,000 policies, over
10 s at 10,000. Such a query declares, in its header,

    #+ candidates: e | equal | label        (or: e | contain | text)

and holds one VALUES block whose first variable is that entity, UNDEF in every row:

    VALUES (?e ?lp) { (UNDEF skos:prefLabel) (UNDEF skos:altLabel) ... }

As written it binds no entity, so the text is the whole definition of the answer and runs as it
is through the raw endpoint, `policykg sparql` and `--graph SOURCE` (reading every name). When the
query runs on the union of the curated graphs and the store's name index is at hand
(`name_index.at_hand`: the build's index file, or an index already made for this store), the query
function repeats each row of that block once per entity the index gives for the parameter
(`narrow`: all entities for the first row, then for the second ...), so the engine reads only
their names, in the order the plain query reads them (property by property: a SAMPLE of the
names, as in `search-labels`, picks the same one). The query's own FILTER still decides which of
them answer, so an entity given in excess changes nothing:

- `equal`: the entities with a label, alternative label, abbreviation, title or document number
  whose normalized form (`index.norm`: NFKC, casefold, one space) is the parameter's. Two names that
  are equal ignoring case (SPARQL's LCASE) have the same normalized form (checked for every code
  point), so no entity the query would answer is left out.
- `contain`: the entities with such a name whose normalized form contains the parameter's
  (`finder.containing`: an FTS5 trigram lookup, or one pass over the names for 1-2 characters).
  Links and source texts are not among them (`finder.LEFT_OUT`): the build gives them only an
  `rdfs:label`, so a `contain` query reads no `rdfs:label` (`search-labels` does not). Left out
  too: a name that holds the text only before normalization (its last letter composed with a
  combining mark that follows it in the name); the names of the encodings are written composed.

Bounds: at most `MAX_CANDIDATES` entities (the block then has that many times its rows, about 100
bytes of query text a row), and parameters of at most `MAX_TEXT` characters. Above that, for a
parameter that normalizes to nothing, or when no index is at hand, the query runs as written,
under the query's time limit. No entity at all is written as the namespace IRI `pid:`, which has
no name: an empty VALUES made the engine evaluate the rest of `search-labels` over the whole
store. tests/test_candidates.py compares both paths on the real graph.
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg.model.namespaces import PID
from policykg.query import finder
from policykg.query.catalogue import NamedQuery, placeholder
from policykg.query.index import norm
from policykg.query.name_index import at_hand

MAX_CANDIDATES = 2_000
MAX_TEXT = 500                 # characters of a parameter looked up (each run of three is an FTS5 lookup)


def entities(store: ox.Store, match: str, value: str) -> list[str] | None:
    """The IRIs, sorted, of the entities with a name equal to (`equal`) or containing (`contain`)
    `value` (normalized); None when they cannot be given here (see the module's docstring)."""
    idx = at_hand(store)
    q = norm(value)
    if idx is None or not q or len(q) > MAX_TEXT:
        return None
    if match == "equal":
        found = sorted(idx.by_name.get(q) or ())
    else:
        found = finder.containing(idx, q, finder.NAME_FIELDS, MAX_CANDIDATES)
    return found if len(found) <= MAX_CANDIDATES else None


def narrow(q: NamedQuery, text: str, subs: dict, store: ox.Store) -> str:
    """`text` (the query as bound) with its placeholder VALUES holding the candidates of its parameter,
    or unchanged when the query declares none or they cannot be given."""
    c = q.candidates
    term = subs.get(ox.Variable("_" + c.param)) if c else None
    if not isinstance(term, ox.Literal):
        return text
    iris = entities(store, c.match, term.value)
    if iris is None:
        return text
    where = placeholder(text, c.var)
    if where is None:
        return text
    start, end, rests = where
    terms = [] if iris else [f"<{PID}>"]    # an empty VALUES made the engine read the rest on its own (70 ms
    for iri in iris:                        # on the real graph); a candidate without the name adds no row
        try:
            terms.append(str(ox.NamedNode(iri)))
        except ValueError:             # not an IRI the store could hold
            continue
    if rests is None:
        block = f"VALUES ?{c.var} {{ {' '.join(terms)} }}"
    else:                              # each row once per candidate, rows first: the order the plain query reads
        head = text[start:end].split("{", 1)[0]
        block = head + "{ " + " ".join(f"({t} {rest})" for rest in rests for t in terms) + " }"
    return text[:start] + block + text[end:]
