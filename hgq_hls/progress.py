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


def counter(total: int, label: str, unit: str, enabled: bool = True):
    """A progress bar over ``total`` units (``update(k)`` as work completes).

    Silent when disabled, and when stderr is not a terminal (tqdm's ``disable=None``).
    """
    return tqdm(total=total, desc=label, unit=unit, disable=None if enabled else True, leave=True)
