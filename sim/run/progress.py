"""Progress on stderr for long work (done of total, time left): a bar redrawn on a terminal, a plain line
at most once a minute in a log (so that a long study run in the background shows it is alive, and a short
command's log stays clean); notes for a person watching, silent off a terminal; and notes for the record
(what a command chose or will cost), always shown."""

from __future__ import annotations

import bisect
import sys
import time
from typing import TextIO

WIDTH = 24  # characters of the bar
LOG_EVERY = 60.0  # seconds between progress lines when stderr is not a terminal
RECENT = 0.25  # the time left is extrapolated from the pace over this last share of the work done


def _clock(seconds: float) -> str:
    if seconds < 1:
        return "<1 s"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def say(text: str, stream: TextIO | None = None) -> None:
    """A line on stderr, only on a terminal (a note for a person watching, not for a log)."""
    stream = sys.stderr if stream is None else stream
    if stream.isatty():
        stream.write(text + "\n")
        stream.flush()


def note(text: str, stream: TextIO | None = None) -> None:
    """A line on stderr whether or not it is a terminal: something a log of the command should hold."""
    stream = sys.stderr if stream is None else stream
    stream.write(f"note: {text}\n")
    stream.flush()


class Bar:
    """Call with (done, total) as work finishes. On a terminal it redraws one line and ends it when
    done == total; elsewhere it writes a line once LOG_EVERY seconds have passed since the last (or the
    start), and the closing line only after such a line. `doing(text)` names a long stage within a unit
    (a calibration's moves at one month), so that the line shows what holds it and a log stays alive."""

    def __init__(self, label: str, stream: TextIO | None = None):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.terminal = self.stream.isatty()
        self.began = time.monotonic()
        self.logged: float | None = None  # when the last line off a terminal was written
        self.done, self.when = [0], [self.began]  # the work done at each call that advanced it, and when
        self.total, self.stage = 0, ""  # the last total told, and the stage under way within the next unit
        self.drawn = 0  # characters of the line last drawn on a terminal (a shorter one blanks the rest)

    def left(self, done: int, total: int, now: float) -> float:
        """Seconds left: the remaining work at the pace of the last RECENT share of the work done, so that
        work whose units grow dearer as it goes (a calibration's later months) is not promised too soon."""
        k = bisect.bisect_left(self.done, done * (1 - RECENT))
        k = k if k < len(self.done) and self.done[k] < done else 0
        return (now - self.when[k]) / (done - self.done[k]) * (total - done)

    def line(self, done: int, total: int) -> str:
        """The text of the line: bar, count and the time left extrapolated from the recent pace."""
        filled = WIDTH * done // max(total, 1)
        now = time.monotonic()
        if done >= total:
            when = f"{_clock(now - self.began)} elapsed"
        elif done == 0:
            when = "starting"
        else:
            left = self.left(done, total, now)
            when = ("~" if left >= 1 else "") + f"{_clock(left)} left"
        stage = f" ({self.stage})" if self.stage and done < total else ""
        return f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}{stage}, {when}"

    def doing(self, stage: str) -> None:
        """Name the stage under way (it holds until the work advances) and show it as progress is shown."""
        self.stage = stage
        if self.total:
            self.show(self.done[-1], self.total)

    def __call__(self, done: int, total: int) -> None:
        if done > self.done[-1]:
            self.done.append(done)
            self.when.append(time.monotonic())
            self.stage = ""
        self.total = total
        self.show(done, total)

    def show(self, done: int, total: int) -> None:
        """Redraw the line on a terminal; in a log, write it when a line is due."""
        if self.terminal:
            end = "\n" if done >= total else ""
            text = self.line(done, total)
            self.stream.write(f"\r{text}{' ' * max(self.drawn - len(text), 0)}{end}")
            self.drawn = len(text)
        else:
            now = time.monotonic()
            due = now - (self.began if self.logged is None else self.logged) >= LOG_EVERY
            if not (due or (done >= total and self.logged is not None)):
                return
            self.logged = now
            self.stream.write(self.line(done, total) + "\n")
        self.stream.flush()
