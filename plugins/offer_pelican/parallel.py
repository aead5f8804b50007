"""An ordered map over forked worker processes, for the per-entry rendering.

The function and its inputs reach the workers through ``fork`` (nothing is
pickled on the way in: the workers inherit the generator, its templates and the
items); only the results come back, in the order of the inputs, chunk by chunk,
so that the caller writes the files in a fixed order. Only a few chunks run
ahead of the caller, so results never pile up in memory. Where ``fork`` is
missing, with one worker, or for too few inputs to repay the start of the
workers, the map runs in this process.
"""

from __future__ import annotations

import gc
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence

# Below this many inputs per worker, starting the workers costs more than it saves.
MIN_PER_WORKER = 40
CHUNK = 25

# What the forked workers run, set just before the pool starts them.
_job: tuple[Callable, Sequence] | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(setting: int, inputs: int) -> int:
    """Workers to use: ``setting`` (0 = one per available core), fewer for few inputs."""
    wanted = setting or available_cores()
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(wanted, inputs // MIN_PER_WORKER))


def _run_chunk(bounds: tuple[int, int]) -> list:
    function, inputs = _job
    start, stop = bounds
    return [function(inputs[i]) for i in range(start, stop)]


def ordered_map(function: Callable, inputs: Sequence, workers: int, chunk: int = CHUNK) -> Iterator:
    """``map(function, inputs)`` on ``workers`` forked processes, results in input order."""
    if workers <= 1:
        yield from map(function, inputs)
        return
    import multiprocessing  # only a build with workers pays for these imports
    from concurrent.futures import ProcessPoolExecutor

    global _job
    _job = (function, inputs)
    # The objects that exist now are inherited, not garbage: the workers' collections
    # skip them (and leave their memory pages shared with this process).
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        bounds = iter([(start, min(start + chunk, len(inputs))) for start in range(0, len(inputs), chunk)])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # A few chunks ahead per worker, no more: the results wait in memory until written.
            running = deque(pool.submit(_run_chunk, b) for b in itertools.islice(bounds, 2 * workers))
            while running:
                results = running.popleft().result()
                following = next(bounds, None)
                if following is not None:
                    running.append(pool.submit(_run_chunk, following))
                yield from results
    finally:
        _job = None
        gc.unfreeze()
