"""Problems with a user's input, reported as `file:line:column: message` plus what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a position a person can go to."""

    file: str
    """Path of the file as the user named it."""
    line: int
    """1-based line, 0 when the problem is about the whole file."""
    column: int
    """1-based column, 0 when unknown."""
    message: str
    """What is wrong, in one sentence."""
    hint: str = ""
    """What to do about it; may be empty."""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n    {self.hint}"
        return text


def did_you_mean(name: str, known) -> str:
    """Return ` (did you mean 'x'?)` for the known name closest to a misspelled one, or an empty string."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


class UsageError(Exception):
    """The command line names something that does not exist or asks for what a project does not allow:
    exit status 2, like any other wrong usage."""


class InputError(Exception):
    """Bad input: one or more problems, each with its position. Never shown as a traceback."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = sorted(problems) if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """A collector: add problems while reading a file, then raise them all at once."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []

    def add(self, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(Problem(self.file, line, column, message, hint))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


class EnvironmentFailure(Exception):
    """The environment failed (a full disk, permission denied on an output, a locked ledger, a server down):
    exit status 3; what was done before stands, nothing is lost."""

    def __init__(self, message: str, hint: str = ""):
        self.message, self.hint = message, hint
        super().__init__(message + (f"\n    {hint}" if hint else ""))
