"""What can go wrong, and how each is told: bad input (`file:line:column: message` plus what to do, exit 1),
wrong usage (exit 2), a failing environment (exit 3); warnings collected in a sink the command line prints."""

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


EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_BUG = 0, 1, 2, 3, 70
"""Exit statuses: done; bad input; wrong usage; the environment failed (disk full, permission, a locked
ledger, a server down); a bug in briefing itself (a traceback and a request to report it)."""


class EnvironmentFailure(Exception):
    """The environment failed, not the input: a full disk, a folder that cannot be written, a ledger another
    run holds, a mail server that does not answer. Exit status 3; whatever was done before is kept."""

    def __init__(self, message: str, hint: str = ""):
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        return self.message + (f"\n    {self.hint}" if self.hint else "")


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


class Diagnostics:
    """Warnings found while doing the work, kept for the command line to show once each (library code never
    prints). `diagnostics` below is the sink of the running command."""

    def __init__(self):
        self.items: list[Problem] = []

    def warn(self, problem: Problem) -> None:
        """Keep a warning, once however often it is found (a template composed for three audiences)."""
        if problem not in self.items:
            self.items.append(problem)

    def take(self) -> list[Problem]:
        """Return the warnings kept so far, in the order found, and forget them."""
        items, self.items = self.items, []
        return items


diagnostics = Diagnostics()
