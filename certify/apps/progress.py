"""Progress for long work: a bar on a terminal (stderr), silence when piped.

``Progress(total, label)`` is used as a context manager; ``advance(n, note)`` counts
work, ``clear()`` erases the bar before a line of output (it is redrawn on the next
``advance``).  Nothing is drawn during the first second, so quick commands never
flicker, and nothing at all unless the stream is a terminal, so ``--json`` output,
pipes and CI logs stay clean.

The bar is drawn with rich when it is installed (extra ``rich``: bar, count,
elapsed time, estimated time left) and as a one-line text bar otherwise; set
``CERTIFY_PROGRESS=plain`` to force the text bar or ``CERTIFY_PROGRESS=off`` to
disable both.  Redraws are throttled to ten a second either way.
"""
from __future__ import annotations

import os
import sys
import threading
import time


def _rich_progress(stream):
    """A stopped, transient rich progress display writing to ``stream``, or None without rich."""
    try:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
    except ImportError:
        return None
    console = Console(file=stream, stderr=stream is sys.stderr, highlight=False)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn(), TextColumn("{task.fields[note]}")]
    return RichProgress(*columns, console=console, transient=True, auto_refresh=False)


class Progress:
    def __init__(self, total: int | None, label: str, stream=None, delay: float = 1.0):
        self.total, self.label, self.delay = total, label, delay
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = time.monotonic()
        mode = os.environ.get("CERTIFY_PROGRESS", "auto").lower()
        self.enabled = mode != "off" and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._plain = mode == "plain" or os.environ.get("TERM") == "dumb"
        self._rich = None      # the rich display while it is shown
        self._task = None
        self._drawn = False    # the plain bar is on screen
        self._last = 0.0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.clear()

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay or now - self._last < 0.1:
            return
        self._last = now
        if not self._plain and self._draw_rich(note):
            return
        self._draw_plain(now, note)

    def clear(self) -> None:
        if self._rich is not None:
            self._rich.stop()  # transient: the bar disappears
            self._rich, self._task = None, None
        if self._drawn:
            self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()
            self._drawn = False

    # ------------------------------------------------------------------ drawing
    def _draw_rich(self, note: str) -> bool:
        if self._rich is None:
            self._rich = _rich_progress(self.stream)
            if self._rich is None:
                self._plain = True
                return False
            self._rich.start()
            self._task = self._rich.add_task(self.label, total=self.total, note=note)
            # The display is new after a clear(): its clock must still count from our start.
            self._rich.tasks[0].start_time = self._rich.get_time() - (time.monotonic() - self.start)
        self._rich.update(self._task, completed=self.done, note=note)
        self._rich.refresh()
        return True

    def _draw_plain(self, now: float, note: str) -> None:
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
            text = f"\r{self.label} [{bar}] {self.done}/{self.total} {now - self.start:5.1f}s {note}"
        else:
            count = f" {self.done}" if self.done else ""
            text = f"\r{self.label}{count} {now - self.start:5.1f}s {note}"
        self.stream.write(text[:120])
        self.stream.flush()
        self._drawn = True


class Activity:
    """A progress line for one long question: elapsed time and the stage the engine reports
    (``certify.core.problem.report``), redrawn by a background thread; drawn only on a
    terminal and only after the first second, erased when the question ends."""

    def __init__(self, label: str, stream=None, period: float = 0.25):
        self.bar = Progress(None, label, stream)
        self.period = period
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Activity":
        from ..core.problem import report
        report("")
        if self.bar.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        from ..core.problem import current_stage
        while not self._stop.wait(self.period):
            self.bar.advance(0, note=current_stage())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.bar.clear()
