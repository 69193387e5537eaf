"""Progress display for long work (compiles, simulations, verifications), on stderr via tqdm."""

from __future__ import annotations

import contextlib
import sys
import threading
import time

from tqdm.auto import tqdm


@contextlib.contextmanager
def elapsed(label: str, enabled: bool = True):
    """Show ``label`` with a running clock while the block runs (for one long external call)."""
    if not enabled:
        yield
        return
    if not sys.stderr.isatty():             # a log, not a terminal: one line at the end
        start = time.perf_counter()
        yield
        print(f"{label} done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        return
    bar = tqdm(desc=label, total=None, bar_format="{desc}: {elapsed}", leave=True)
    done = threading.Event()

    def tick():
        while not done.wait(0.5):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        bar.bar_format = "{desc}"
        bar.set_description_str(f"{label} done in {time.perf_counter() - start:.1f} s")
        bar.close()


class _LineCounter:
    """What :func:`counter` shows in a log: one line per finished unit, with elapsed time."""

    def __init__(self, total: int, label: str, unit: str, min_interval: float):
        self.total, self.label, self.unit, self.min_interval = total, label, unit, min_interval
        self.done, self.postfix, self.start = 0, "", time.perf_counter()
        self.last = self.start

    def set_postfix_str(self, text: str) -> None:
        self.postfix = text

    def update(self, k: int = 1) -> None:
        self.done += k
        now = time.perf_counter()
        if now - self.last < self.min_interval and self.done < self.total:
            return
        self.last = now
        what = f" {self.postfix}" if self.postfix else ""
        print(f"{self.label}: {self.done}/{self.total} {self.unit}(s) done{what} "
              f"({now - self.start:.1f} s)", file=sys.stderr, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def counter(total: int, label: str, unit: str, enabled: bool = True, min_interval: float = 5.0):
    """A progress bar over ``total`` units (``update(k)`` as work completes).

    On a terminal a tqdm bar; in a log (stderr not a terminal) one line per unit with the
    elapsed time (at most one per ``min_interval`` seconds, and the last), so long runs are
    never silent; nothing when disabled.
    """
    if enabled and not sys.stderr.isatty():
        return _LineCounter(total, label, unit, min_interval)
    return tqdm(total=total, desc=label, unit=unit, disable=not enabled, leave=True)
