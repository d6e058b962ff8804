"""The one terminal printer: control characters in names and titles are shown, never obeyed.

Kept apart from :mod:`exports.cli.common` so that the entry point imports nothing heavy.
"""

from __future__ import annotations

import io
import re
from typing import Any

# C0 controls but tab and line feed, DEL, and C1 controls (CSI, OSC... as single code points)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (what a terminal may safely print).

    >>> escape_controls("Acme\\x1b]0;pwned\\x07 Steel")
    'Acme\\\\x1b]0;pwned\\\\x07 Steel'
    """
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TerminalText(io.TextIOBase):
    """A text stream for a terminal: writes go through :func:`escape_controls` to ``raw``."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self.raw.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.raw, "encoding", "utf-8"))
