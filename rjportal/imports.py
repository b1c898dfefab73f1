"""What every file import in the portal shares: validate every row first, report every
problem by row and column, and write nothing unless the whole file is valid."""

import io
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RowError:
    row: int | None  # the line number in the file, counting the header as line 1
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" if self.row is not None else "File"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported.")


def read_csv_as_text(source, *, required_columns: list[str]) -> pd.DataFrame:
    """Read a CSV file (UTF-8, with or without a byte order mark) with every cell as text, so
    that validation sees exactly what the file says. Raises ImportRejected for a file that
    cannot be read or lacks a required column."""
    raw = source.read() if hasattr(source, "read") else source
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([RowError(None, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8'.")]) from None
    if not raw.strip():
        raise ImportRejected([RowError(None, "", "The file is empty.")])
    try:
        frame = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ImportRejected([RowError(None, "", f"The file could not be read as CSV: {error}")]) from error
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in required_columns if column not in frame.columns]
    if missing:
        raise ImportRejected([RowError(None, column, "This column is missing.") for column in missing])
    if frame.empty:
        raise ImportRejected([RowError(None, "", "The file has a header but no rows.")])
    return frame


def file_line(index: int) -> int:
    """The line number in the file of a data frame row (line 1 is the header)."""
    return int(index) + 2
