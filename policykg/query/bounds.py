"""Bounded query work: a time limit, a memory limit and a row cap, enforced by the operating system.

    >>> bounds.run(lambda: expensive(store), Limits(timeout_s=5))

`run()` forks a worker after the store is open (the worker shares the loaded store, copy on write,
so nothing is loaded twice), and in the worker, before the work starts:
- the address space is capped at what the process already maps plus `memory_mb` (RLIMIT_AS): a
  query that grows past it fails to allocate and dies, and only the worker dies;
- the worker gets its own empty network namespace unless `network=True`: no SERVICE clause and no
  URL in a query can reach any address, whatever the query text looks like (where the system
  does not allow it, `can_isolate()` is False and policykg.query.service refuses what it cannot read);
- the kernel kills the worker if its parent dies (PR_SET_DEATHSIG), and CPU time is capped a
  little past the time limit as a backstop.
The parent waits at most `timeout_s` for the answer, then kills the worker (SIGKILL): no core is
left busy. Rows are counted while they are drained; past `max_rows` the work stops. Each limit
hit raises `LimitError` (an InputError: one line, exit 2 at the command line).

Defaults: docs/reliability.md.
"""

from __future__ import annotations

import ctypes
import faulthandler
import math
import os
import pickle
import resource
import select
import signal
import time
from dataclasses import dataclass, replace
from typing import Callable, TypeVar

from policykg.errors import InputError

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 2048
DEFAULT_MAX_ROWS = 100_000
PR_SET_DEATHSIG = 1
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


@dataclass(frozen=True)
class Limits:
    """What one query may use. `None` for a field means no limit of that kind."""

    timeout_s: float | None = DEFAULT_TIMEOUT_S
    memory_mb: int | None = DEFAULT_MEMORY_MB
    max_rows: int | None = DEFAULT_MAX_ROWS
    network: bool = False           # True lets SERVICE reach other machines (--allow-service)

    def but(self, **changes) -> "Limits":
        """A copy with some fields changed; fields given as None keep their value here."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def check(self) -> "Limits":
        for name, v, flag in (("timeout_s", self.timeout_s, "--timeout SECONDS"),
                              ("memory_mb", self.memory_mb, "--memory MB"),
                              ("max_rows", self.max_rows, "--max-rows N")):
            if v is not None and not (isinstance(v, (int, float)) and 0 < v < 10**12 and not math.isnan(v)):
                raise InputError(f"the {name} limit must be a positive number, not {v!r}", fix=f"give {flag}")
        return self


DEFAULT = Limits()


class LimitError(InputError):
    """A query hit one of its limits; `kind` is 'time', 'memory' or 'rows'."""

    def __init__(self, kind: str, what: str, fix: str):
        self.kind = kind
        super().__init__(what, fix=fix)


def time_error(limits: Limits) -> LimitError:
    return LimitError("time", f"the query was stopped after {limits.timeout_s:g} s (its time limit)",
                      "narrow the query (more patterns, a LIMIT), or raise the limit with --timeout SECONDS")


def memory_error(limits: Limits) -> LimitError:
    return LimitError("memory", f"the query was stopped at its memory limit of {limits.memory_mb} MB",
                      "narrow the query (fewer unconstrained patterns, no ORDER BY over everything), "
                      "or raise the limit with --memory MB")


def rows_error(limits: Limits) -> LimitError:
    return LimitError("rows", f"the query returned more than {limits.max_rows} rows (its row cap)",
                      "add a LIMIT or narrow the query, or raise the cap with --max-rows N")


def capped(items, limits: Limits | None):
    """Iterate `items`, raising the row-cap error past `limits.max_rows`."""
    cap = limits.max_rows if limits else None
    if cap is None:
        yield from items
        return
    for i, x in enumerate(items):
        if i >= cap:
            raise rows_error(limits)
        yield x


# ------------------------------------------------------------------------------------ the worker

_libc = None


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this (just forked) process when its parent ends (Linux)."""
    global _libc
    try:
        _libc = _libc or ctypes.CDLL(None, use_errno=True)
        _libc.prctl(PR_SET_DEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:      # it ended before the signal was armed
        os._exit(1)


def _no_network() -> bool:
    """Move this (single-threaded, just forked) process into an empty network namespace."""
    global _libc
    try:
        _libc = _libc or ctypes.CDLL(None, use_errno=True)
        return _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


_isolation: bool | None = None


def can_isolate() -> bool:
    """Whether a worker can be cut off the network here (unprivileged user namespaces); tried once."""
    global _isolation
    if _isolation is None:
        pid = os.fork()
        if pid == 0:
            os._exit(0 if _no_network() else 1)
        _, status = os.waitpid(pid, 0)
        _isolation = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return _isolation


def mapped_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


_entered: Limits | None = None            # the limits this process is a worker under (enter_limits)


def enter_limits(limits: Limits, parent: int, cpu: bool = True) -> None:
    """In a just forked worker: die with `parent`, no network, the memory cap and (with `cpu`) the CPU cap."""
    global _entered
    _entered = limits
    die_with_parent(parent)
    devnull = os.open(os.devnull, os.O_WRONLY)     # the engine's own abort messages are not for the user
    os.dup2(devnull, 2)
    faulthandler.disable()
    if not limits.network:
        _no_network()                          # where the system refuses, service.refuse() has already decided
    if limits.memory_mb is not None:
        cap = mapped_bytes() + int(limits.memory_mb) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if cpu and limits.timeout_s is not None:
        seconds = int(math.ceil(limits.timeout_s)) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def outcome(work: Callable[[], T]) -> tuple:
    """What a worker sends back: ("ok", value), ("limit", kind), ("input", ...) or ("error", text)."""
    try:
        return ("ok", work())
    except LimitError as e:
        return ("limit", e.kind)
    except InputError as e:
        return ("input", (e.what, None if e.path is None else str(e.path), e.line, e.fix))
    except MemoryError:
        return ("limit", "memory")
    except BaseException as e:                 # noqa: BLE001 - reported by the parent
        return ("error", f"{type(e).__name__}: {e}")


def _child(work: Callable[[], T], limits: Limits, parent: int, w: int) -> None:
    try:
        enter_limits(limits, parent)
        payload = outcome(work)
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("limit", "memory"))
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
    finally:
        os._exit(0)


