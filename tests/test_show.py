"""`policykg show`: claims about an entity, source by source, quoting passages from the user's copies."""

from __future__ import annotations

import pytest

from policykg.query import entity as show
from policykg.query import entity_format
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
    with pytest.raises(InputError, match=r"no entity labelled 'agency/miti' \(did you mean pid:agency/miit "):
        show.about(st, "agency/miti")


def test_passages_are_quoted_from_the_source_texts(st, seeds):
    text = entity_format.render(show.about(st, "doc/miit-2022-160"), st, seeds)
    block = text.split("pid:source/web-2023-05-25-notice-160 — ", 1)[1]
    assert "text: 000_" in block.splitlines()[0]
    line = next(i for i, l in enumerate(block.splitlines()) if l.startswith("  date issued 2022-12-21"))
    assert "CONTRADICTED by pid:source/chinanews-2022-11-22, pid:source/summary-notice-160" in block.splitlines()[line]
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
    assert out.splitlines()[0] == "pid:sector/automobiles  Automobiles / 汽车"
    assert out.splitlines()[1] == "  class: pkg:Sector"


# ------------------------------------------------------------------------------ own description, languages, formats
# Expected values: ontology/vocab/sectors.ttl (sector:automobiles: labels, definition, GB/T 4754-2017
# division 36 and ISIC Rev.4 division 29); measure (二) of the Notice targets automobiles (seeds 001,
# 002, 003) and belongs to part 二 (../shared/reference/notice-160.md, Structure).

def test_view_has_own_labels_definition_and_codes(st):
    view = show.about(st, "汽车")
    assert view.classes[0] == "https://w3id.org/policykg/ontology#Sector"
    assert view.definitions == {"en": "The making of motor vehicles and of their bodies, parts and accessories.",
                                "zh": "机动车整车及其车身、零部件和配件的制造。"}
    assert "汽车行业" in view.alt_labels["zh"]
    assert [(s, c) for s, c, _ in view.codes] == [("gbt4754-2017", "36"), ("isic-rev4", "29")]


def test_show_in_chinese_names_neighbours_by_label(capsys, build_dir):
    from policykg.cli import main
    assert main(["show", "措施二", "--lang", "zh", "--build", str(build_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "pid:doc/miit-2022-160/measure/2  措施二：挖掘市场潜力扩大消费 / Measure 2: tap market potential to lift consumption"
    assert "  针对行业 → 汽车 (pid:sector/automobiles, Sector)" in out
    assert "  隶属于 → 二、多措并举巩固工业回稳基础 (pid:doc/miit-2022-160/part/2, Part)" in out


def test_show_json_and_markdown(capsys, build_dir):
    import json
    from policykg.cli import main
    assert main(["show", "sector/automobiles", "--format", "json", "--build", str(build_dir)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["id"], d["class"][0], d["labels"]) == ("pid:sector/automobiles", "pkg:Sector", {"en": "Automobiles", "zh": "汽车"})
    assert {"system": "gbt4754-2017", "code": "36", "id": "pid:code/gbt4754-2017/36"} in d["codes"]
    assert {"direction": "in", "property": "pkg:targetsSector", "property_label": "targets sector",
            "id": "pid:doc/miit-2022-160/measure/2", "class": "Measure",
            "label": "Measure 2: tap market potential to lift consumption"} in d["neighbours"]
    srcs = {s["source"] for s in d["sources"]}
    assert "pid:source/chinanews-2022-11-22" in srcs
    assert main(["show", "sector/automobiles", "--format", "md", "--build", str(build_dir)]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0] == "# Automobiles" and "`pid:sector/automobiles`" in md and "## sources" in md
