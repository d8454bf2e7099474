"""The SPARQL 1.1 Protocol endpoint behind `policykg serve`: a front process that owns bounded query work.

The front process opens the build once and listens on 127.0.0.1. Each connection is handled in a
thread of the front (at most MAX_CONNECTIONS at once), and each query runs in one of `--workers`
pre-forked workers (policykg.query.pool) under the limits of policykg.query.bounds (time, memory,
rows, no network). So:
- a query that hits a limit gets an error status with a one-line `text/plain` message (400 for a
  bad or refused query, 500 with `X-PolicyKG-Limit: time|memory|rows` for a limit, as the SPARQL
  Protocol's "query request refused"); a 200 body is only sent once the whole result is ready, with
  its Content-Length, so it is never cut;
- a runaway query kills only its worker, which is replaced: the front and the other requests go
  on, and no core stays busy;
- SERVICE is refused from the parsed query (400), and workers have no network anyway;
- every worker carries PR_SET_DEATHSIG: when the front process ends for any reason, including
  SIGKILL, the kernel kills its workers; SIGTERM, SIGHUP and SIGINT stop the front within
  STOP_WITHIN_S whatever the queries in flight (see serve_forever); the socket uses SO_REUSEADDR,
  so a new `serve` binds the port at once;
- the front keeps its own copy of the build open: a rebuild cannot pull the store from under it.
  Before each request it compares the build's id (policykg.build.output) with the one it loaded and,
  when a new complete build has been swapped in, opens it with a new pool of workers (the old
  workers finish the queries they run, then stop);
- an answer already sent is sent again from the answer cache (policykg.serve.cache, bounded by
  `--cache-mb`) without running the query: the header `X-PolicyKG-Cache` says `hit` or `miss`.
  Each opened copy of the build has its own cache, so a reload starts empty;
- the named queries are served under `/catalogue` (policykg.serve.named): by name, with their
  parameters, pages, stored answers and name index, run in the same workers under the same limits.
"""

from __future__ import annotations

import http.server
import signal
import socketserver
import threading
import urllib.parse
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from policykg.build import output
from policykg.errors import InputError
from policykg.query import bounds, catalogue, service
from policykg.query.bounds import Limits
from policykg.query.pool import Pool
from policykg.query.results import from_pyoxigraph
from policykg.serve import DEFAULT_WORKERS, HOST, browse, named
from policykg.serve.answers import Answer, Refused, in_worker, render
from policykg.serve.cache import DEFAULT_MB as DEFAULT_CACHE_MB, AnswerCache, cacheable
from policykg.store import union

MAX_BODY = 1 << 20              # bytes of a POSTed query
MAX_CONNECTIONS = 64            # connections handled at once; more wait in the listen queue
REQUEST_TIMEOUT_S = 30          # a client that sends nothing for this long is dropped
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
POLL_S = 0.2                    # how often the accept loop looks for a stop request
STOP_WITHIN_S = 2               # a stop signal ends the front within this, whatever the queries in flight


def answer(store: ox.Store, text: str, accept: str, limits: Limits, pool: Pool | None = None) -> Answer:
    """Run one query under `limits` (in `pool`, else in a worker of its own) and serialize it whole;
    Refused for anything that is not a result."""
    quick = bounds.can_isolate() and not service.could_have_service(text)   # see service.refuse
    found = [] if quick else service.find(text)
    if found:
        raise Refused(400, "the query has a SERVICE clause, which would make this machine fetch a URL; "
                           "this endpoint does not follow SERVICE")
    if found is None and not bounds.can_isolate():
        raise Refused(400, service.UNCHECKABLE + "; write it in plain SPARQL 1.1")
    return in_worker(store, pool, limits, _work, text, accept, limits)


