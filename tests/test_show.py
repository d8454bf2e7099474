"""`policykg show`: claims about an entity, source by source, quoting passages from the user's copies."""

from __future__ import annotations

import pytest

from policykg.query import entity as show
from policykg.errors import InputError


@pytest.fixture(scope="module")
def st(build_dir):
    from policykg.store import load as dataset
    return dataset.load(build_dir)


def test_claims_are_grouped_by_source_with_status_and_offsets(st):
    view = show.about(st, "doc/miit-2022-160")
    by_src = {s.source.rsplit("/", 1)[-1]: s for s in view.sources}
    web = by_src["web-2023-05-25-notice-160"]
    dates = [c for c in web.claims if c.predicate.endswith("#dateIssued")]
    assert [(c.obj.value, c.status, c.spans) for c in dates] == [("2022-12-21", "Contradicted", [(376, 390)])]
    assert [c.contradicted_by for c in dates] == [["https://w3id.org/policykg/id/source/chinanews-2022-11-22",
                                                  "https://w3id.org/policykg/id/source/summary-notice-160"]]
    issuers = sorted(c.obj.value.rsplit("/", 1)[-1] for c in web.claims if c.predicate.endswith("#issuedBy"))
    assert issuers == ["miit", "ndrc", "sasac"]


def test_label_in_chinese_finds_the_entity(st):
    assert show.about(st, "工业和信息化部").iri == "https://w3id.org/policykg/id/agency/miit"


def test_unknown_entity_is_an_input_error(st):
    with pytest.raises(InputError, match="no entity 'agency/miti'"):
        show.about(st, "agency/miti")


def test_passages_are_quoted_from_the_source_texts(st, seeds):
    text = show.render(show.about(st, "doc/miit-2022-160"), st, seeds)
    block = text.split("source/web-2023-05-25-notice-160 — ", 1)[1]
    assert "text: 000_" in block.splitlines()[0]
    line = next(i for i, l in enumerate(block.splitlines()) if l.startswith("  pkg:dateIssued 2022-12-21"))
    assert "CONTRADICTED by source/chinanews-2022-11-22, source/summary-notice-160" in block.splitlines()[line]
    quoted = [l for l in block.splitlines()[line + 1:line + 4] if l.startswith("      “")]
    files = show.texts(seeds)
    web_sha = "f7557aeb60f62c89dc25ab9133f024b7052ae6efe99155dd8d19f0b7fce1d2a2"
    want = " ".join(files[web_sha].read_text(encoding="utf-8")[376:390].split())
    assert quoted == [f"      “{want}”"]
    assert "December" in want or "12" in want


def test_cli_show_prints_the_view(capsys, build_dir):
    from policykg.cli import main
    assert main(["show", "sector/automobiles", "--build", str(build_dir)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "sector/automobiles  Automobiles / 汽车"
    assert out.splitlines()[1] == "  types: pkg:Sector"
