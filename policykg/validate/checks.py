"""Zero-row SPARQL checks kept as files (ontology/checks/*.rq): every row is a finding.

Each file starts with `#+ key: value` header lines: title, severity (error or warning) and scope
(`ontology` = the ontology and vocabulary graphs, `data` = all graphs). The query selects ?term
(the term at fault) and may select ?detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.errors import InputError
from policykg.model.namespaces import ONTOLOGY_GRAPH, VOCABULARY_GRAPH, sparql_prefixes
from policykg.validate.report import Finding, Report


@dataclass
class Check:
    name: str
    title: str
    severity: str
    scope: str
    query: str
    path: Path


def header(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip():
                break
            continue
        key, _, value = line[2:].partition(":")
        out[key.strip()] = value.strip()
    return out


def load_checks(checks_dir: Path | None = None) -> list[Check]:
    out = []
    for f in sorted((checks_dir or paths.CHECKS_DIR).glob("*.rq")):
        text = f.read_text(encoding="utf-8")
        h = header(text)
        severity, scope = h.get("severity", "error"), h.get("scope", "ontology")
        if severity not in ("error", "warning") or scope not in ("ontology", "data"):
            raise InputError(f"bad check header (severity '{severity}', scope '{scope}')", path=f, line=1,
                             fix="use severity: error|warning and scope: ontology|data")
        out.append(Check(f.stem, h.get("title", f.stem), severity, scope, text, f))
    return out


def run_checks(store: ox.Store, checks: list[Check] | None = None, ontology_store: ox.Store | None = None) -> Report:
    """Run the checks; those of scope 'ontology' read only the ontology and vocabulary graphs, so
    they can run on `ontology_store` (a store of just those graphs), which is much faster when
    `store` holds a large dataset (their property paths otherwise walk every term of the store)."""
    report = Report()
    for check in checks if checks is not None else load_checks():
        kwargs = ({"default_graph": [ox.NamedNode(ONTOLOGY_GRAPH), ox.NamedNode(VOCABULARY_GRAPH)]}
                  if check.scope == "ontology" else {"use_default_graph_as_union": True})
        target = ontology_store if check.scope == "ontology" and ontology_store is not None else store
        try:
            rows = target.query(sparql_prefixes() + check.query, **kwargs)
        except SyntaxError as e:
            raise InputError(f"SPARQL syntax error: {str(e).splitlines()[0]}", path=check.path, fix="correct the query") from None
        report.checks_run.append(check.name)
        for row in rows:
            term = row["term"]
            detail = row["detail"] if "detail" in [v.value for v in rows.variables] else None
            report.findings.append(Finding(
                check.name, check.severity,
                check.title + (f" ({detail.value})" if detail is not None else ""),
                focus=term.value if term is not None else "", source=check.path.name))
    return report
