"""The named-query catalogue and engine: headers, parameters, expected answers, errors, safety."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest

from policykg.query import catalogue, engine as query
from policykg.errors import InputError
from helpers_query import example_params, expected_file, normalise

INJECTION = '" } UNION { ?s ?p ?o } #'
CATALOGUE = catalogue.catalogue()


@pytest.fixture(scope="session")
def st(build_dir):
    from policykg.store import load as dataset
    return dataset.load(build_dir)


def run(st, name, **params):
    return query.run(name, store=st, **params)


# ------------------------------------------------------------------------------ the catalogue

def test_catalogue_has_at_least_40_queries_covering_every_topic():
    assert len(CATALOGUE) >= 40
    assert {q.topic for q in CATALOGUE.values()} == set(catalogue.TOPICS)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_header_is_complete(name):
    q = CATALOGUE[name]
    assert q.title.endswith("?"), "a title is the question, in plain words"
    assert len(q.description) > 40 and q.returns
    assert q.example.startswith(f"policykg query {name}")
    for p in q.params:
        assert p.type in catalogue.PARAM_TYPES and p.example
        if p.required:
            assert f"--param {p.name}=" in q.example, "the example command gives every required parameter"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_header_parameters_are_exactly_the_query_parameter_variables(name):
    q = CATALOGUE[name]
    assert catalogue.param_variables(q) == {"_" + p.name for p in q.params}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_parameters_are_projected_and_never_tested_with_bound(name):
    q = CATALOGUE[name]
    body = catalogue._strip(q.text)
    select = re.search(r"SELECT(.*?)WHERE", body, re.S | re.I).group(1)
    for p in q.params:
        assert f"?_{p.name}" in select, "pyoxigraph substitutes only projected variables"
        assert not re.search(rf"BOUND\s*\(\s*\?_{p.name}\s*\)", body, re.I), "pyoxigraph folds BOUND() on parameters"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_query_parses_standalone_in_two_engines(name):
    """Each file is self-contained standard SPARQL: pyoxigraph and rdflib both parse it without our prefixes."""
    from rdflib.plugins.sparql import prepareQuery
    text = CATALOGUE[name].text
    rows = ox.Store().query(text)                # raises SyntaxError when the file is not self-contained
    assert list(rows) == []                      # an empty store answers nothing
    assert prepareQuery(text).algebra is not None


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_returns_header_lists_the_result_columns(name, st):
    q = CATALOGUE[name]
    res = run(st, name, **example_params(q))
    assert res.variables == q.returns


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_query_matches_its_expected_answer(name, st):
    q = CATALOGUE[name]
    f = expected_file(name)
    assert f.is_file(), f"no expected answer {f}: run tests/helpers_query.py and review it"
    got = normalise(run(st, name, **example_params(q)).format("csv"))
    want = normalise(f.read_text(encoding="utf-8"))
    assert got == want, f"{name}: answer changed; if that is right, regenerate with tests/helpers_query.py"


def test_readme_is_generated_from_the_headers():
    assert (catalogue.paths.QUERIES_DIR / "README.md").read_text(encoding="utf-8") == catalogue.readme(), \
        "queries/README.md is stale: run '.venv/bin/python -m policykg.catalogue.catalogue'"


# ------------------------------------------------------------------------------ exact answers

def test_issuers_of_notice_160_are_miit_ndrc_sasac(st):
    rows = run(st, "document-issuers", doc="doc/miit-2022-160").values()
    assert [r["agency"].rsplit("/", 1)[-1] for r in rows] == ["miit", "ndrc", "sasac"]


def test_notice_160_has_17_measures_numbered_1_to_17(st):
    rows = run(st, "measures", doc="doc/miit-2022-160").values()
    assert [r["no"] for r in rows] == list(range(1, 18))


def test_the_december_date_comes_from_the_2023_web_report_and_is_contradicted(st):
    rows = run(st, "document-dates", doc="doc/miit-2022-160").values()
    dec = [r for r in rows if r["date"] == "2022-12-21"]
    assert [(r["source"], r["status"]) for r in dec] == [("source/web-2023-05-25-notice-160", "Contradicted")]
    accepted = {r["date"] for r in rows if r["property"] == "dateIssued" and r["status"] == "Accepted"}
    assert accepted == {"2022-11-21"}


def test_entity_parameter_accepts_key_iri_zh_and_en_label_alike(st):
    by_key = run(st, "measures-by-sector", sector="sector/automobiles").values()
    assert by_key, "some measure targets the automobile industry"
    for value in ("汽车", "Automobiles", "automobiles", "https://w3id.org/policykg/id/sector/automobiles",
                  "pid:sector/automobiles"):
        assert run(st, "measures-by-sector", sector=value).values() == by_key


def test_graph_option_restricts_to_one_source(st):
    union = run(st, "document-issuers", doc="doc/miit-2022-160").values()
    one = query.run("document-issuers", store=st, graph="source/web-2023-05-25-notice-160",
                    doc="doc/miit-2022-160").values()
    assert [r["agency"] for r in one] == [r["agency"] for r in union]
    assert all(r["sources"] == 1 for r in one)
    assert all(r["sources"] >= 2 for r in union)


# ------------------------------------------------------------------------------ safety

@pytest.mark.parametrize("name", sorted(n for n, q in CATALOGUE.items()
                                        if any(p.type in ("label", "literal") for p in q.params)))
def test_injection_value_is_an_inert_string(name, st):
    q = CATALOGUE[name]
    params = example_params(q)
    for p in q.params:
        if p.type in ("label", "literal"):
            params[p.name] = INJECTION
    assert run(st, name, **params).rows == []


def test_injection_value_as_entity_is_refused_not_run(st):
    with pytest.raises(InputError, match=r"no sector \(a Sector\) labelled"):
        run(st, "measures-by-sector", sector=INJECTION)


def test_service_is_refused_unless_allowed(st):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(InputError, match="SERVICE"):
        query.sparql(q, store=st)
    from policykg.query import service
    assert service.find('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE') == []
    assert service.find("SELECT ?service WHERE { ?service ?p <http://x/SERVICE> }") == []
    assert service.find("select * where { service silent <http://x> { ?s ?p ?o } }") == ["http://x"]
    assert service.find("SELECT * WHERE { ?a ?b ?c .SERVICE <http://y> { ?s ?p ?o } }") == ["http://y"]


# ------------------------------------------------------------------------------ errors

def test_unknown_query_suggests_the_closest_name():
    with pytest.raises(InputError) as e:
        catalogue.get("document-isuers")
    assert e.value.message == ("unknown query 'document-isuers' (did you mean 'document-issuers'?); "
                               "run 'policykg query --list' to see the named queries")


def test_missing_and_unknown_parameters_are_one_line_errors(st):
    with pytest.raises(InputError) as e:
        run(st, "document-issuers")
    assert e.value.message == ("query 'document-issuers' needs parameter 'doc' (iri); "
                               "add --param doc=doc/miit-2022-160")
    with pytest.raises(InputError) as e:
        run(st, "document-issuers", doc="doc/miit-2022-160", dok="x")
    assert "has no parameter 'dok'" in e.value.message and "(did you mean 'doc'?)" in e.value.message


def test_typed_parameters_reject_bad_values(st):
    with pytest.raises(InputError, match="must be a date"):
        run(st, "quantities-in-period", **{"from": "2023/01/01", "to": "2023-12-31"})
    with pytest.raises(InputError, match="must be an integer"):
        run(st, "confirmed-facts", min="three")


def test_ambiguous_label_lists_the_candidates(st):
    with pytest.raises(InputError) as e:
        run(st, "fact-sources", entity="Manufacture of furniture")
    assert "label 'Manufacture of furniture' is ambiguous" in e.value.message
    assert "code/gbt4754-2017/21" in e.value.message and "code/isic-rev4/31" in e.value.message


def test_syntax_error_reports_line_and_column(st, tmp_path):
    f = tmp_path / "bad.rq"
    f.write_text("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTR(?o) }\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        query.sparql(f.read_text(), store=st, path=f)
    assert e.value.line == 3
    assert "SPARQL syntax error at line 3, column 11" in e.value.message
    assert "\n" not in e.value.message


# ------------------------------------------------------------------------------ the command

def cli(capsys, *argv):
    from policykg.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_json_gives_name_title_and_typed_params(capsys):
    code, out, _ = cli(capsys, "query", "--list", "--format", "json")
    listing = json.loads(out)
    assert code == 0 and len(listing) == len(CATALOGUE)
    issuers = next(q for q in listing if q["name"] == "document-issuers")
    assert issuers["title"] == "Who issued a given policy document?"
    p = issuers["params"][0]
    assert {k: p[k] for k in ("name", "type", "required", "example")} == \
        {"name": "doc", "type": "iri", "required": True, "example": "doc/miit-2022-160"}


def test_cli_json_is_sparql_results_json(capsys, build_dir):
    code, out, _ = cli(capsys, "query", "document-issuers", "--param", "doc=doc/miit-2022-160", "--format", "json",
                       "--build", str(build_dir))
    doc = json.loads(out)
    assert code == 0
    assert doc["head"]["vars"] == ["agency", "agency_en", "agency_zh", "sources"]
    first = doc["results"]["bindings"][0]
    assert first["agency"] == {"type": "uri", "value": "https://w3id.org/policykg/id/agency/miit"}
    assert first["agency_en"] == {"type": "literal", "value": "Ministry of Industry and Information Technology",
                                  "xml:lang": "en"}
    assert first["sources"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_cli_errors_are_one_line_with_exit_code_2(capsys, build_dir):
    code, out, err = cli(capsys, "query", "document-isuers", "--build", str(build_dir))
    assert code == 2 and out == ""
    assert err == ("error: unknown query 'document-isuers' (did you mean 'document-issuers'?); "
                   "run 'policykg query --list' to see the named queries\n")
    code, _, err = cli(capsys, "sparql", "SELECT ?s WHERE { ?s ?p ?o", "--build", str(build_dir))
    assert code == 2 and err.count("\n") == 1 and "line 1, column 27" in err
    code, _, err = cli(capsys, "sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                       "--build", str(build_dir))
    assert code == 2 and "--allow-service" in err


def test_cli_sparql_predeclares_prefixes_and_reads_files(capsys, build_dir, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT (COUNT(?m) AS ?n) WHERE { ?m a pkg:Measure ; pkg:isPartOf <https://w3id.org/policykg/id/doc/miit-2022-160> }")
    code, out, _ = cli(capsys, "sparql", str(f), "--format", "csv", "--build", str(build_dir))
    assert code == 0 and out == "n\r\n17\r\n"


def test_cold_query_process_starts_without_rdflib_or_networkx(build_dir):
    import subprocess
    import sys
    code = ("import sys; from policykg.cli import main; rc = main(['query', 'document-issuers', '-p', "
            f"'doc=doc/miit-2022-160', '--build', {str(build_dir)!r}, '-f', 'csv']); "
            "print(sorted(m for m in ('rdflib', 'networkx', 'pyvis', 'yaml') if m in sys.modules), file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip() == "[]"
    assert p.stdout.splitlines()[1].startswith("https://w3id.org/policykg/id/agency/miit,")


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_rows_are_distinct_although_the_union_graph_is_a_bag(name, st):
    # oxigraph's union default graph keeps one copy of a triple per named graph that holds it
    q = CATALOGUE[name]
    rows = run(st, name, **example_params(q)).rows
    assert len(rows) == len(set(rows))


def test_a_page_of_rows_with_the_total(st, capsys):
    """Notice 160 has 17 measures (numbered (一)–(十七) in the Notice): a page of 3 from the third."""
    whole = run(st, "measures", doc="doc/miit-2022-160")
    page = query.run("measures", store=st, doc="doc/miit-2022-160", limit=3, offset=2)
    assert page.total == len(whole) == 17 and page.rows == whole.rows[2:5]
    assert [r["measure"].rsplit("/", 1)[1] for r in page.values()] == ["3", "4", "5"]
    assert page.page_note() == "rows 3–5 of 17"
    assert query.run("measures", store=st, doc="doc/miit-2022-160", offset=20).rows == []
    with pytest.raises(InputError, match="not a whole number"):
        query.run("measures", store=st, doc="doc/miit-2022-160", limit=-1)
    got = query.sparql("SELECT ?m WHERE { ?m a pkg:Measure ; pkg:isPartOf+ <https://w3id.org/policykg/id/doc/miit-2022-160> }",
                       store=st, limit=1)
    assert got.total == 17 and len(got) == 1


def test_cli_prints_the_total_of_a_page(build_dir, capsys):
    from policykg.cli import main
    assert main(["query", "measures", "--param", "doc=doc/miit-2022-160", "--build", str(build_dir),
                 "--limit", "2", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip().splitlines()) == 3 and err.strip() == "rows 1–2 of 17"
    assert main(["sparql", "SELECT ?m WHERE { ?m a pkg:Measure }", "--build", str(build_dir),
                 "--offset", "16", "--limit", "5"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("rows 17–17 of 17")


def test_parameters_are_written_in_as_terms_the_engine_printed():
    from policykg.query.engine import inline
    text = ("SELECT ?_doc ?x (COUNT(?y) AS ?n) WHERE { ?x pkg:isPartOf ?_doc ; pkg:title ?_t . "
            "FILTER(COALESCE(?x = ?_doc, true)) } GROUP BY ?_doc ?x ORDER BY ?_doc")
    doc = ox.NamedNode("https://w3id.org/policykg/id/doc/miit-2022-160")
    got = inline(text, {ox.Variable("_doc"): doc, ox.Variable("_t"): ox.Literal(INJECTION)})
    # dropped from the SELECT, GROUP BY and ORDER BY lists; the term everywhere else
    assert "?_doc" not in got and got.count("<https://w3id.org/policykg/id/doc/miit-2022-160>") == 2
    assert '"\\" } UNION { ?s ?p ?o } #"' in got                  # the user's text stays one literal
    assert "GROUP BY  ?x" in got and "ORDER BY" not in got.split("GROUP BY")[1]
    # a parameter inside BIND keeps the engine's substitution
    assert inline("SELECT ?_doc ?d WHERE { BIND(?_doc AS ?d) }", {ox.Variable("_doc"): doc}) is None


def test_service_spelled_with_an_escape_is_still_refused(st):
    """Queries without the word are not parsed for SERVICE (the fast path); an escape could spell it."""
    from policykg.query import service
    assert not service.could_have_service("SELECT ?s WHERE { ?s a pkg:Measure }")
    with pytest.raises(InputError, match="SERVICE clause"):
        query.sparql("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", store=st)
