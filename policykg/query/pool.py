"""Pre-forked bounded workers: many queries on one open store without a fork per query.

    >>> with pool.Pool(store, size=2) as p:
    ...     p.run(count_rows, "SELECT ...", limits=Limits(timeout_s=5))

A `Pool` forks `size` workers from the process that holds the open store (each shares the store,
copy on write, as `bounds.run`'s worker does) and sends each a task: a module-level function and its
arguments, called as `fn(store, *args)`. A worker enters the same limits as `bounds.run`'s, once:
- its address space is capped at what it maps when forked plus `memory_mb` (RLIMIT_AS); a worker
  whose address space has grown past half of that after a task retires, so that no task starts
  near the cap;
- it has its own empty network namespace (no SERVICE, no URL reaches any address);
- it dies with its parent (PR_SET_DEATHSIG), and its CPU time is capped a little past each task's
  time limit (RLIMIT_CPU, raised before each task) as a backstop.
The caller waits at most the task's `timeout_s`, then kills the worker (SIGKILL). A worker that hits
any limit, dies, or times out is killed and a new one is forked in its place on the next task; the
caller gets the same `LimitError` as from `bounds.run`. Tasks whose memory or network limits differ
from the pool's run in a worker of their own (`bounds.run`).

Thread-safe: `run()` may be called from several threads (the endpoint's), each takes a free worker
or waits for one. Every worker is forked by one long-lived thread of the process (`_fork`): the
kernel sends the parent-death signal when the *thread* that forked a process ends, so a worker
forked by a request's thread would be killed as soon as that request was answered, and the next
query sent to it would fail as if it had run out of memory.
`close(now=True)` kills every worker at once and forks no other: the tasks in flight and
those waiting raise `Stopped`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pickle
import queue
import resource
import select
import signal
import stat
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from policykg.query import bounds
from policykg.query.bounds import DEFAULT, Limits

_HEADER = struct.Struct("!Q")
_fds: set[int] = set()                   # the pipe ends of every pool of this process (closed in workers)
_forker: ThreadPoolExecutor | None = None   # the thread that forks every worker (see _fork)
_forker_lock = threading.Lock()


def _fork(store, limits: Limits) -> "_Worker":
    """A new worker, forked by the process's forking thread, which lives as long as the process
    (PR_SET_DEATHSIG follows the forking thread, not the process)."""
    global _forker
    with _forker_lock:
        if _forker is None:
            _forker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykg-fork")
        forker = _forker
    return forker.submit(_Worker, store, limits).result()


def _forget_forker() -> None:
    global _forker
    _forker = None                       # a forked child has no threads: its first pool starts its own


os.register_at_fork(after_in_child=_forget_forker)


class Stopped(Exception):
    """The pool was stopped (`close(now=True)`) before the task could answer."""


def _write(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int, deadline: float | None = None) -> bytes | None:
    """n bytes from fd, None at end of file; raises TimeoutError past the deadline."""
    chunks, got = [], 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if not poller.poll(max(1, int(left * 1000))):
                continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read(fd: int, deadline: float | None = None) -> bytes | None:
    head = _read_exact(fd, _HEADER.size, deadline)
    if head is None:
        return None
    return _read_exact(fd, _HEADER.unpack(head)[0], deadline)


def _close_inherited(keep: tuple[int, ...]) -> None:
    """In a new worker: close the other workers' pipes and every socket (the endpoint's connections),
    so that a worker's death is seen as end of file and no connection outlives the front."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd in keep or fd < 3:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if fd in _fds or stat.S_ISSOCK(mode):
            try:
                os.close(fd)
            except OSError:
                pass


