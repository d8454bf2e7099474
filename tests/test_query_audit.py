"""Audit of the catalogue: every parameter of every named query changes the answer as the query says.

Each parameterized query runs with two different values (A and B). The answers must both be
non-empty, must differ, and every row must agree with the value it was asked for (the check named
in AUDIT, which says in plain words what the description promises). An optional parameter must
also narrow the answer it gives when left out. A parameter that the engine silently drops (for
example one used only in a BIND or FILTER inside a UNION branch, where it is not in scope) makes
the rows of A and B equal, or lets rows about other entities through, and fails here.
"""

from __future__ import annotations

import pytest

from policykg.query import catalogue, engine as query

CATALOGUE = catalogue.catalogue()
PID = "https://w3id.org/policykg/id/"


def key(v) -> str:
    return str(v or "").replace(PID, "")


def every(col, pred):
    """Every row's column satisfies pred(value, value asked for)."""
    return lambda rows, asked: all(pred(r[col], asked) for r in rows)


def equals(col, attr=None):
    return every(col, lambda v, asked: key(v) == asked)


def starts(col):
    return every(col, lambda v, asked: key(v).startswith(asked))


# name -> (parameters A, parameters B, check(rows, asked value) or None, what the check means)
# `asked` is the value of the audited parameter (first parameter of the entry).
AUDIT = {
    "agency-profile": ({"agency": "agency/miit"}, {"agency": "agency/mof"}, None,
                       "MIIT's and MOF's neighbours differ"),
    "agency-responsibilities": ({"agency": "agency/local-governments"}, {"agency": "agency/miit"},
                                equals("agency"), "only the asked agency's responsibilities"),
    "confirmed-facts": ({"min": "3"}, {"min": "4"},
                        every("sources", lambda v, asked: v >= int(asked)), "facts with at least MIN sources"),
    "crosswalk-gbt4754-division": ({"division": "36"}, {"division": "31"},
                                   every("division", lambda v, asked: str(v) == asked), "only the asked division"),
    "crosswalk-instrument-class": ({"class": "code/rothwell-zegveld/demand"},
                                   {"class": "code/rothwell-zegveld/supply"},
                                   every("class_label", lambda v, asked: v == {
                                       "code/rothwell-zegveld/demand": "Demand-side policy tools",
                                       "code/rothwell-zegveld/supply": "Supply-side policy tools"}[asked]),
                                   "only instruments of the asked class"),
    "crosswalk-regions": ({"nbs_region": "region/east"}, {"nbs_region": "region/west"},
                          every("nbs_region", lambda v, asked: key(v) == asked or asked.endswith(str(v))),
                          "only provinces of the asked NBS region"),
    "crosswalk-sectors": ({"sector": "sector/steel"}, {"sector": "sector/automobiles"}, equals("sector"),
                          "only the asked sector"),
    "dependency-chain": ({"measure": "doc/miit-2022-160/measure/3"}, {"measure": "doc/miit-2022-160/measure/1"},
                         equals("measure"), "only the asked measure"),
    "document-dates": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                       "dates of the asked document"),
    "document-issuers": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                         "issuers of the asked document"),
    "document-structure": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"},
                           every("measure", lambda v, asked: v is None or key(v).startswith(asked + "/")),
                           "parts and measures of the asked document"),
    "document-titles": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                        "titles of the asked document"),
    "entity-by-label": ({"label": "工信部"}, {"label": "财政部"}, None, "entities with the asked label"),
    "evidence": ({"entity": "doc/miit-2022-160/measure/5"}, {"entity": "doc/miit-2022-160/measure/2"},
                 lambda rows, asked: all(key(r["subject"]) == asked or key(r["value"]) == asked for r in rows),
                 "claims whose subject or object is the asked entity"),
    "fact-sources": ({"entity": "doc/miit-2022-160"}, {"entity": "doc/plan-2023-automobiles"}, None,
                     "facts about the asked entity"),
    "goals-and-principles": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"},
                             every("item", lambda v, asked: key(v).startswith(asked + "/")),
                             "goals and principles of the asked document"),
    "in-force": ({"as_of": "2022-11-30"}, {"as_of": "2025-01-01"},
                 lambda rows, asked: all(str(r["begins"]) <= asked <= str(r["ends"]) for r in rows),
                 "items whose period contains the asked day"),
    "links-lineage": ({"measure": "doc/miit-2022-160/measure/2"}, {"measure": "doc/miit-2022-160/measure/4"},
                      equals("measure"), "links from the asked measure"),
    "links-related": ({"policy": "doc/plan-2023-automobiles"}, {"policy": "doc/plan-2023-steel"},
                      every("related", lambda v, asked: key(v) != asked), "documents related to the asked one"),
    "links-sector-targets": ({"sector": "sector/automobiles"}, {"sector": "sector/steel"},
                             every("sector", lambda v, asked: key(v) in NARROWER[asked]), "targets of the asked sector or a narrower one"),
    "measure-actions": ({"measure": "doc/miit-2022-160/measure/1"}, {"measure": "doc/miit-2022-160/measure/2"},
                        every("action", lambda v, asked: key(v).startswith(
                            asked.replace("/measure/", "/action/") + "-")), "actions of the asked measure"),
    "measure-profile": ({"measure": "doc/miit-2022-160/measure/1"}, {"measure": "doc/miit-2022-160/measure/2"},
                        lambda rows, asked: all(_stated_on(asked, r) for r in rows),
                        "what the asked measure and its actions address, each row stated on one of them"),
    "measures-by-enterprise-category": ({"category": "enterprise/smes"},
                                        {"category": "enterprise/foreign-trade-enterprises"}, None,
                                        "holders addressing the asked category"),
    "measures-by-instrument": ({"instrument": "instrument/consumption-campaign"},
                               {"instrument": "instrument/export-credit-insurance"}, None,
                               "holders using the asked instrument"),
    "measures-by-region": ({"region": "region/rural-areas"}, {"region": "region/overseas-markets"}, None,
                           "holders applying to the asked region or one containing or within it"),
    "measures-by-sector": ({"sector": "sector/automobiles"}, {"sector": "sector/energy"}, None,
                           "measures targeting the asked sector"),
    "measures-per-part": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                          "parts of the asked document"),
    "measures": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"},
                 starts("measure"), "measures of the asked document"),
    "plan-profile": ({"plan": "doc/plan-2023-automobiles"}, {"plan": "doc/plan-2023-steel"},
                     lambda rows, asked: {r["entity"] for r in rows if r["relation"] == "forIndustry"}
                     == {PID + {"doc/plan-2023-automobiles": "sector/automobiles",
                                "doc/plan-2023-steel": "sector/steel"}[asked]},
                     "relations of the asked plan, whose own industry is the plan's"),
    "policy-lineage": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                       "ancestors of the asked document"),
    "quantities-in-period": ({"from": "2023-01-01", "to": "2023-12-31"}, {"from": "2022-10-01", "to": "2022-12-31"},
                             None, "quantities whose period overlaps the asked span"),
    "regions": ({"within": "region/east"}, {"within": "region/west"}, None, "regions inside the asked one"),
    "related-documents": ({"doc": "doc/miit-2022-160"}, {"doc": "doc/plan-2023-automobiles"}, None,
                          "documents related to the asked one"),
    "search-labels": ({"text": "新能源"}, {"text": "steel"},
                      lambda rows, asked: all(asked.casefold() in str(r["matched"]).casefold() for r in rows),
                      "entities whose label contains the text"),
    "sector-co-targeting": ({"min": "2"}, {"min": "1"},
                            every("measures", lambda v, asked: v >= int(asked)), "pairs with at least MIN measures"),
    "sector-codes": ({"sector": "sector/steel"}, {"sector": "sector/automobiles"}, equals("sector"),
                     "codes of the asked sector"),
    "sector-tree": ({"sector": "sector/equipment-manufacturing"}, {"sector": "sector/consumer-goods"}, None,
                    "sectors under the asked one"),
    "sectors-by-source": ({"source": "source/report-2023-09-06-ten-industries"},
                          {"source": "source/chinanews-2022-11-22"}, None, "sectors the asked source names"),
    "source-facts": ({"source": "source/web-2023-05-25-notice-160"}, {"source": "source/chinanews-2022-11-22"},
                     None, "facts the asked source states"),
    "targets": ({"sector": "sector/steel"}, {"sector": "sector/automobiles"}, None,
                "targets of the asked sector or a narrower one"),
    "unconfirmed-facts": ({"source": "source/summary-notice-160"}, {"source": "source/web-2023-05-25-notice-160"},
                          every("source", lambda v, asked: key(v) == asked), "facts only the asked source states"),
}

