"""Every bad input of issue 10 gets one line `error: FILE:LINE: what; how to fix` and exit 2.

Encodings are mutations of the real kg/documents/chinanews-2022-11-22.yaml; line numbers are those
of that file (line 8: the source's English label, line 11: chars, line 15: datePublished, line 24:
Li Jinlei's label). Nothing is written anywhere by a refused input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.encoding import reader as encoding
from policykg.errors import InputError
from policykg.model import ontology

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "kg" / "documents"
NEWS = "chinanews-2022-11-22.yaml"
BASE = (DOCS / NEWS).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def onto():
    return ontology.load()


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def test_line_numbers_used_below_are_those_of_the_file():
    ls = lines_of(BASE)
    assert ls[7] == '    en: "Chinanews report on Notice No. 160 (2022-11-22)"'
    assert ls[10] == "  chars: 7152" and ls[11] == "  facts:" and ls[14].startswith("    datePublished: {v: 2022-11-22")
    assert ls[23] == '    label: {en: "Li Jinlei", zh: "李金磊"}'


def bomb() -> str:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh"):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(rows) + "\n" + BASE


CASES = {
    "facts as a list": (BASE.replace("    publishedBy:", "    - publishedBy:").replace("    author: {v: person/li", "    - author: {v: person/li")
                        .replace("    datePublished: {v: 2022", "    - datePublished: {v: 2022").replace("    reportsOn:\n", "    - reportsOn:\n")
                        .replace("    reportsStatistic: {v: stat/2022-10", "    - reportsStatistic: {v: stat/2022-10"),
                        "12: 'facts' must be a mapping, not a list; write it as indented 'name: value' lines (see docs/encoding.md)"),
    "chars as a mapping": (BASE.replace("  chars: 7152", "  chars: {n: 1}"),
                           "11: 'chars' must be a single value, not a mapping; write chars: VALUE (see docs/encoding.md)"),
    "label as a list": (BASE.replace('label: {en: "Li Jinlei", zh: "李金磊"}', 'label: {en: [Li, Jinlei], zh: "李金磊"}'),
                        "24: 'en' must be a single value, not a list; write en: VALUE (see docs/encoding.md)"),
    "NUL": (BASE.replace('en: "Li Jinlei"', 'en: "Li\x00Jinlei"'),
            "24: control character U+0000 in the text; remove it: encodings are plain text"),
    "BEL": (BASE.replace('en: "Li Jinlei"', 'en: "Li\x07Jinlei"'),
            "24: control character U+0007 in the text; remove it: encodings are plain text"),
    "ESC": (BASE.replace('en: "Li Jinlei"', 'en: "Li\x1b[31mJinlei"'),
            "24: control character U+001B in the text; remove it: encodings are plain text"),
    "ESC as a YAML escape": (BASE.replace('en: "Li Jinlei"', 'en: "Li\\e]0;title\\aJinlei"'),
                             "24: control character U+001B in a value; remove it: values are plain text"),
    "alias": (BASE.replace('label: {en: "Li Jinlei", zh: "李金磊"}', 'label: &li {en: "Li Jinlei", zh: "李金磊"}'),
              "24: YAML anchor 'li'; write the value out: encodings do not use anchors (&) or aliases (*)"),
    "alias bomb": (bomb(), "1: YAML anchor 'a'; write the value out: encodings do not use anchors (&) or aliases (*)"),
    "deep nesting": (BASE + "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
                     f"{len(lines_of(BASE))}: nested more than 32 levels deep; flatten it: see docs/encoding.md for the shape of an encoding"),
    "5,000-digit locator": (BASE.replace("datePublished: {v: 2022-11-22, at: 0-26}", "datePublished: {v: 2022-11-22, at: 0-" + "9" * 5000 + "}"),
                            "15: " + ("bad locator '0-" + "9" * 5000)[:299] + "…; write START-END character offsets, "
                            "e.g. at: 120-185"),
    "empty inferred": (BASE.replace("publishedBy: {v: agency/chinanews, at: 0-79}", "publishedBy: {v: agency/chinanews, at: 0-79, inferred: }"),
                       "13: 'inferred' of publishedBy gives no reason; say why the fact is inferred, e.g. inferred: the "
                       "notice numbers its measures in order"),
    "impossible date": (BASE.replace("datePublished: {v: 2022-11-22", "datePublished: {v: 2022-13-45"),
                        "15: bad date '2022-13-45' for datePublished; write a date as YYYY-MM-DD, e.g. 2022-11-21"),
    "unclosed quote": (BASE.replace('en: "Chinanews report on Notice No. 160 (2022-11-22)"', 'en: "Chinanews report on Notice No. 160 (2022-11-22)'),
                       "8: a quoted value runs on from this line to line 9; add the missing closing quote on this line"),
    "unclosed quote at the end": (BASE + 'extra: "never closed\n',
                                  f"{len(lines_of(BASE))}: a quoted value is not closed; add the closing quote on that line"),
    "2 MB label": (BASE.replace('en: "Li Jinlei"', 'en: "' + "L" * 2_000_000 + '"'),
                   f": the file has {len(BASE.encode()) + 2_000_000 - len('Li Jinlei')} bytes (at most 1000000); "
                   "split it: an encoding file is read whole into memory"),
    "20,000-character label": (BASE.replace('en: "Li Jinlei"', 'en: "' + "L" * 20_000 + '"'),
                               "24: a value of 20000 characters (at most 10000); shorten it: encodings hold labels, keys "
                               "and locators, not texts"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_broken_encoding_is_one_line_at_its_line(case, onto, tmp_path):
    """One error, in the broken file only: the other six files that refer to it stay quiet."""
    text, want = CASES[case]
    for f in DOCS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / NEWS).write_bytes(text.encode("utf-8"))
    with pytest.raises(InputError) as e:
        encoding.read_all(onto, sorted(tmp_path.glob("*.yaml")))
    assert e.value.message.splitlines() == [f"{tmp_path / NEWS}{want if want.startswith(':') else ':' + want}"]


@pytest.mark.parametrize("kind, want", [("folder", "is a folder, not a file; give an encoding file"),
                                        ("dangling link", "a broken symbolic link; give the path of an encoding file")])
def test_a_folder_or_broken_link_named_yaml_is_one_line(kind, want, onto, tmp_path):
    bad = tmp_path / "zz.yaml"
    if kind == "folder":
        bad.mkdir()
    else:
        bad.symlink_to(tmp_path / "missing.yaml")
    shutil.copy(DOCS / NEWS, tmp_path / NEWS)
    with pytest.raises(InputError) as e:
        encoding.read_all(onto, sorted(tmp_path.glob("*.yaml")))
    assert e.value.message == f"{bad}: {want}"


def test_a_shape_file_with_a_syntax_error_is_one_line(tmp_path):
    import pyoxigraph as ox
    from policykg import paths
    from policykg.validate import validate
    for f in paths.SHAPES_DIR.glob("*.ttl"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "zz.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path <b> ;\n"
                                     "  sh:minCount 1\n<c> <d> <e> .\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        validate.shacl_report(ox.Store(), tmp_path)
    assert e.value.message == (f"{tmp_path / 'zz.ttl'}:5: Turtle syntax error: expected '.' or '}}' or ']' at end of "
                               "statement; fix the shape file (ontology/shapes/*.ttl)")


# ------------------------------------------------------------------------------ the command line

def cli(build_dir, *args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(REPO), POLICYKG_BUILD=str(build_dir))
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=cwd)


BIG = "9" * 5000
CLI_CASES = [
    (["query", "measures-by-sector", "-p", "sector=http://x/a b>"],
     "error: 'http://x/a b>' is not a valid IRI (Invalid IRI code point ' '); give an IRI without spaces or <>, a key "
     "such as sector/automobiles, or a zh/en label"),
    (["query", "quantities-in-period", "-p", "from=2022-13-45", "-p", "to=2023-01-01"],
     "error: parameter 'from' must be a date, not '2022-13-45'; write YYYY-MM-DD, e.g. 2023-01-01"),
    (["query", "measures-by-sector", "-p", "sector=\x1b]0;owned\x07"],
     "error: no sector (a Sector) labelled '\\x1b]0;owned\\x07'; give a key such as sector/automobiles, a zh/en label or "
     "a document number; 'policykg search TEXT' lists matches"),
    (["sparql", "SELECT (<http://example.org/f>(1) AS ?x) WHERE {}"],
     "error: the query failed: The custom function <http://example.org/f> is not supported; check the query "
     "(functions, types, SERVICE addresses)"),
    (["sparql", "SELECT * WHERE { ?a ?b ?c .SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
     "error: the query has a SERVICE clause (http://127.0.0.1:9/), which would make this machine fetch a URL; remove "
     "it, or pass --allow-service if you mean it (allow_service=True)"),
    (["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT " + BIG],
     "error: SPARQL syntax error at line 1, column 5035: unexpected input; check the query near that position"),
    (["serve", "--port", "99999"], "error: port 99999 is not a TCP port; give --port a number from 1 to 65535, e.g. 7878"),
    (["sparql", "SELECT * WHERE { ?s ?p ?o }", "--timeout", "0"],
     "error: the timeout_s limit must be a positive number, not 0.0; give --timeout SECONDS"),
]


@pytest.mark.parametrize("args, want", CLI_CASES, ids=[" ".join(a)[:40] for a, _ in CLI_CASES])
def test_bad_command_line_input_is_one_line(build_dir, args, want, tmp_path):
    r = cli(build_dir, *args, cwd=tmp_path)
    assert (r.returncode, r.stderr, r.stdout) == (2, want + "\n", "")
    assert list(tmp_path.iterdir()) == []


def test_an_integer_parameter_of_5000_digits_is_refused(build_dir, tmp_path):
    from policykg.query import engine as query
    p = query.Param("n", "integer", True, "3")
    with pytest.raises(InputError) as e:
        query.to_term(p, BIG, None)
    assert e.value.message == "parameter 'n' must be an integer, not '" + BIG + "'; e.g. --param n=3"
    assert query.to_term(p, "17", None).value == "17"


def test_file_arguments_that_are_not_readable_files(build_dir, tmp_path):
    (tmp_path / "bad.rq").write_bytes(b'SELECT * WHERE { ?s ?p "\xff" }')
    (tmp_path / "adir").mkdir()
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    before = sorted(p.name for p in tmp_path.iterdir())
    cases = [(["sparql", "bad.rq"], "error: bad.rq:1: not UTF-8 text (invalid start byte at byte 24); save the file as UTF-8"),
             (["locate", "adir", "x"], "error: adir: is a folder, not a file; give your copy of the source text"),
             (["locate", "dangling.txt", "x"],
              "error: dangling.txt: a broken symbolic link; give the path of your copy of the source text"),
             (["link", "--out", "missing/links.csv"],
              "error: missing/links.csv: cannot write the CSV: no such file or directory; give --out a file in an "
              "existing folder you can write")]
    for args, want in cases:
        r = cli(build_dir, *args, cwd=tmp_path)
        assert (r.returncode, r.stderr) == (2, want + "\n"), args
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_labels_with_escape_sequences_reach_the_terminal_escaped(built):
    """A label in the store with ESC and BEL (as if an encoding had one) prints as visible escapes."""
    import pyoxigraph as ox
    from policykg.query.results import Result
    from policykg.terminal import escape
    bad = ox.Literal("Li\x1b[31mJinlei\x07\u009b")
    table = Result(["label"], [(bad,)]).format("table")
    assert "\x1b" not in escape(table) and "Li\\x1b[31mJinlei\\x07\\u009b" in escape(table)
