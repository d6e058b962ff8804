"""Shared helpers for the security and reliability tests: a time limit and error locations."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

from graphmodel.errors import CampaignGraphError


class TookTooLong(Exception):
    """Raised by :func:`time_limit` when the block ran past its limit (a hang)."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail the block with :class:`TookTooLong` after ``seconds`` (SIGALRM; main thread only)."""

    def _alarm(signum: int, frame: object) -> None:
        raise TookTooLong(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def where(e: CampaignGraphError) -> tuple[str | None, str | None, int | None, str | None]:
    """``(file name, sheet, row, column)`` of an error, the file reduced to its name."""
    return (Path(e.file).name if e.file else None, e.sheet, e.row, e.column)