# Only Notice 160 is encoded down to parts and measures: for these queries the other document's
# answer is rightly empty, and the audit checks that it is (the parameter is not ignored).
ONE_STRUCTURED_DOCUMENT = {"document-structure", "goals-and-principles", "measures", "measures-per-part"}
NARROWER = {"sector/automobiles": {"sector/automobiles", "sector/new-energy-vehicles", "sector/passenger-cars",
                                   "sector/automotive-chips"},
            "sector/steel": {"sector/steel"}}

_STORE = []


def _stated_on(measure: str, row: dict) -> bool:
    """A source claims the row's relation of the measure (via 'measure') or of one of its actions (via 'action')."""
    m = f"<{PID}{measure}>"
    holder, action = (m, "") if row["via"] == "measure" else ("?h", f"{m} pkg:commitsTo ?h .")
    ask = ("PREFIX pkg: <https://w3id.org/policykg/ontology#> "
           "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
           f"ASK {{ {action} ?c rdf:subject {holder} ; rdf:predicate pkg:{row['relation']} ; "
           f"rdf:object <{row['entity']}> }}")
    return bool(_STORE[0].query(ask, use_default_graph_as_union=True))


PARAMETERIZED = sorted(n for n, q in CATALOGUE.items() if q.params)


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load
    _STORE[:] = [load.load(build_dir)]
    return _STORE[0]


