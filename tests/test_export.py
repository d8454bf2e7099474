"""`policykg export`: flat tables read back with csv, openpyxl and pyarrow, checked against the sources.

Expected answers: ../shared/reference/notice-160.md (Identity: number 工信部联运行〔2022〕160号,
issued 2022-11-21 by MIIT, NDRC and SASAC; Structure: seventeen measures, the ordinals of
(六)–(十四) are an inference, and (十五)–(十七) are placed by 003's list of three safeguards,
their numbers also presumed); measure (二) targets the automobile industry (seeds 001, 002,
003), whose GB/T 4754-2017 division is 36 and ISIC Rev.4 division 29 (reference/standards.md,
ontology/vocab/sectors.ttl); 财金〔2022〕99号 was issued by MOF, NDRC, PBoC, the National Audit
Office and CBIRC (reference/referenced-policies.md, B3).
"""

from __future__ import annotations

import csv
import json

import pytest

from policykg.cli import main
from policykg.export.tables import COLUMNS


@pytest.fixture(scope="module")
def out(build_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("export")
    assert main(["export", "--out", str(d), "--format", "csv,xlsx,parquet", "--build", str(build_dir)]) == 0
    return d


def read(out, name):
    with (out / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_has_a_byte_order_mark_for_excel(out):
    raw = (out / "measures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,level,document,")
    assert "工信部联运行〔2022〕160号".encode("utf-8") in raw


def test_notice_160_rows(out):
    rows = [r for r in read(out, "measures") if r["document"] == "pid:doc/miit-2022-160"]
    doc = next(r for r in rows if r["level"] == "document")
    assert (doc["document_number"], doc["date_issued"]) == ("工信部联运行〔2022〕160号", "2022-11-21")
    assert doc["issuers"] == "pid:agency/miit; pid:agency/ndrc; pid:agency/sasac"
    measures = [r for r in rows if r["level"] == "measure"]
    assert [int(r["measure_no"]) for r in measures] == list(range(1, 18))
    assert [r["measure_no"] for r in measures if r["ordinal_inferred"] == "true"] == [str(n) for n in range(6, 18)]
    m2 = measures[1]
    assert m2["part"] == "pid:doc/miit-2022-160/part/2" and m2["measure_zh"].startswith("措施二")
    sectors = m2["sectors"].split("; ")
    assert "pid:sector/automobiles" in sectors
    assert m2["sectors_zh"].split("; ")[sectors.index("pid:sector/automobiles")] == "汽车"
    assert "36" in m2["sectors_gbt4754"].split("; ") and "29" in m2["sectors_isic"].split("; ")
    actions = [r for r in rows if r["level"] == "action"]
    assert actions and all(r["measure"] and r["action"].startswith("pid:doc/miit-2022-160/action/") for r in actions)


def test_instruments_carry_their_classes(out):
    rows = read(out, "measures")
    stip = {c for r in rows for c in r["instruments_stip"].split("; ") if c}
    assert stip and all(c.startswith("PI0") for c in stip)


def test_documents_table(out):
    docs = {r["document"]: r for r in read(out, "documents")}
    assert docs["pid:doc/cz-2022-99"]["document_number"] == "财金〔2022〕99号"
    assert docs["pid:doc/cz-2022-99"]["issuers"] == \
        "pid:agency/cbirc; pid:agency/mof; pid:agency/nao; pid:agency/ndrc; pid:agency/pboc"
    assert docs["pid:doc/miit-2022-160"]["measures"] == "17"


def test_codebook_describes_every_column(out):
    book = (out / "codebook.md").read_text(encoding="utf-8")
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        header = next(csv.reader((out / res["path"]).open(encoding="utf-8-sig")))
        assert [f["name"] for f in res["schema"]["fields"]] == header == [c.name for c in COLUMNS[res["name"]]]
        assert all(f["description"] for f in res["schema"]["fields"])
        for name in header:
            assert f"| `{name}` |" in book


def test_xlsx_and_parquet_read_back(out):
    openpyxl = pytest.importorskip("openpyxl")
    pq = pytest.importorskip("pyarrow.parquet")
    n = len(read(out, "measures"))
    wb = openpyxl.load_workbook(out / "policykg.xlsx", read_only=True)
    assert wb.sheetnames == ["measures", "documents", "targets", "statistics", "links", "codebook"]
    assert wb["measures"].max_row == n + 1
    table = pq.read_table(out / "measures.parquet")
    assert table.num_rows == n and str(table.schema.field("measure_no").type) == "int64"
    nos = [v for v, doc in zip(table.column("measure_no").to_pylist(), table.column("document").to_pylist())
           if v is not None and doc == "pid:doc/miit-2022-160"]
    assert sorted(set(nos)) == list(range(1, 18))


def test_unknown_format_is_refused(build_dir, tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path), "--format", "xls", "--build", str(build_dir)]) == 2
    assert capsys.readouterr().err == "error: unknown export format 'xls'; use one or more of csv, xlsx, parquet\n"
    assert list(tmp_path.iterdir()) == []


def test_the_files_are_made_as_the_users_other_files_are(build_dir, tmp_path):
    """The umask applies (a temporary file of mkstemp is 0600, which others in the user's group
    could not read once renamed into place); nothing but the files is left in the folder."""
    import os
    old = os.umask(0o022)
    try:
        assert main(["export", "--out", str(tmp_path), "--format", "csv", "--build", str(build_dir)]) == 0
    finally:
        os.umask(old)
    files = sorted(tmp_path.iterdir())
    assert {p.name for p in files} == {"measures.csv", "documents.csv", "targets.csv", "statistics.csv", "links.csv",
                                       "codebook.md", "datapackage.json"}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(0o644)}
