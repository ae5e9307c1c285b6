"""The command line: a thin Click layer over :mod:`explainer.build`."""

from __future__ import annotations

import os
import shlex
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import click

from explainer import __version__
from explainer.build import build, check
from explainer.diagnostics import Diagnostic, display_path


class _Kinds(click.Choice):
    """The kinds `explainer new` makes, listed when first asked for: the kind registry imports the model, which
    a build after no change does without."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> Sequence[str]:
        from explainer.scaffold import new_kinds

        return tuple(sorted([*new_kinds(), "update"]))

    @choices.setter
    def choices(self, _ignored: Sequence[str]) -> None:
        pass


PROJECT = click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="explainer")
def cli() -> None:
    """Build a news story explainer from YAML and Markdown."""


def _show_warnings(warnings: list[Diagnostic]) -> None:
    for warning in warnings:
        click.echo(warning.format(), err=True)


@cli.command("build")
@PROJECT
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: PROJECT/build).",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Absolute address the site will live at (overrides base_url in explainer.yml).",
)
@click.option(
    "--no-search",
    "no_search",
    is_flag=True,
    help="Leave out the search page and its Pagefind index (overrides search in explainer.yml).",
)
@STRICT
def build_command(project: Path, out: Path | None, base_url: str | None, no_search: bool, strict: bool) -> None:
    """Build PROJECT into PROJECT/build (or --out)."""
    if base_url is not None:
        from explainer.config import base_url_problem

        if problem := base_url_problem(base_url):
            raise click.BadParameter(problem, param_hint="--base-url")
    # collect=False: what the build threw away is left to the process's exit
    result = build(project, out, strict, base_url=base_url, search=False if no_search else None, collect=False)
    if result.cache_warning:
        click.echo(f"warning: {result.cache_warning}", err=True)
    _show_warnings(result.warnings)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    where = display_path(result.out)
    if result.up_to_date:
        click.echo(
            f"up to date: nothing changed since the last build of {result.page_count} pages in {where}", err=True
        )
    elif result.rendered < len(result.pages):
        click.echo(
            f"built {result.page_count} pages into {where} ({result.rendered} rendered again, "
            f"{len(result.files)} files written, {result.removed} removed; the rest were unchanged)",
            err=True,
        )
    else:
        click.echo(f"built {result.page_count} pages into {where}", err=True)
    _finished.set()  # main() then ends the process without taking the build's objects apart


@cli.command("check")
@PROJECT
@STRICT
def check_command(project: Path, strict: bool) -> None:
    """Check PROJECT for every problem a build would meet; write nothing."""
    warnings = check(project, strict, collect=False)  # what the check threw away is left to the process's exit
    _show_warnings(warnings)
    if warnings:
        click.echo(f"ok: nothing blocks a build; {len(warnings)} warning(s) above", err=True)
    else:
        click.echo("ok: no problems found", err=True)


@cli.command("serve")
@PROJECT
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; when busy, the next free one is used (0: any free port).",
)
def serve_command(project: Path, host: str, port: int) -> None:
    """Preview PROJECT with rebuild on save and live reload in the browser."""
    from explainer.serve import serve  # here: a build does not pay for the server and the file watcher

    serve(project, host, port)


PROJECT_OPTION = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="The project to add to (default: this folder).",
)


@cli.command("new")
@click.argument("kind", type=_Kinds())
@click.argument("title")
@PROJECT_OPTION
def new_command(kind: str, title: str, project: Path) -> None:
    """Add a new person, event, claim, question or source called TITLE.

    `explainer new update "What is new"` adds an update dated now to the
    story's update log (content/updates.yml) instead.
    """
    from explainer.scaffold import new_entry

    if kind == "update":
        from explainer.editing import new_update

        click.echo(new_update(project, title).report("this update"))
        return
    path = new_entry(project, kind, title)
    click.echo(display_path(path))


@cli.command("correct")
@click.argument("entry", metavar="KIND/SLUG")
@click.argument("text")
@PROJECT_OPTION
def correct_command(entry: str, text: str, project: Path) -> None:
    """Add a correction dated today to an entry (people/jordan-lee) or to the story (story).

    TEXT says what was wrong and what is right, in Markdown; it shows on the
    entry's page, on /corrections/ and in the feeds.
    """
    from explainer.editing import correct_entry

    click.echo(correct_entry(project, entry, text).report("this correction"))


@cli.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Start a new story project in FOLDER, with an example of each kind."""
    from explainer.scaffold import init_project

    init_project(folder)
    click.echo(
        f"started a story project in {display_path(folder)}; build it with: explainer build {shell_word(folder)}",
        err=True,
    )


def shell_word(path: Path) -> str:
    """The path as one shell word a reader can paste: quoted when needed, never read as an option."""
    text = str(path)
    return shlex.quote(f"./{text}" if text.startswith("-") else text)


# set once a build finished: a process that built leaves at once (see main); a flag, so tests that call the
# commands in process keep nothing of their builds
_finished = threading.Event()


def main() -> None:
    """Entry point: Click handles our errors; anything else is a bug, reported in one line.

    After a build that succeeded the process ends without Python's teardown, which freed the build's objects
    one by one (0.3-0.4 CPU seconds after a build of 2,000 entries, a quarter of a build after an edit): all
    it wrote is closed (files, Pagefind's service, rendering workers); what it printed is flushed first."""
    try:
        cli.main(prog_name="explainer", standalone_mode=True)
    except SystemExit as done:
        if _finished.is_set() and done.code in (0, None):
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except OSError:
                raise done from None
            os._exit(0)
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        click.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); this is a bug in explainer "
            f"{__version__}, please report it with the command you ran",
            err=True,
        )
        sys.exit(3)