def test_every_parameterized_query_is_audited():
    assert PARAMETERIZED, "the catalogue has parameterized queries"
    assert sorted(AUDIT) == PARAMETERIZED


@pytest.mark.parametrize("name", PARAMETERIZED)
def test_each_parameter_changes_the_answer_as_described(name, st):
    a, b, check, _what = AUDIT[name]
    q = CATALOGUE[name]
    assert set(a) == set(b) and set(a) <= {p.name for p in q.params}
    audited = next(iter(a))
    rows_a = query.run(name, store=st, **a).values()
    rows_b = query.run(name, store=st, **b).values()
    assert rows_a, f"{name}: the first audit value has answers"
    if name in ONE_STRUCTURED_DOCUMENT:
        assert rows_b == [], f"{name}: {b} has no parts in the graph, so no rows"
    else:
        assert rows_b, f"{name}: the second audit value has answers"
    assert rows_a != rows_b, f"{name}: the answer does not depend on '{audited}'"
    if check is not None:
        assert check(rows_a, a[audited]), f"{name}: a row of {a} is not about {a[audited]}"
        assert check(rows_b, b[audited]), f"{name}: a row of {b} is not about {b[audited]}"
    for p in q.params:
        if not p.required and p.name in a:
            everything = query.run(name, store=st, **{k: v for k, v in a.items() if k != p.name}).values()
            assert len(rows_a) < len(everything), f"{name}: '{p.name}' does not narrow the answer"


def test_measure_profile_of_measure_1_is_what_the_notice_says(st):
    """Measure 1 (investment) targets manufacturing only; no steel, batteries, export insurance or MIIT duty."""
    rows = query.run("measure-profile", store=st, measure="doc/miit-2022-160/measure/1").values()
    entities = {key(r["entity"]) for r in rows}
    assert {key(r["entity"]) for r in rows if r["relation"] == "targetsSector"} == {"sector/manufacturing"}
    assert not entities & {"sector/steel", "sector/solid-state-batteries", "instrument/export-credit-insurance",
                           "agency/miit"}
    assert {"instrument/equipment-renewal-relending", "instrument/loan-interest-subsidy",
            "program/fyp14-major-projects"} <= entities
    assert {r["via"] for r in rows} == {"measure", "action"}


# ------------------------------------------------------------------------------ the scope trap

def _expr_vars(e, out: set) -> set:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable
    if isinstance(e, Variable):
        out.add(str(e))
    elif isinstance(e, CompValue):
        for k, v in e.items():
            if not k.startswith("_"):
                _expr_vars(v, out)
    elif isinstance(e, (list, tuple)):
        for x in e:
            _expr_vars(x, out)
    return out


def out_of_scope_parameters(text: str) -> list[str]:
    """Parameters used in a BIND or FILTER of a nested group (UNION branch, OPTIONAL, MINUS, subquery
    not projecting them) where no pattern of that group binds them: there the engine sees them unbound."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    found: list[str] = []

    def walk(node, nested: bool, projects: int):
        if isinstance(node, (list, tuple)):
            for x in node:
                walk(x, nested, projects)
            return
        if not isinstance(node, CompValue):
            return
        if node.name in ("Extend", "Filter") and nested:
            inner = {str(v) for v in getattr(node.p, "_vars", ())}
            found.extend(f"{node.name} ?{v}" for v in _expr_vars(node["expr"], set()) - inner if v.startswith("_"))
        if node.name == "Project" and projects:
            nested = not any(str(v).startswith("_") for v in node.get("PV") or ())
        for k, v in node.items():
            if k.startswith("_") or k == "expr":
                continue
            inner_nested = nested or node.name == "Union" or (node.name in ("LeftJoin", "Minus") and k == "p2")
            walk(v, inner_nested, projects + (node.name == "Project"))

    walk(prepareQuery(text).algebra, False, 0)
    return found


def test_the_scope_check_finds_a_parameter_bound_inside_a_union_branch():
    trap = ("SELECT ?_m ?h WHERE { { BIND(?_m AS ?h) } UNION { ?_m <http://e/p> ?h } ?h <http://e/q> ?o }")
    fixed = "SELECT ?_m ?h WHERE { ?_m <http://e/p>? ?h . ?h <http://e/q> ?o }"
    assert out_of_scope_parameters(trap) == ["Extend ?_m"]
    assert out_of_scope_parameters(fixed) == []


@pytest.mark.parametrize("name", PARAMETERIZED)
def test_parameters_are_in_scope_where_expressions_use_them(name):
    assert out_of_scope_parameters(CATALOGUE[name].text) == []


def test_every_expected_answer_says_where_it_was_checked():
    from helpers_query import EXPECTED
    readme = (EXPECTED / "README.md").read_text(encoding="utf-8")
    listed = {line.split("|")[1].strip() for line in readme.splitlines()
              if line.startswith("| ") and not line.startswith(("| File", "|---"))}
    assert listed == set(CATALOGUE), "queries/expected/README.md lists each query with where it was checked"
