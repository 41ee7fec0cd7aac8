"""Progress lines for long stages: a live counter on a terminal, silence otherwise."""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

ProgressFn = Callable[[int, int | None], None]


class Progress:
    """Callable as progress(done, total) or progress(phase, done, total).
    Redraws at most 10 times a second."""

    def __init__(self, label: str, stream: TextIO | None = None, *, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._started = time.monotonic()
        self._drawn = False

    def __call__(self, *args: object) -> None:
        if not self.enabled:
            return
        phase = ""
        if args and isinstance(args[0], str):
            phase, args = f" {args[0]}", args[1:]
        done = int(args[0])  # type: ignore[arg-type]
        total = int(args[1]) if len(args) > 1 and args[1] is not None else None  # type: ignore[arg-type]
        now = time.monotonic()
        if now - self._last < 0.1 and (total is None or done < total):
            return
        self._last = now
        rate = done / max(now - self._started, 1e-6)
        of = f"/{total}" if total else ""
        pct = f" {100 * done / total:5.1f}%" if total else ""
        self.stream.write(f"\r  {self.label}{phase}: {done}{of}{pct}  ({rate:,.0f}/s)   ")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
