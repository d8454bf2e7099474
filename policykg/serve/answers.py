"""What the endpoint sends for a result: the format a client's `Accept` header asks for, the whole
body with its content type, or `Refused` with the status and one-line message of an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.query import bounds
from policykg.query.bounds import Limits, LimitError
from policykg.query.pool import Pool, Stopped
from policykg.query.results import Result, format_result, to_json

SELECT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "text/csv": "csv", "text/tab-separated-values": "tsv",
                "application/sparql-results+xml": "xml", "application/xml": "xml"}
GRAPH_TYPES = {"text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt"}
CONTENT_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv; charset=utf-8",
                 "tsv": "text/tab-separated-values; charset=utf-8", "xml": "application/sparql-results+xml",
                 "ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples"}


class Refused(Exception):
    """An error answer: its HTTP status, a one-line message and, for a limit hit, the limit's kind."""

    def __init__(self, status: int, message: str, limit: str | None = None):
        self.status, self.message, self.limit = status, message, limit
        super().__init__(message)


@dataclass
class Answer:
    body: bytes
    content_type: str
    headers: dict = field(default_factory=dict)     # sent with the body (e.g. X-PolicyKG-Total)


def negotiate(accept: str, graph_result: bool) -> str:
    """The result format for an Accept header (JSON, or Turtle for CONSTRUCT/DESCRIBE, by default)."""
    table = GRAPH_TYPES if graph_result else SELECT_TYPES
    for part in (accept or "").split(","):
        mime = part.split(";")[0].strip().lower()
        if mime in table:
            return table[mime]
    return "ttl" if graph_result else "json"


def render(res: Result, accept: str) -> Answer:
    """The whole result in the format `accept` asks for."""
    fmt = negotiate(accept, res.triples is not None)
    if fmt in ("json", "xml"):
        body = to_json(res, indent=None).encode("utf-8")         # on one line: a client reads it, not a person
        if fmt == "xml":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(
                format=ox.QueryResultsFormat.XML)
    else:
        body = format_result(res, fmt).encode("utf-8")
    return Answer(body, CONTENT_TYPES[fmt])


def in_worker(store: ox.Store, pool: Pool | None, limits: Limits, fn: Callable[..., Answer], *args) -> Answer:
    """`fn(store, *args)` under `limits`, in one of `pool`'s workers (else in a worker of its own);
    a limit hit, a user's mistake or a stopping endpoint becomes `Refused`."""
    try:
        if pool is not None and pool.store is store:
            return pool.run(fn, *args, limits=limits)
        return bounds.run(lambda: fn(store, *args), limits)
    except Stopped:
        raise Refused(503, "the endpoint is stopping; send the request again once it is back") from None
    except LimitError as e:
        raise Refused(500, e.message, e.kind) from None
    except InputError as e:
        raise Refused(400, e.message) from None