def _serve(store, limits: Limits, parent: int, tasks: int, answers: int) -> None:
    """The worker's loop: read a task, run it, answer; exit at end of file or when grown too large."""
    _close_inherited((tasks, answers))
    bounds.enter_limits(limits, parent, cpu=False)
    base = bounds.mapped_bytes()
    grow = None if limits.memory_mb is None else int(limits.memory_mb) * 2**19     # half the cap
    while True:
        data = _read(tasks)
        if data is None:
            return
        fn, args, timeout_s = pickle.loads(data)
        bounds._entered = dataclasses.replace(limits, timeout_s=timeout_s)   # see bounds.within
        if timeout_s is not None:
            used = resource.getrusage(resource.RUSAGE_SELF)
            cpu = int(math.ceil(used.ru_utime + used.ru_stime + timeout_s)) + 2
            _, hard = resource.getrlimit(resource.RLIMIT_CPU)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard))
        payload = bounds.outcome(lambda: fn(store, *args))
        retire = payload[0] in ("limit", "error") or (grow is not None and bounds.mapped_bytes() - base > grow)
        try:
            out = pickle.dumps((retire, payload), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            retire, out = True, pickle.dumps((True, ("limit", "memory")))
        _write(answers, out)
        if retire:
            return


class _Worker:
    def __init__(self, store, limits: Limits):
        parent = os.getpid()
        task_r, task_w = os.pipe()
        ans_r, ans_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(task_w)
                os.close(ans_r)
                _serve(store, limits, parent, task_r, ans_w)
            finally:
                os._exit(0)
        os.close(task_r)
        os.close(ans_w)
        self.pid, self.tasks, self.answers = pid, task_w, ans_r
        _fds.update((task_w, ans_r))

    def close(self) -> None:
        for fd in (self.tasks, self.answers):
            _fds.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass


class Pool:
    """`size` pre-forked workers bounded by `limits` (memory and network; time and rows per task)."""

    def __init__(self, store, size: int = 2, limits: Limits = DEFAULT):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.store, self.size, self.limits = store, size, limits.check()
        self._free: "queue.Queue[_Worker | None]" = queue.Queue()
        self._lock = threading.Lock()                 # guards _all
        self._all: set[_Worker] = set()
        self.closed = False
        self.stopped = False                          # closed with now=True: no task runs any more
        self.replaced = 0                             # workers killed after a limit, a death or a time-out
        for _ in range(size):
            self._free.put(self._spawn())

    def _spawn(self) -> _Worker:
        if self.stopped:                              # close(now=True) has killed the others: fork no new one
            self._free.put(None)
            raise Stopped
        w = _fork(self.store, self.limits)
        with self._lock:
            self._all.add(w)
        if self.stopped:                              # stopped while it was forked, after close() looked
            self._replace(w)
            raise Stopped
        return w

    def fits(self, limits: Limits | None) -> bool:
        """Whether a task under `limits` can run in this pool's workers."""
        return (limits is not None and not self.closed and limits.memory_mb == self.limits.memory_mb
                and limits.network == self.limits.network)

    def run(self, fn: Callable, *args, limits: Limits | None = None):
        """`fn(store, *args)` in a worker under `limits` (default: the pool's); `fn` must be a
        module-level function and its arguments and answer picklable."""
        limits = self.limits if limits is None else limits.check()
        if self.stopped:
            raise Stopped
        if not self.fits(limits):
            return bounds.run(lambda: fn(self.store, *args), limits)
        w = self._free.get()
        if self.stopped:
            self._free.put(None)
            raise Stopped
        if self.closed:
            self._free.put(None)
            return bounds.run(lambda: fn(self.store, *args), limits)
        w = w or self._spawn()
        try:
            _write(w.tasks, pickle.dumps((fn, args, limits.timeout_s), protocol=pickle.HIGHEST_PROTOCOL))
            deadline = None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
            data = _read(w.answers, deadline)
        except TimeoutError:
            self._replace(w)
            raise bounds.time_error(limits) from None
        except OSError:                               # the worker died before it read the task
            data = None
        if data is None:                              # it died: killed by a failed allocation or the CPU cap
            status = self._replace(w)
            if self.stopped:                          # or by close(now=True)
                raise Stopped
            return bounds.answer(None, status, limits)
        retire, payload = pickle.loads(data)
        if retire or self.closed:
            self._replace(w)
        else:
            self._free.put(w)
        return bounds.answer(payload, 0, limits)

    def _replace(self, w: _Worker) -> int:
        """Stop a worker and leave its place to a new one; its wait status."""
        status = 0
        try:
            os.kill(w.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(w.pid, 0)
        except ChildProcessError:
            pass
        with self._lock:
            self._all.discard(w)
        w.close()
        self.replaced += 1
        self._free.put(None)                          # the next task forks a new worker
        return status

    def close(self, now: bool = False) -> None:
        """Stop the idle workers now and the busy ones when their task returns, and run later tasks in a
        worker of their own; with `now`, kill the busy ones too, at once, and run no later task: their
        callers get `Stopped`."""
        self.stopped = self.stopped or now
        self.closed = True
        if now:
            with self._lock:
                busy = list(self._all)
            for w in busy:
                try:
                    os.kill(w.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        while True:
            try:
                w = self._free.get_nowait()
            except queue.Empty:
                break
            if w is not None:
                self._replace(w)
        for _ in range(self.size):                    # wake run() calls waiting for a worker
            self._free.put(None)

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
