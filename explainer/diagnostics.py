"""Where a value came from, and what is wrong with it.

Every problem the pipeline finds becomes a :class:`Diagnostic` carrying the
file, line and column, so writers can jump straight to the mistake. Problems
are collected, not raised, so one run reports all of them at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import click


@dataclass(frozen=True, order=True)
class Span:
    """A position in a source file; line and column count from 1."""

    path: Path
    line: int = 1
    column: int = 1

    def display(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.column}"


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # a different drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self) -> str:
        text = f"{self.span.display()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class Diagnostics:
    """Collects problems from every stage so they can be reported together."""

    items: list[Diagnostic] = field(default_factory=list)
    # the build dates these findings hold for (ISO days, from one to before the other; None: open): some depend on
    # the build's own date (explainer.living.check_dates), and a build after no change says them again
    holds_from: str | None = None
    holds_until: str | None = None

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, hint, "error"))

    def warning(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, hint, "warning"))

    def promote_warnings(self) -> None:
        """--strict: every warning becomes an error."""
        self.items = [replace(d, severity="error") for d in self.items]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=lambda d: (str(d.span.path), d.span.line, d.span.column, d.message))


class ContentError(click.ClickException):
    """The story has problems a writer must fix; exit code 1, no traceback."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = sum(d.severity == "error" for d in diagnostics)
        super().__init__(f"{errors} error{'s' if errors != 1 else ''}; nothing was written")

    def show(self, file: IO[Any] | None = None) -> None:
        for diagnostic in self.diagnostics:
            click.echo(diagnostic.format(), err=True)
        click.echo(f"error: {self.message}", err=True)


class UsageError(click.ClickException):
    """The command was asked to do something it must refuse; exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.message}", err=True)
