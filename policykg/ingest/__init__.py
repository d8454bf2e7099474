"""Ingest: raw policy text in; mentions, metadata, structure, relations, quantities and candidate
names out, each with its offsets; then a draft encoding, a mentions file or the extracted tier.

    from policykg import ingest
    ex = ingest.ingest("notice.txt")          # an Extraction (see policykg.ingest.model)
    ex.metadata.numbers[0].value             # '工信部联运行〔2022〕160号'

Each document is handled on its own (no state shared between documents but the dictionary), so a
corpus can be ingested by any map: a loop, a process pool or a Dask cluster.
"""

from __future__ import annotations

from pathlib import Path

from policykg.ingest import dictionary, mentions, metadata, read, relations, structure
from policykg.ingest.model import Extraction, Mention

VERSION = "1"          # bumped when ingest's output for the same input changes


def ingest_text(text: str, *, path: str = "<text>", kind: str = "text", file_sha256: str | None = None,
                d: dictionary.Dictionary | None = None) -> Extraction:
    d = d or dictionary.default()
    titles = metadata.titles(text)
    found = mentions.link(text, d, [(t.start, t.end) for t in titles])
    meta = metadata.read(text, found, d)
    found = mentions.longest(meta.addressees + found)
    own = meta.known.concept if meta.known else None
    sections = structure.sections(text)
    excluded = [(m.start, m.end) for m in found if m.type == "document"] + \
               [(n.start, n.end) for n in meta.numbers] + [(s.start, s.start + len(s.marker)) for s in sections]
    if meta.date:
        excluded.append((meta.date.start, meta.date.end))
    tagger = mentions.tagger()
    sha = read.sha256_text(text)
    lang = read.language(text)
    zh_scheme = any(dictionary.is_cjk(c) for s in sections for c in s.marker)
    return Extraction(
        path=path, kind=kind, text=text, sha256=sha, file_sha256=file_sha256 or sha, lang=lang,
        metadata=meta, sections=sections, mentions=found,
        relations=relations.relations(sections, found, own, zh_only=lang == "mixed" and zh_scheme),
        quantities=relations.quantities(text, found, excluded),
        candidates=relations.candidates(text, found, lambda s: ((w.word, w.flag) for w in tagger.cut(s, HMM=False)),
                                        [(t.start, t.end) for t in titles]))


def ingest(path: Path | str, d: dictionary.Dictionary | None = None) -> Extraction:
    """Read one text, HTML or PDF file and extract from it; InputError for a file it cannot read."""
    r = read.read(path)
    return ingest_text(r.text, path=str(path), kind=r.kind, file_sha256=r.file_sha256, d=d)


__all__ = ["Extraction", "Mention", "VERSION", "ingest", "ingest_text"]
