"""Wall-clock time per build phase, for ``kabul-brief build --timings``.

An archive that builds slowly needs to know where the time goes before anyone can
fix it; the phases are the pipeline's own (load, plan, render, search, ...). Phases
follow one another like laps: starting one ends the one before, so they never
overlap and add up to the build.
"""

from __future__ import annotations

import time


class Stopwatch:
    """Seconds spent in each named phase, in the order the phases first ran."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}
        self._running: tuple[str, float] | None = None

    def start(self, name: str) -> None:
        """End the running phase, if any, and start ``name``."""
        self.stop()
        self._running = (name, time.perf_counter())

    def stop(self) -> None:
        if self._running is not None:
            name, started = self._running
            self._seconds[name] = self._seconds.get(name, 0.0) + time.perf_counter() - started
            self._running = None

    @property
    def phases(self) -> tuple[tuple[str, float], ...]:
        return tuple(self._seconds.items())
