"""Start and stop `policykg serve` from Python (tests, notebooks): the endpoint in its own process.

    with server.start(build_dir, port=server.free_port()) as s:
        urllib.request.urlopen(s.url + "?query=ASK%7B%7D")

The endpoint itself (policykg.serve.endpoint) is a front process that runs each query in a bounded
worker; the process started here dies with the Python process that started it (PR_SET_DEATHSIG).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from policykg import paths
from policykg.errors import InputError
from policykg.query.bounds import DEFAULT as DEFAULT_LIMITS, Limits, die_with_parent
from policykg.serve import DEFAULT_PORT, HOST



def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running endpoint. Use as a context manager, or call stop()."""

    port: int
    limits: Limits
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


def command(build_dir, port: int, limits: Limits, workers: int | None = None, cache_mb: int | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "policykg", "serve", "--build", str(build_dir), "--port", str(port)]
    for flag, value in (("--timeout", limits.timeout_s), ("--memory", limits.memory_mb),
                        ("--max-rows", limits.max_rows), ("--workers", workers), ("--cache-mb", cache_mb)):
        if value is not None:
            cmd += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return cmd


def start(build_dir: Path | str | None = None, port: int | None = None, limits: Limits = DEFAULT_LIMITS,
          workers: int | None = None, ready_within_s: float = 30.0, cache_mb: int | None = None) -> Server:
    """Serve the build read-only on 127.0.0.1 in a child process; returns once it answers.
    `cache_mb`: the answer cache's size (None: serve's default; 0: no cache)."""
    build_dir = paths.build_dir(build_dir)
    port = port or DEFAULT_PORT
    proc = subprocess.Popen(command(build_dir, port, limits, workers, cache_mb), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=die_with_parent)
    server = Server(port, limits, proc)
    deadline = time.monotonic() + ready_within_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip().splitlines() if proc.stderr else []
            last = err[-1] if err else "no message"
            raise InputError(last[len("error: "):] if last.startswith("error: ") else f"serve stopped at start: {last}")
        if _answers(server):
            return server
        time.sleep(0.1)
    server.stop()
    raise InputError(f"the endpoint did not answer within {ready_within_s:.0f}s", fix="try again")


def _answers(server: Server) -> bool:
    req = urllib.request.Request(server.url + "?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False
