"""The encoding checker: valid examples compile to the expected triples; invalid ones fail with the expected message."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.encoding import reader as encoding
from policykg.model import ontology
from policykg.errors import InputError

EXAMPLES = Path(__file__).parent / "examples"
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))


@pytest.fixture(scope="module")
def onto():
    return ontology.load()


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: LINE: message'"
    return first[len("# expect: "):]


def test_invalid_examples_exist():
    assert len(INVALID) >= 12


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_encoding_fails_with_expected_message(onto, path):
    with pytest.raises(InputError) as err:
        encoding.read_all(onto, [path])
    lines = err.value.message.splitlines()
    assert f"{path.name}:{expected(path)}" in "\n".join(lines), lines
    for line in lines:                        # every error is one line: file:line: what; how to fix
        assert line.startswith(f"tests/examples/invalid/{path.name}:") or line.startswith(str(path)), line


def test_valid_example_compiles_with_real_documents():
    from policykg.build import pipeline as build
    ds = build.compile_dataset(extra_files=[EXAMPLES / "valid" / "minimal-notice.yaml"], materialize=True, run_checks=False)
    q = """PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX pid: <https://w3id.org/policykg/id/>
           SELECT ?a WHERE { GRAPH <https://w3id.org/policykg/graph/example-report> { <https://w3id.org/policykg/id/doc/example-2022-1> pkg:issuedBy ?a } } ORDER BY ?a"""
    assert [r["a"].value.rsplit("/", 1)[-1] for r in ds.store.query(q)] == ["miit", "ndrc"]
    # the contradicted claim is kept as a claim but not asserted
    ask = "ASK { GRAPH ?g { <https://w3id.org/policykg/id/doc/example-2022-1/measure/2> <https://w3id.org/policykg/ontology#ordinal> ?o } }"
    assert not bool(ds.store.query(ask))
    q2 = """PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            SELECT ?st ?note WHERE { ?c rdf:subject <https://w3id.org/policykg/id/doc/example-2022-1/measure/2> ;
              rdf:predicate pkg:ordinal ; pkg:claimStatus ?st ; pkg:statusNote ?note }"""
    rows = [(r["st"].value, r["note"].value) for r in ds.store.query(q2, use_default_graph_as_union=True)]
    assert rows == [("https://w3id.org/policykg/ontology#Contradicted", "the other source numbers it differently")]
    # the inferred ordinal carries its reason, the located facts their selectors
    q3 = """PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT ?p ?reason ?start ?end WHERE { ?c rdf:subject <https://w3id.org/policykg/id/doc/example-2022-1/measure/1> ; rdf:predicate ?p .
              OPTIONAL { ?c pkg:inferenceReason ?reason } OPTIONAL { ?c pkg:evidence/oa:hasSelector ?s . ?s oa:start ?start ; oa:end ?end } }"""
    rows = {(r["p"].value.rsplit("#", 1)[-1], r["reason"] and r["reason"].value, r["start"] and r["start"].value, r["end"] and r["end"].value)
            for r in ds.store.query(q3, use_default_graph_as_union=True)}
    assert ("ordinal", "the example numbers its only measure", "100", "200") in rows
    assert ("targetsSector", None, "100", "200") in rows


def test_duplicate_declaration_across_files_names_both_places(onto, tmp_path):
    src = (EXAMPLES / "valid" / "minimal-notice.yaml").read_text(encoding="utf-8")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(src, encoding="utf-8")
    b.write_text(src.replace("source/example-report", "source/example-report-two"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        encoding.read_all(onto, [a, b])
    assert "b.yaml:11: duplicate id 'doc/example-2022-1' (also declared at a.yaml:11)" in err.value.message


def test_build_rejects_bad_input_and_keeps_previous_build(tmp_path):
    """A failed build writes nothing: the old build/ stays as it was, no temporary directory is left."""
    from policykg.build import pipeline as build
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bad.yaml").write_text((EXAMPLES / "invalid" / "unknown-sector.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "build"
    out.mkdir()
    (out / "kg.nq").write_text("old\n", encoding="utf-8")
    with pytest.raises(InputError):
        build.build(out, documents_dir=docs, with_pages=False)
    assert (out / "kg.nq").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "docs"]