def within(limits: Limits) -> bool:
    """Whether this process is already a worker whose limits hold `limits`: the same memory cap and
    network, and a time limit no longer than `limits`' (its caller enforces it). A task of the
    endpoint's pool that runs a named query (policykg.serve.named) is such a worker."""
    e = _entered
    return (e is not None and e.memory_mb == limits.memory_mb and e.network == limits.network
            and (limits.timeout_s is None or (e.timeout_s is not None and e.timeout_s <= limits.timeout_s)))


def run(work: Callable[[], T], limits: Limits | None = DEFAULT) -> T:
    """`work()` in a worker process under `limits` (None: in this process, unbounded; also in this
    process when it is a worker already bounded by `limits`, see `within`: the rows are capped by
    the work itself, as in any worker)."""
    if limits is None or within(limits):
        return work()
    limits.check()
    parent = os.getpid()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(work, limits, parent, w)
    os.close(w)
    chunks, status = [], None
    deadline = None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
    try:
        poller = select.poll()
        poller.register(r, select.POLLIN | select.POLLHUP)
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise time_error(limits)
            if not poller.poll(None if left is None else max(1, int(left * 1000))):
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(r)
        if status is None:                         # timed out, interrupted, or failed: stop the worker
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
    data = b"".join(chunks)
    return answer(pickle.loads(data) if data else None, status, limits)


def answer(payload: tuple | None, status: int, limits: Limits):
    """The value of a worker's `outcome`, or the error it stands for (None: the worker died with `status`)."""
    if payload is None:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            raise time_error(limits)
        raise memory_error(limits)                 # killed by a failed allocation (abort) or the kernel
    kind, value = payload
    if kind == "ok":
        return value
    if kind == "limit":
        raise {"time": time_error, "memory": memory_error, "rows": rows_error}[value](limits)
    if kind == "input":
        what, path, line, fix = value
        raise InputError(what, path=path, line=line, fix=fix)
    raise RuntimeError(f"the query worker failed: {value}")
