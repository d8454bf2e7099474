"""Writing the export tables: CSV (UTF-8 with a byte-order mark, so Excel reads Chinese), XLSX
(openpyxl), Parquet (pyarrow), and the codebook as `codebook.md` and a Frictionless Data Package
descriptor (`datapackage.json`, Table Schema types), which describe every column.

Each file is written to a temporary name beside it and moved into place, so a file is either the
old one or the complete new one; only the files named here are written, nothing else in the
folder is touched. XLSX and Parquet need the `export` extra (`pip install 'policykg[export]'`).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from policykg.errors import InputError
from policykg.export.tables import COLUMNS, TABLES
from policykg.export.facts import Facts
from policykg.query.index import replacing

FORMATS = ("csv", "xlsx", "parquet")
_FRICTIONLESS = {"string": "string", "integer": "integer", "number": "number", "date": "date", "boolean": "boolean",
                 "list": "string"}


def export(store, out: Path | str, formats=("csv",), tables=None) -> list[Path]:
    """Write the tables in the formats, plus the codebook; returns the files written."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown export format '{unknown[0]}'", fix="use one or more of " + ", ".join(FORMATS))
    names = list(tables or TABLES)
    bad = [n for n in names if n not in TABLES]
    if bad:
        raise InputError(f"unknown table '{bad[0]}'", fix="use one or more of " + ", ".join(TABLES))
    for fmt, module in (("xlsx", "openpyxl"), ("parquet", "pyarrow")):
        if fmt in formats:
            try:
                __import__(module)
            except ImportError:
                raise InputError(f"{fmt} export needs {module}", fix="pip install 'policykg[export]'") from None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    f = Facts(store)                           # the rows are streamed: each format reads them anew
    written = []
    for name in names:
        cols = [c.name for c in COLUMNS[name]]
        if "csv" in formats:
            written.append(_atomic(out / f"{name}.csv", lambda p, n=name, c=cols: _csv(p, c, TABLES[n](f))))
        if "parquet" in formats:
            written.append(_atomic(out / f"{name}.parquet", lambda p, n=name: _parquet(p, n, TABLES[n](f))))
    if "xlsx" in formats:
        written.append(_atomic(out / "policykg.xlsx", lambda p: _xlsx(p, {n: TABLES[n](f) for n in names})))
    written.append(_atomic(out / "codebook.md", lambda p: p.write_text(codebook_md(names), encoding="utf-8")))
    written.append(_atomic(out / "datapackage.json", lambda p: p.write_text(
        json.dumps(datapackage(names, formats), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")))
    return written


def _atomic(path: Path, write) -> Path:
    """`write(tmp)` into a file of our own beside `path` (the umask applies, as to any file the user
    makes), renamed over `path` when it succeeds, removed when it fails."""
    with replacing(path) as tmp:
        write(tmp)
    return path


def _cell(v):
    return "" if v is None else ("true" if v is True else "false" if v is False else v)


def _csv(path: Path, cols: list[str], rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(r[c]) for c in cols])


def _xlsx(path: Path, data: dict) -> None:
    """One sheet per table, then the codebook (openpyxl holds the workbook: an XLSX sheet has at most
    1,048,576 rows, so the large tables of a large graph go to CSV or Parquet)."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in data.items():
        ws = wb.create_sheet(name)
        cols = [c.name for c in COLUMNS[name]]
        ws.append(cols)
        for r in rows:
            ws.append([r[c] for c in cols])
        ws.freeze_panes = "A2"
    ws = wb.create_sheet("codebook")
    ws.append(["table", "column", "type", "description"])
    for name in data:
        for c in COLUMNS[name]:
            ws.append([name, c.name, c.type, c.description])
    wb.save(path)


def _parquet(path: Path, name: str, rows, batch: int = 10_000) -> None:
    """The table in row groups of `batch` rows (only one batch is held)."""
    import itertools

    import pyarrow as pa
    import pyarrow.parquet as pq
    types = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    fields = [pa.field(c.name, types.get(c.type, pa.string()), metadata={"description": c.description})
              for c in COLUMNS[name]]
    schema = pa.schema(fields)
    rows = iter(rows)
    with pq.ParquetWriter(path, schema) as w:
        while True:
            chunk = list(itertools.islice(rows, batch))
            arrays = {c.name: [r[c.name] if c.type in types else (r[c.name] or "") for r in chunk] for c in COLUMNS[name]}
            w.write_table(pa.table(arrays, schema=schema))
            if len(chunk) < batch:
                break


def codebook_md(names=None) -> str:
    out = ["# PolicyKG export: codebook", "",
           "Generated by `policykg export` from `policykg/export/tables.py`; do not edit.", "",
           "Keys are written `pid:KEY` (the IRI is `https://w3id.org/policykg/id/` + KEY); they paste into "
           "`policykg sparql` and `policykg show` as they are. List cells join values with `; `, in the same order "
           "across the columns of one concept. Files: `TABLE.csv` (UTF-8 with byte-order mark), `TABLE.parquet`, "
           "`policykg.xlsx` (one sheet per table and a codebook sheet), and `datapackage.json` (this codebook as a "
           "Frictionless Data Package).", ""]
    for name in names or TABLES:
        doc = (TABLES[name].__doc__ or "").strip()
        out += [f"## {name}", ""] + ([doc, ""] if doc else []) + ["| Column | Type | Description |", "|---|---|---|"]
        out += [f"| `{c.name}` | {c.type} | {c.description} |" for c in COLUMNS[name]]
        out.append("")
    return "\n".join(out)


def datapackage(names=None, formats=("csv",)) -> dict:
    resources = []
    for name in names or TABLES:
        fields = []
        for c in COLUMNS[name]:
            fd = {"name": c.name, "type": _FRICTIONLESS[c.type], "description": c.description}
            if c.type == "list":
                fd["format"] = "default"
                fd["description"] += " (a list: values joined by '; ')"
            fields.append(fd)
        res = {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
               "encoding": "utf-8-sig", "mediatype": "text/csv", "schema": {"fields": fields}}
        resources.append(res)
    return {"profile": "tabular-data-package", "name": "policykg-export", "title": "PolicyKG flat export",
            "licenses": [{"name": "Apache-2.0"}], "resources": resources}
