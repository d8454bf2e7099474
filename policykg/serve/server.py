"""A read-only SPARQL 1.1 Protocol endpoint over the build: the oxigraph server on 127.0.0.1.

`prepare()` loads build/kg.nq into an on-disk store (build/oxigraph/, rebuilt when kg.nq changes);
`start()` runs `oxigraph serve-read-only` on it with the union of all graphs as the default graph
and a query timeout, bound to 127.0.0.1 only. Updates are refused (read-only server).

The server reports a timeout by cutting the streamed body of an HTTP 200 response, so a client must
check that a result document is complete: `complete_json()` does that for SPARQL JSON results.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from policykg import paths
from policykg.store import load
from policykg.errors import InputError

HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
STORE_DIR = "oxigraph"
STAMP = "loaded-from.json"


def binary() -> str:
    """The `oxigraph` executable of the oxigraph PyPI package (beside this Python, or on PATH)."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.is_file() else shutil.which("oxigraph")
    if not found:
        raise InputError("the oxigraph server is not installed", fix="pip install 'oxigraph>=0.5,<0.6'")
    return found


def prepare(build_dir: Path | str | None = None, location: Path | str | None = None) -> Path:
    """The on-disk store of a build, loaded from kg.nq unless it is already up to date."""
    nq = load.nquads(build_dir)
    loc = Path(location) if location else paths.build_dir(build_dir) / STORE_DIR
    st = nq.stat()
    stamp = {"file": str(nq.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    stamp_file = loc / STAMP
    if stamp_file.is_file():
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                return loc
        except ValueError:
            pass
    shutil.rmtree(loc, ignore_errors=True)
    loc.mkdir(parents=True)
    proc = subprocess.run([binary(), "load", "--location", str(loc), "--file", str(nq), "--format", "nq"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        shutil.rmtree(loc, ignore_errors=True)
        last = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise InputError(f"loading the store failed: {last}", path=nq, fix="rebuild with 'policykg build'")
    stamp_file.write_text(json.dumps(stamp))
    return loc


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running endpoint. Use as a context manager, or call stop()."""

    location: Path
    port: int
    timeout_s: float
    process: subprocess.Popen = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/query"

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace_s: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace_s)

    def wait(self) -> int:
        return self.process.wait()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(build_dir: Path | str | None = None, port: int | None = None,
          timeout_s: float = DEFAULT_TIMEOUT_S, location: Path | str | None = None,
          ready_within_s: float = 15.0) -> Server:
    """Load (if needed) and serve the build read-only on 127.0.0.1; returns once it answers."""
    if timeout_s <= 0:
        raise InputError("the query timeout must be positive", fix="give --timeout SECONDS, e.g. 30")
    loc = prepare(build_dir, location)
    port = port or DEFAULT_PORT
    if not _port_free(port):
        raise InputError(f"port {port} on {HOST} is in use", fix="give another --port, or stop what uses it")
    cmd = [binary(), "serve-read-only", "--location", str(loc), "--bind", f"{HOST}:{port}",
           "--union-default-graph", "--timeout-s", str(int(max(1, round(timeout_s))))]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    server = Server(loc, port, timeout_s, proc)
    deadline = time.monotonic() + ready_within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
            raise InputError(f"the oxigraph server stopped at start: {err[-1] if err else 'no message'}",
                             fix="check the port and the store under " + str(loc))
        if _answers(server):
            return server
        time.sleep(0.1)
    server.stop()
    raise InputError(f"the oxigraph server did not answer within {ready_within_s:.0f}s", fix="try again")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def _answers(server: Server) -> bool:
    req = urllib.request.Request(server.url + "?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def complete_json(body: bytes | str) -> dict:
    """Parse a SPARQL JSON result, raising ValueError when the server cut it short (a timeout)."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ValueError(f"incomplete SPARQL result ({len(text)} characters): the server probably hit its "
                         f"query timeout") from e
    if "boolean" not in doc and "results" not in doc:
        raise ValueError("not a SPARQL result document")
    return doc
