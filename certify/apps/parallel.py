"""Running many independent exact jobs: a local process pool, or a Dask cluster.

``run_all(fn, items)`` yields ``(item, result)`` pairs as they finish.  ``fn`` must be a
module-level function (it is pickled to the workers).  With ``scheduler`` set to a Dask
scheduler address (``tcp://host:8786``) the jobs run on that cluster; dask.distributed
is an optional extra (``pip install 'certify[dask]'``).
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterable, Iterator

from ..kernel.exact import InputError


def run_all(fn: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
            scheduler: str | None = None) -> Iterator[tuple[Any, Any]]:
    if workers == 1 and not scheduler:
        # In process and lazily: a caller may stop feeding items (a time budget).
        for item in items:
            yield item, fn(item)
        return
    items = list(items)
    if not items:
        return
    if scheduler:
        yield from _dask(fn, items, scheduler)
        return
    workers = workers or min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        for item in items:
            yield item, fn(item)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(fn, item): item for item in items}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()


def _dask(fn: Callable[[Any], Any], items: list, address: str) -> Iterator[tuple[Any, Any]]:
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError:
        raise InputError("--scheduler", "needs dask.distributed: pip install 'certify[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise InputError("--scheduler", f"cannot connect to {address}: {e}") from None
    try:
        futures = client.map(fn, items, pure=False)
        index = {f.key: item for f, item in zip(futures, items)}
        for fut in dask_completed(futures):
            yield index[fut.key], fut.result()
    finally:
        client.close()
