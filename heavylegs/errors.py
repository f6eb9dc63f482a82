"""Errors that point at the bad input: file, line, field, value, expectation."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InputError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    Parameters
    ----------
    file : str
        The file (or ``"<input>"`` for in-memory data).
    message : str
        What was found and what was expected.
    field : str, optional
        The field or column concerned.
    line : int, optional
        1-based line in the file, when the format has lines.
    column : int, optional
        1-based column, when known.
    """

    file: str
    message: str
    field: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        where += ":"
        if self.field:
            where += f" {self.field}:"
        return f"{where} {self.message}"


class InputError(ValueError):
    """Bad input, with every problem found in it.

    The command line prints one line per problem on standard error and exits
    with status 2.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