def _work(store: ox.Store, text: str, accept: str, limits: Limits) -> Answer:
    """In a worker: the query's whole answer in the negotiated format."""
    try:
        res = from_pyoxigraph(store.query(text, **union.options(store)), limits=limits)
    except SyntaxError as e:
        raise InputError(f"SPARQL syntax error: {' '.join(str(e).split())[:300]}", fix="fix the query") from None
    except (RuntimeError, OSError, ValueError) as e:
        raise InputError(f"the query failed: {' '.join(str(e).split())[:300]}", fix="check the query") from None
    return render(res, accept)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "policykg-serve"
    protocol_version = "HTTP/1.0"
    timeout = REQUEST_TIMEOUT_S

    def log_message(self, fmt, *args):         # quiet: one line per request would flood a terminal
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if named.handles(self.path):
            return self._named()
        page = browse.respond(self.server.current()[0], self.path, self.headers.get("Accept", ""))   # /, /id/...
        if page is not None:
            return self._send(page.status, page.content_type, page.body, page.headers)
        if url.path != "/query":
            return self._error(404, f"no such path '{url.path}'; send queries to /query")
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        self._query(params.get("query"), params)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/update":
            return self._error(403, "this endpoint is read-only: updates are refused")
        if url.path != "/query":
            return self._error(404, f"no such path '{url.path}'; send queries to /query")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return self._error(400, "bad Content-Length")
        if length < 0 or length > MAX_BODY:
            return self._error(413, f"a query may have at most {MAX_BODY} bytes")
        body = self.rfile.read(length)
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-query":
            return self._query([body.decode("utf-8", "replace")], params)
        if ctype == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if "update" in form:
                return self._error(403, "this endpoint is read-only: updates are refused")
            return self._query(form.get("query"), {**params, **form})
        return self._error(415, "send application/sparql-query or application/x-www-form-urlencoded")

    def do_PUT(self):
        self._error(405, "this endpoint is read-only")

    do_DELETE = do_PATCH = do_PUT

    def _query(self, values, params):
        if not values or len(values) != 1 or not values[0].strip():
            return self._error(400, "give exactly one non-empty 'query' parameter")
        for unsupported in ("default-graph-uri", "named-graph-uri"):
            if unsupported in params:
                return self._error(400, f"'{unsupported}' is not supported: the default graph is the union of all "
                                        "graphs; use GRAPH in the query")
        text = values[0]
        self._cached((text, self.headers.get("Accept", "")), cacheable(text),
                     lambda store, pool: answer(store, text, self.headers.get("Accept", ""), self.server.limits, pool))

    def _named(self):
        """GET /catalogue[/NAME?…]: the named queries (policykg.serve.named)."""
        key = (named.cache_key(self.path), self.headers.get("Accept", ""))
        listing = urllib.parse.urlsplit(self.path).path.rstrip("/") == named.ROUTE     # read afresh: files may change
        self._cached(key, not listing,
                     lambda store, pool: named.answer(store, self.path, key[1], self.server.limits, pool))

    def _cached(self, key: tuple[str, str], keep: bool, work: Callable[[ox.Store, Pool], Answer]) -> None:
        """Send the answer for `key` from the answer cache, or from `work` (kept when `keep`)."""
        store, pool, cache = self.server.current()
        ans = cache.get(key) if cache.max_bytes else None
        hit = ans is not None
        if not hit:
            try:
                ans = work(store, pool)
            except Refused as e:
                return self._error(e.status, e.message, e.limit)
            if cache.max_bytes and keep:
                cache.put(key, ans)
        self._send(200, ans.content_type, ans.body, {**ans.headers, "X-PolicyKG-Cache": "hit" if hit else "miss"})

    def _send(self, status: int, content_type: str, body: bytes, headers: dict) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, limit: str | None = None):
        body = ("error: " + " ".join(message.split()) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if limit:
            self.send_header("X-PolicyKG-Limit", limit)
        self.end_headers()
        self.wfile.write(body)


class Endpoint(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """A thread per connection (at most MAX_CONNECTIONS), a pool of `workers` query workers, an
    answer cache of `cache_mb` MB (0: none); reopens the build, with a new cache, when it changes."""

    allow_reuse_address = True          # SO_REUSEADDR: a restarted serve binds the port at once
    daemon_threads = True

    def __init__(self, port: int, build_dir: Path, limits: Limits, workers: int = DEFAULT_WORKERS,
                 cache_mb: int = DEFAULT_CACHE_MB):
        from policykg.store import load
        self.build_dir, self.limits, self.workers, self.cache_mb = Path(build_dir), limits, workers, cache_mb
        self.cache = AnswerCache(cache_mb << 20)
        self.build_id = output.build_id(self.build_dir)
        self.pending = None                      # the id of a rebuilt folder being readied (reload_if_rebuilt)
        self.store = load.load(self.build_dir)
        name_index_ready(self.store)
        catalogue.catalogue()                    # read once here: the workers forked below inherit it
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._swap = threading.Lock()
        super().__init__((HOST, port), Handler)
        self.pool = Pool(self.store, size=workers, limits=limits)     # after the socket: a port in use forks nothing

    def current(self) -> tuple[ox.Store, Pool, AnswerCache]:
        with self._swap:
            return self.store, self.pool, self.cache

    def reload_if_rebuilt(self) -> bool:
        """Open a rebuilt folder and serve it from now on; True when it was swapped in. A rebuilt folder
        without a current name index (one to which documents were added) is readied in a thread while
        the copy we have goes on serving, and swapped in when its index is written."""
        new = output.build_id(self.build_dir)
        if new is None or new == self.build_id or new == self.pending:
            return False
        from policykg.query import name_index
        from policykg.store import load
        try:
            store = load.load(self.build_dir)
        except (InputError, OSError, SyntaxError):
            return False                         # keep serving the copy we have
        if load.origin(store) is not None and name_index.at_hand(store) is None:
            self.pending = new
            threading.Thread(target=self._ready_then_swap, args=(store, new), daemon=True).start()
            return False
        name_index.forget(store)                 # the workers open it themselves (see name_index_ready)
        self._swap_in(store, new)
        return True

    def _ready_then_swap(self, store: ox.Store, new: str) -> None:
        try:
            name_index_ready(store)
            self._swap_in(store, new)
        finally:
            self.pending = None

    def _swap_in(self, store: ox.Store, new: str) -> None:
        pool = Pool(store, size=self.workers, limits=self.limits)
        with self._swap:
            old, self.store, self.pool, self.build_id = self.pool, store, pool, new
            self.cache = AnswerCache(self.cache_mb << 20)
        old.close()                              # its busy workers stop when their query returns

    def process_request(self, request, client_address):
        self.reload_if_rebuilt()
        self.slots.acquire()                     # past MAX_CONNECTIONS, connections wait in the listen queue
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def stop_children(self) -> None:
        self.pool.close(now=True)


def name_index_ready(store: ox.Store) -> None:
    """Have the build's name index file current before workers are forked: written here, once, when
    it is missing or older than the store (a build to which documents were added has none). A query
    by name in a worker would otherwise write it under that query's time limit, which a large
    build's index does not fit (254 s at 10,000 policies): every such query would be stopped, and
    none answered. The front keeps no connection to the file (a worker opens its own). A store read
    from dumps has no such file: each worker builds its index in memory, as before."""
    from policykg.query import name_index
    from policykg.store import load
    if load.origin(store) is None:
        return
    try:
        name_index.index(store)
    except InputError:
        pass                                     # it cannot be written here: a query by name says why
    name_index.forget(store)


def open_endpoint(build_dir: Path, port: int, limits: Limits, workers: int = DEFAULT_WORKERS,
                  cache_mb: int = DEFAULT_CACHE_MB) -> Endpoint:
    """Load the build and bind the port; InputError for a bad port, a busy port, a bad cache size or no build."""
    if not (0 < port < 65536):
        raise InputError(f"port {port} is not a TCP port", fix="give --port a number from 1 to 65535, e.g. 7878")
    if workers < 1:
        raise InputError(f"--workers {workers} must be at least 1", fix="give --workers N, e.g. 2")
    if not (0 <= cache_mb <= 65536):
        raise InputError(f"--cache-mb {cache_mb} is not a size from 0 to 65536 MB",
                         fix=f"give --cache-mb N, e.g. {DEFAULT_CACHE_MB} (0: no answer cache)")
    limits.check()
    try:
        return Endpoint(port, build_dir, limits, workers, cache_mb)
    except OSError as e:
        if e.errno == 98:
            raise InputError(f"port {port} on {HOST} is in use", fix="give another --port, or stop what uses it") from None
        raise InputError(f"cannot listen on {HOST}:{port}: {e.strerror or e}", fix="give another --port") from None


def serve_forever(endpoint: Endpoint, ready: Callable[[], None] | None = None) -> int:
    """Serve until SIGTERM, SIGHUP or SIGINT; the front ends within STOP_WITHIN_S of the signal.

    The handlers are installed before `ready()` is called (it announces the endpoint), so a signal
    sent after the announcement always stops it, even one the parent process ignores (nohup). A
    handler only sets a flag: a thread then asks the accept loop to stop (it looks every POLL_S).
    Then the socket is closed (the port is free) and every worker is killed, idle or busy: a
    request in flight gets 503 or a closed connection, and no child is left; nothing waits for a
    query, a lock or a request thread (they are daemon threads).
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set()) for sig in STOP_SIGNALS}
    threading.Thread(target=_shutdown_when, args=(stop, endpoint), daemon=True).start()
    try:
        if ready is not None:
            ready()
        endpoint.serve_forever(poll_interval=POLL_S)
    finally:
        endpoint.server_close()
        endpoint.stop_children()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _shutdown_when(stop: threading.Event, endpoint: Endpoint) -> None:
    stop.wait()
    endpoint.shutdown()
