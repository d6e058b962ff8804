"""The one error type for problems the user can fix."""

from __future__ import annotations


class CampaignGraphError(Exception):
    """A user-facing problem, located where it applies.

    The CLI prints ``str(err)`` on one line and exits 1. Messages never carry
    sensitive values (membership figures, contacts, notes, passwords): callers
    name the column, not the cell.

    Examples
    --------
    >>> str(CampaignGraphError("share must be 0-100", file="edges.csv", row=3, column="share"))
    'edges.csv: row 3: column share: share must be 0-100'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ": ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message
