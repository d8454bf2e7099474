"""Read a document as text: UTF-8 text files, HTML pages and PDF files.

Bounds: a file larger than MAX_BYTES or a PDF with more than MAX_PDF_PAGES pages is refused with an
InputError; HTML is parsed by lxml (libxml2), whose own limits on depth and size apply.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import InputError

MAX_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 2000
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}

_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
          "ul", "ol", "title", "header", "footer", "blockquote", "pre", "dd", "dt", "hr", "td", "th"}
_DROP = {"script", "style", "noscript", "template", "head"}


@dataclass(frozen=True)
class Read:
    text: str
    kind: str            # text | html | pdf
    file_sha256: str     # of the file's bytes


def kind_of(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return "pdf"
    if suffix in HTML_SUFFIXES or re.match(rb"\s*(<!doctype html|<html)", data[:512], re.I):
        return "html"
    return "text"


def read(path: Path | str) -> Read:
    """The text of a file as ingest sees it (offsets count code points of this text)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"file is {size} bytes, more than the {MAX_BYTES} that ingest reads", path=path,
                             fix="split the document into smaller files")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path, fix="give the path of a text, HTML or PDF file") from None
    except IsADirectoryError:
        raise InputError("is a directory", path=path, fix="give a file, or the folder itself to 'ingest'") from None
    except PermissionError:
        raise InputError("cannot read the file (permission denied)", path=path, fix="check its permissions") from None
    kind = kind_of(path, data)
    text = {"pdf": _pdf_text, "html": _html_text, "text": _plain_text}[kind](data, path)
    if not text.strip():
        raise InputError(f"no text found in this {kind} file", path=path,
                         fix="give a file with a text layer (scanned PDFs need OCR first)")
    return Read(text=text, kind=kind, file_sha256=hashlib.sha256(data).hexdigest())


def _plain_text(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", path=path, line=line, fix="convert the file to UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")    # as Path.read_text reads it


def _html_text(data: bytes, path: Path) -> str:
    import lxml.etree
    import lxml.html
    try:
        try:
            doc = lxml.html.document_fromstring(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = lxml.html.document_fromstring(data)          # lets lxml use the page's declared charset
    except (lxml.etree.ParserError, ValueError) as e:
        raise InputError(f"cannot parse HTML: {e}", path=path, fix="give a well-formed HTML page") from None
    out: list[str] = []
    skip = 0
    for event, el in lxml.etree.iterwalk(doc, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _DROP:
                skip += 1
            elif not skip:
                if tag in _BLOCK:
                    out.append("\n")
                if el.text and isinstance(el.tag, str):
                    out.append(el.text)
        else:
            if tag in _DROP:
                skip -= 1
            elif not skip and tag in _BLOCK:
                out.append("\n")
            if not skip and el.tail and el is not doc:
                out.append(el.tail)
    return _tidy("".join(out))


def _pdf_text(data: bytes, path: Path) -> str:
    import logging

    from pypdf import PdfReader
    logging.getLogger("pypdf").setLevel(logging.ERROR)       # its warnings would print; bad files raise
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(f"PDF has {len(reader.pages)} pages, more than the {MAX_PDF_PAGES} that ingest reads",
                             path=path, fix="split the PDF")
        pages = [p.extract_text() or "" for p in reader.pages]
    except InputError:
        raise
    except Exception as e:           # pypdf raises many kinds on broken files; each is this file's problem
        raise InputError(f"cannot read PDF: {e}", path=path, fix="give an unencrypted PDF with a text layer") from None
    return _tidy("\n".join(pages))


def _tidy(text: str) -> str:
    """Lines stripped of runs of spaces, no empty lines: the extracted text a draft's locators count in."""
    lines = (re.sub(r"[ \t\u00a0\u3000]+", " ", ln).strip() for ln in text.splitlines())
    return "\n".join(ln for ln in lines if ln) + "\n"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def language(text: str) -> str:
    """zh, en or mixed, from the share of CJK characters against Latin letters (4 letters ~ 1 character)."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text)) / 4
    if cjk + latin == 0:
        return "en"
    share = cjk / (cjk + latin)
    return "zh" if share > 0.85 else "en" if share < 0.15 else "mixed"
