"""Work done in a forked copy of this process while this one goes on: a run writes its results file while it
is analysed and drawn, and draws its heaviest figures beside the others. A copy shares what is already computed without
pickling it and starts in milliseconds; where fork is missing, or the copy fails, the work is done here
instead, so the outcome never depends on it (an error is then raised here, as it would be without a copy).
"""

from __future__ import annotations

import multiprocessing
import sys
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator


@contextmanager
def beside(job: Callable[[], Any]) -> Iterator[Callable[[], Any]]:
    """Start job() in a forked copy of this process; the with-body runs here meanwhile and may call the
    yielded function, which waits for the copy and returns job()'s result. The block ends only when job()
    is done (here, if the copy could not do it)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield _memo(job)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # a copy must not write again what this process has buffered
        stream.flush()
    copy = context.Process(target=_answer, args=(job, send), daemon=True)
    with warnings.catch_warnings():  # Python ≥ 3.12 warns of fork beside native threads (BLAS): the copy uses none
        warnings.simplefilter("ignore", DeprecationWarning)
        copy.start()
    send.close()

    def answered() -> Any:
        try:
            done, value = receive.recv()
        except EOFError:  # the copy died before answering
            done, value = False, None
        copy.join()
        return value if done else job()

    result = _memo(answered)
    try:
        yield result
        result()
    finally:
        if copy.is_alive():  # the body failed: the copy's work is not wanted
            copy.kill()
        copy.join()
        receive.close()


def _answer(job: Callable[[], Any], send) -> None:
    """In the copy: job()'s result, or word that it failed (this process then does it, and sees why)."""
    try:
        value = job()
    except BaseException:
        send.send((False, None))
    else:
        send.send((True, value))


def _memo(function: Callable[[], Any]) -> Callable[[], Any]:
    """function() computed at the first call only."""
    kept: list = []

    def once() -> Any:
        if not kept:
            kept.append(function())
        return kept[0]
    return once
