"""Turn checked encodings into quads: one named graph per source, each fact with its evidence."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pyoxigraph as ox

from policykg.encoding.records import Declaration, Fact, Locator, SourceEncoding
from policykg.model import terms as T
from policykg.model.namespaces import OA, PID, PROV, RDF, RDFS, SKOS, XSD

A = ox.NamedNode(RDF + "type")


@lru_cache(maxsize=1 << 16)
def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def text_iri(sha256: str) -> str:
    return f"{PID}text/sha256-{sha256}"


def evidence_iri(sha256: str, loc: Locator) -> str:
    return f"{text_iri(sha256)}/chars/{loc.start}-{loc.end}"


def claim_iri(graph: str, s: str, p: str, o) -> str:
    digest = hashlib.sha256(f"{graph}\n{s}\n{p}\n{o}".encode()).hexdigest()[:16]
    return f"{PID}claim/{digest}"


def _literal(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(str(value), datatype=N(datatype or XSD + "string"))


def _evidence(enc: SourceEncoding, locs: list[Locator], claim: ox.NamedNode, g: ox.NamedNode):
    for loc in locs:
        ev = N(evidence_iri(enc.sha256, loc))
        sel = N(ev.value + "/selector")
        yield ox.Quad(claim, N(T.evidence), ev, g)
        yield ox.Quad(ev, A, N(T.Evidence), g)
        yield ox.Quad(ev, N(OA + "hasSource"), N(text_iri(enc.sha256)), g)
        yield ox.Quad(ev, N(OA + "hasSelector"), sel, g)
        yield ox.Quad(sel, A, N(OA + "TextPositionSelector"), g)
        yield ox.Quad(sel, N(OA + "start"), _literal(loc.start, XSD + "nonNegativeInteger"), g)
        yield ox.Quad(sel, N(OA + "end"), _literal(loc.end, XSD + "nonNegativeInteger"), g)


def _claim(enc: SourceEncoding, s: str, p: str, o, locs, g, *, inferred=None, contradicted_by=(), note=None,
           cites=(), verification=None):
    claim = N(claim_iri(g.value, s, p, o))
    yield ox.Quad(claim, A, N(T.Claim), g)
    yield ox.Quad(claim, A, N(RDF + "Statement"), g)
    yield ox.Quad(claim, N(RDF + "subject"), N(s), g)
    yield ox.Quad(claim, N(RDF + "predicate"), N(p), g)
    yield ox.Quad(claim, N(RDF + "object"), o, g)
    # A fact read on web pages is stated in those pages; any other in the file's own source.
    for stated_in in cites or [enc.iri]:
        yield ox.Quad(claim, N(T.statedIn), N(stated_in), g)
        yield ox.Quad(N(stated_in), N(T.states), claim, g)
    for page in cites:
        yield ox.Quad(claim, N(PROV + "wasDerivedFrom"), N(page), g)
    if verification:
        yield ox.Quad(claim, N(T.verification), _literal(verification, lang="en"), g)
    yield ox.Quad(claim, N(T.claimStatus), N(T.Contradicted if contradicted_by else T.Accepted), g)
    if inferred:
        yield ox.Quad(claim, N(T.inferred), _literal("true", XSD + "boolean"), g)
        yield ox.Quad(claim, N(T.inferenceReason), _literal(inferred, lang="en"), g)
    for other in contradicted_by:
        yield ox.Quad(claim, N(T.contradictedBy), N(other), g)
    if note:
        yield ox.Quad(claim, N(T.statusNote), _literal(note, lang="en"), g)
    yield from _evidence(enc, locs, claim, g)


def _declaration(enc: SourceEncoding, d: Declaration, g: ox.NamedNode):
    s = N(d.iri)
    yield ox.Quad(s, A, N(d.type_iri), g)
    for lang, text in sorted(d.labels.items()):
        yield ox.Quad(s, N(RDFS + "label"), _literal(text, lang=lang), g)
        yield ox.Quad(s, N(SKOS + "prefLabel"), _literal(text, lang=lang), g)
    if d.locators or d.cites:
        yield from _claim(enc, d.iri, A.value, N(d.type_iri), d.locators, g, cites=d.cites)


def _source_text(enc: SourceEncoding, g: ox.NamedNode):
    t = N(text_iri(enc.sha256))
    yield ox.Quad(N(enc.iri), N(T.hasText), t, g)
    yield ox.Quad(t, A, N(T.SourceText), g)
    yield ox.Quad(t, N(T.sha256), _literal(enc.sha256, XSD + "hexBinary"), g)
    yield ox.Quad(t, N(T.characterCount), _literal(enc.chars, XSD + "nonNegativeInteger"), g)
    yield ox.Quad(t, N(RDFS + "label"), _literal(f"Text of {enc.key} (SHA-256 {enc.sha256[:12]}…)", lang="en"), g)
    yield ox.Quad(t, N(RDFS + "label"), _literal(f"{enc.key} 的文本（SHA-256 {enc.sha256[:12]}…）", lang="zh"), g)


def _web_pages(enc: SourceEncoding, g: ox.NamedNode):
    """The pages a file of facts from the web cites: each a pkg:WebPage named by its address."""
    for url in sorted(set(enc.pages.values())):
        yield ox.Quad(N(url), A, N(T.WebPage), g)
        yield ox.Quad(N(url), N(RDFS + "label"), _literal(f"Web page {url}", lang="en"), g)
        yield ox.Quad(N(url), N(RDFS + "label"), _literal(f"网页 {url}", lang="zh"), g)


def compile_source(enc: SourceEncoding):
    """All quads of one source's named graph."""
    g = N(enc.graph)
    if enc.pages:
        yield from _web_pages(enc, g)
    else:
        yield from _source_text(enc, g)
    for d in enc.declarations:
        yield from _declaration(enc, d, g)
    merged: dict[tuple, Fact] = {}
    for f in enc.facts:
        k = (f.subject, f.predicate, f.obj)
        if k in merged:
            merged[k].locators += [loc for loc in f.locators if loc not in merged[k].locators]
            merged[k].cites += [c for c in f.cites if c not in merged[k].cites]
            merged[k].verification = merged[k].verification or f.verification
        else:
            merged[k] = Fact(f.subject, f.predicate, f.obj, list(f.locators), f.inferred,
                             list(f.contradicted_by), f.note, f.path, f.line, list(f.cites), f.verification)
    for f in merged.values():
        if not f.contradicted_by:
            yield ox.Quad(N(f.subject), N(f.predicate), f.obj, g)
        yield from _claim(enc, f.subject, f.predicate, f.obj, f.locators, g, inferred=f.inferred,
                          contradicted_by=f.contradicted_by, note=f.note, cites=f.cites,
                          verification=f.verification)


def compile_all(encodings: list[SourceEncoding]) -> list[ox.Quad]:
    quads: set[ox.Quad] = set()
    for enc in encodings:
        quads.update(compile_source(enc))
    return list(quads)
