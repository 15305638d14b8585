"""Work split over the machine's cores by forked worker processes.

citeproc-py renders every entry on its own (no state passes between entries), so a long
bibliography is split over the machine's cores: forked workers share the parsed style.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import SslBibError

PARALLEL_MIN = 300
_WORK: list[Any] = []


def worth_it(n: int) -> bool:
    """Whether n entries are worth worker processes, and this machine can fork them."""
    import multiprocessing

    return n >= PARALLEL_MIN and _workers() >= 2 and "fork" in multiprocessing.get_all_start_methods()


def _workers() -> int:
    import os

    return min(os.cpu_count() or 1, 8)


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the parent, which stops them: no traceback from each worker.
    They are born with SIGINT blocked (see in_parallel); ignoring it first, then unblocking,
    drops one that came in between."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _started(pool: Any, slices: list[tuple[int, int]]) -> list[Any]:
    """Submit every slice, forking the workers, with SIGINT held back meanwhile: a Ctrl-C
    that lands while they start reaches the parent once they are up (and stops them), never
    a worker before it ignores it, never lost."""
    import signal

    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return [pool.submit(_work_on, bounds) for bounds in slices]
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def in_parallel(function: Callable[[Any, int, int], list[Any]], work: Any, n: int) -> list[Any]:
    """`function(work, 0, n)`, computed in slices by forked worker processes when n is large:
    each slice's list, joined in order. `work` reaches the workers by the fork, not pickled.
    A worker that dies (killed, out of memory) is an SslBibError, not a hang."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if not worth_it(n):
        return function(work, 0, n)
    workers = _workers()
    size = -(-n // (workers * 8))
    _WORK[:] = [function, work]
    gc.freeze()  # the workers' garbage collector leaves the parent's objects (and pages) alone
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts) as pool:
            slices = [(start, min(start + size, n)) for start in range(0, n, size)]
            try:
                parts = [future.result() for future in _started(pool, slices)]
            except BrokenProcessPool:
                raise SslBibError(
                    "a worker process died while rendering (out of memory, or killed)"
                ) from None
            except BaseException:
                pool.shutdown(cancel_futures=True)  # do not render the rest of a failed list
                raise
    finally:
        gc.unfreeze()
        _WORK.clear()
    return [value for part in parts for value in part]


def _work_on(bounds: tuple[int, int]) -> list[Any]:
    function, work = _WORK
    return function(work, *bounds)  # type: ignore[no-any-return]
