"""Problems found in a study folder, in the compiler's one-line form of study-format.md."""

from __future__ import annotations

from dataclasses import dataclass

from cases.escape import visible


@dataclass(frozen=True)
class Problem:
    """One violation of the study contract.

    ``row`` is the row a spreadsheet shows (header = 1) for tables, the line for TOML, the data row
    counted from 1 for Parquet; ``None`` when the problem has no row.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        """The line for people: control characters and invisible ones (a zero-width space, a BOM
        inside an id) from data are shown as escapes, so the line is one line and every difference shows."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        if self.column:
            return visible(f"{where}: {self.column}: {self.message}")
        return visible(f"{where}: {self.message}")


class StudyError(Exception):
    """A study folder (or snapshot) that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Collector:
    """Gathers problems for one file; the loader keeps going to report them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def count(self) -> int:
        return len(self.problems)
