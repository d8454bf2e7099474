"""The extracted tier: what ingest found, as facts in the graph, apart from the curated ones.

Each ingested document gets one named graph, `graph/extracted/<name>`, compiled from its draft
encoding by the same compiler as the curated encodings (so every fact is a claim with its text
selector), plus for every claim its confidence (pkg:confidence), its method (pkg:extractionMethod)
and the PROV activity that produced it, which names the ingest version. The graphs are written as
N-Quads to `<build>/extracted/<name>.nq`, which the store loads beside `kg.nq`; queries leave them
out unless asked for the extracted tier (`--tier all`).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyoxigraph as ox

from policykg import paths
from policykg.encoding import compile as comp
from policykg.encoding import files, reader, records
from policykg.errors import InputError
from policykg.ingest import draft
from policykg.ingest.model import Extraction
from policykg.model import terms as T
from policykg.model.namespaces import GRAPH, PID, PROV, RDF, RDFS, XSD

EXTRACTED = GRAPH + "extracted/"
N = ox.NamedNode


def is_extracted(graph_iri: str) -> bool:
    return graph_iri.startswith(EXTRACTED)


def _scores(ex: Extraction, slug: str) -> dict[tuple[str, str, str], tuple[float, str]]:
    """(subject key, property, object key) -> (confidence, method) for the drafted facts."""
    meta = ex.metadata
    doc = meta.known.concept if meta.known else f"doc/{slug}"
    out: dict[tuple[str, str, str], tuple[float, str]] = {}
    for prop, ms in (("issuedBy", meta.issuers), ("addressedTo", meta.addressees),
                     ("appliesToRegion", draft._addressee_regions(ex))):
        for m in ms:
            out[(doc, prop, m.concept)] = (m.confidence, m.method)
    keys = draft._section_keys(ex, doc)
    for r in ex.relations:
        subject = keys[r.section] if r.section is not None else doc
        out.setdefault((subject, r.prop, r.concept), (r.confidence, "co-occurrence" if r.section is not None
                                                      else "citation"))
    for m in ex.mentions:
        out.setdefault((f"source/{slug}", "mentions", m.concept), (m.confidence, m.method))
    return out


def _key(term) -> str:
    v = term.value
    if v.startswith(PID):
        return v[len(PID):]
    return v.rsplit("#", 1)[-1] if v.startswith(T.NS) else v


def quads(ex: Extraction, slug: str | None = None, documents_dir: Path | None = None,
          version: str = "") -> list[ox.Quad]:
    """The named graph of one ingested document (checked like a curated encoding first)."""
    from policykg.model import ontology
    slug = slug or draft.slug(ex.path)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{slug}.yaml"
        path.write_text(draft.render(ex, slug, documents_dir, version=version), encoding="utf-8")
        try:
            encs = reader.read_all(ontology.load(), files.document_files(documents_dir) + [path])
        except records.EncodingErrors as e:
            first = e.errors[0]
            raise InputError(f"its draft fails the encoding checks ({first.what})", path=ex.path,
                             fix="report this; meanwhile review the draft written without --into-graph") from None
    enc = next(e for e in encs if e.path == path)
    enc.graph = EXTRACTED + slug
    g = N(enc.graph)
    out = list(comp.compile_source(enc))
    activity = N(f"{PID}activity/ingest/{slug}")
    agent = N(f"{PID}software/policykg-ingest/{version or 'unversioned'}")
    lit = lambda v, dt: ox.Literal(str(v), datatype=N(XSD + dt))  # noqa: E731
    out += [
        ox.Quad(activity, N(RDF + "type"), N(PROV + "Activity"), g),
        ox.Quad(activity, N(RDFS + "label"), ox.Literal(f"policykg ingest {version} of {Path(ex.path).name}",
                                                        language="en"), g),
        ox.Quad(activity, N(PROV + "used"), N(comp.text_iri(ex.sha256)), g),
        ox.Quad(activity, N(PROV + "wasAssociatedWith"), agent, g),
        ox.Quad(agent, N(RDF + "type"), N(PROV + "SoftwareAgent"), g),
        ox.Quad(agent, N(RDFS + "label"), ox.Literal(f"policykg ingest {version}", language="en"), g),
        ox.Quad(g, N(PROV + "wasGeneratedBy"), activity, g),
    ]
    scores = _scores(ex, slug)
    claims = {q.subject for q in out if q.predicate.value == RDF + "type" and q.object.value == T.Claim}
    parts: dict = {}
    for q in out:
        if q.subject in claims and q.predicate.value in (RDF + "subject", RDF + "predicate", RDF + "object"):
            parts.setdefault(q.subject, {})[q.predicate.value[len(RDF):]] = q.object
    for claim, spo in sorted(parts.items(), key=lambda kv: kv[0].value):
        conf, method = scores.get((_key(spo["subject"]), _key(spo["predicate"]), _key(spo["object"])),
                                  _default(spo["predicate"].value))
        out += [ox.Quad(claim, N(PROV + "wasGeneratedBy"), activity, g),
                ox.Quad(claim, N(T.confidence), lit(f"{conf:.2f}", "decimal"), g),
                ox.Quad(claim, N(T.extractionMethod), ox.Literal(method), g)]
    return out


def _default(predicate: str) -> tuple[float, str]:
    """Confidence of facts read from the header and the numbering rather than matched."""
    name = re.split(r"[#/]", predicate)[-1]
    return {"title": (0.95, "title line"), "documentNumber": (0.99, "documentNumber"),
            "inForce": (0.95, "status mark"), "dateIssued": (0.9, "date line"),
            "editionOf": (0.95, "title line")}.get(name, (0.95, "numbering"))


def folder(build: Path | str | None = None) -> Path:
    return paths.build_dir(build) / "extracted"


def check_build(build: Path | str | None = None) -> None:
    """InputError unless the build has the kg.nq that the extracted tier is loaded beside."""
    if not (paths.build_dir(build) / "kg.nq").is_file():
        from policykg.store import load
        if (paths.build_dir(build) / load.STORE_DIR / "CURRENT").is_file():
            load.nquads(build)                  # a build added to without its dumps: says how to get them
        raise InputError("no built knowledge graph to add the extracted tier to", path=paths.build_dir(build),
                         fix="run 'policykg build' first, or name a build with --build DIR")


def write(ex: Extraction, build: Path | str | None = None, version: str = "") -> Path:
    """Write the document's extracted graph to <build>/extracted/<name>.nq (replacing an earlier one)."""
    check_build(build)
    slug = draft.slug(ex.path)
    target = folder(build) / f"{slug}.nq"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = ox.serialize(sorted(quads(ex, slug, version=version), key=str), format=ox.RdfFormat.N_QUADS)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{slug}.", suffix=".tmp", delete=False) as f:
        f.write(data)
    Path(f.name).replace(target)
    return target
