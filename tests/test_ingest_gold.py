"""The gold set is what its README says: at least 12 passages in zh, en and mixed text, official
texts with their addresses, well-formed annotations that name concepts we have, distractors."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.ingest import evaluate

GOLD = Path(__file__).resolve().parent / "gold"


def test_gold_set_has_passages_in_each_language_with_distractors():
    golds = evaluate.load_gold(GOLD)
    assert len(golds) >= 12
    assert {g.lang for g in golds} == {"zh", "en", "mixed"}
    assert all(g.mentions for g in golds)
    assert sum(len(g.distractors) for g in golds) >= 15
    for g in golds:
        for _, _, start, end in g.mentions:
            assert g.text[start:end].strip() == g.text[start:end] and end > start


def test_official_passages_name_their_address_and_the_rest_are_our_own():
    index = json.loads((GOLD / "index.json").read_text(encoding="utf-8"))
    official = [e for e in index if e["source"] != "written for this gold set"]
    assert len(official) == 2 and all(e["source"].startswith("http") for e in official)


def test_gold_concepts_exist_in_the_vocabularies_or_the_encodings():
    known = {q.subject.value.split("/id/", 1)[1] for f in paths.VOCAB_DIR.glob("*.ttl")
             for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE) if "/id/" in q.subject.value}
    docs = "".join(f.read_text(encoding="utf-8") for f in paths.DOCUMENTS_DIR.glob("*.yaml"))
    for g in evaluate.load_gold(GOLD):
        for _, concept, _, _ in g.mentions:
            assert concept in known or f"{concept}:" in docs, (g.id, concept)


def test_markup_parser_counts_offsets_in_the_plain_text():
    g = evaluate.parse("支持[[汽车|sector/automobiles]]与{{钢铁侠}}[[工信部联运行〔2022〕160号|doc/miit-2022-160|number]]")
    assert g.text == "支持汽车与钢铁侠工信部联运行〔2022〕160号"
    assert g.mentions == {("sector", "sector/automobiles", 2, 4), ("document", "doc/miit-2022-160", 8, 24)}
    assert g.numbers == {(8, 24)} and g.distractors == [(5, 8, "钢铁侠")]
