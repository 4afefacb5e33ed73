"""The ``course`` command: parse, call :mod:`course.api`, render. No logic, no TensorFlow."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from course import __version__
from course.cli_common import EXIT_ERROR, EXIT_FAILED, EXIT_PASSED, JsonAwareGroup, fail
from course.cli_common import run as _run


@click.group(cls=JsonAwareGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="course")
def main() -> None:
    """Auto-graded TensorFlow/Keras exercises: check your work, see your progress."""


@main.command("list")
def list_command() -> None:
    """List the weeks with their titles and points."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from course import api

    weeks = _run(api.list_weeks)
    table = Table("week", "title", "points")
    table.columns[0].no_wrap = True  # a week's name is what to type: never cut or folded
    for week in weeks:
        # The titles are reStructuredText: ``code`` reads as code, without its backticks.
        title = re.sub(r"``?([^`]+)``?", r"[bold]\1[/bold]", escape(week.title))
        table.add_row(week.stem, title, f"{week.max_points:g}")
    Console().print(table)
    click.echo("Start one with 'course start WEEK' (2, 02, week02 or a word of its title).")


@main.command("start")
@click.argument("week")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    show_default=True,
    help="Your workspace: the week's folder is made inside it.",
)
def start_command(week: str, directory: Path) -> None:
    """Copy WEEK's exercise (module and notebook) into DIR/WEEK to work on.

    Never overwrites a file: a week already started is left as it is.
    """
    from course import api
    from course.learner import start

    chosen = _run(lambda: api.layout().week(week))
    started = _run(start, week=chosen, directory=directory)
    click.echo(f"Started {chosen.stem} in {started.folder}:")
    click.echo(f"  {started.module}  (the module: edit it in any editor)")
    click.echo(f"  {started.notebook}  (the same exercise as a notebook, for JupyterLab)")
    where = "" if directory == Path(".") else f" --dir {directory}"
    click.echo(f"Check your work with: course check {chosen.number}{where}")


@main.command("check")
@click.argument("week")
@click.option(
    "--submission",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The file to grade, a module or a notebook (default: the week's file in your "
    "workspace, see --dir).",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Your workspace, made by 'course start' or 'course fetch' (default: the current "
    "folder, or the week's folder you are in).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document, nothing else.")
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed the checks draw their inputs from (default: a new one each time; the report "
    "says which, to reproduce a run).",
)
@click.option(
    "--html",
    "html_page",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the report as a feedback page (plots, your code with the failing lines "
    "marked) to this HTML file.",
)
def check_command(
    week: str,
    submission: Path | None,
    directory: Path | None,
    as_json: bool,
    seed: int | None,
    html_page: Path | None,
) -> None:
    """Grade your work on WEEK (2, 02, week02, week02_fashion_mnist or fashion).

    Grades the week's file in your workspace ('course start WEEK' makes one), or the file
    given with --submission. Exit code 0 when every check passed, 1 when some failed, 2
    for a usage or infrastructure error.
    """
    from course import api, learner
    from course.config import Week
    from course.grading.results import GradeReport
    from course.reports.terminal import summarize

    display = _Progress(enabled=not as_json and sys.stderr.isatty())
    fetched = learner.fetched_week(week, directory or Path.cwd())
    hidden: int | None = None
    following: Week | None = None
    if fetched is not None:
        # A class's week: its public checks only, even where the whole course is installed.
        note = None
        graders = fetched.checks
        submission = submission or _run(fetched.file)
        hidden = fetched.manifest.hidden_checks
        title = fetched.label
        with learner.scratch_folder() as scratch, display:
            graded = _run(
                learner.as_stem_module, path=submission, stem=fetched.stem, scratch=Path(scratch)
            )
            report: GradeReport = _run(
                api.check_public,
                checks=fetched.checks,
                week=fetched.label,
                submission=graded,
                seed=seed,
                on_event=display.handle,
                recorded_as=submission,
            )
            code = _graded_text(graded) if html_page is not None else ""
    else:
        layout = _run(api.layout)
        chosen = _run(layout.week, spec=week)
        graders, following = chosen.graders, layout.after(chosen)
        submission, note = learner.choose(chosen, submission=submission, directory=directory)
        title = chosen.title
        with learner.scratch_folder() as scratch:
            graded = _run(learner.as_module, path=submission, week=chosen, scratch=Path(scratch))
            with display:
                report = _run(
                    api.check,
                    week=chosen.stem,
                    submission=graded,
                    seed=seed,
                    on_event=display.handle,
                    recorded_as=submission,
                )
            code = _graded_text(graded) if html_page is not None else ""
    report = dataclasses.replace(report, submission=str(submission))
    feedback = summarize(report, graders=graders, next_week=following)
    if html_page is not None:
        _write_page(html_page, report, title=title, code=code, graders=graders)
    if as_json:
        document = feedback.document(report)
        if hidden is not None:
            document["hidden_checks"] = hidden
        click.echo(json.dumps(document, indent=2))
    else:
        if note is not None:
            click.secho(note, fg="yellow", err=True)
        click.echo(f"Graded {submission}")
        _print_report(report, feedback)
        if hidden:
            click.echo(f"{hidden} hidden checks run when your work is graded.")
    if report.has_internal_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_PASSED if report.all_passed else EXIT_FAILED)


def _graded_text(module: Path) -> str:
    """The graded module's text, for the page (empty when it cannot be read)."""
    try:
        return module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _write_page(page: Path, report: Any, *, title: str, code: str, graders: Path) -> None:
    """``course check --html``: the report as the feedback page a class's student gets."""
    import datetime as dt
    import getpass
    import hashlib

    from course.records import GradedSubmission
    from course.reports.feedback import render_html

    graded = GradedSubmission(
        student=getpass.getuser(),
        week=report.week,
        submitted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        source=Path(report.submission).name,
        submission_sha256=hashlib.sha256(code.encode("utf-8")).hexdigest(),
        grader_version="",
        report=report.to_dict(),
        seed=report.seed,
    )
    try:
        page.write_text(
            render_html(graded, title=title, reveal_hidden=True, code=code, graders=graders),
            encoding="utf-8",
        )
    except OSError as error:
        fail(
            f"cannot write the feedback page {page}: {error.strerror}; give --html a file in "
            "a folder that exists and that you can write to"
        )


@main.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document, nothing else.")
def progress_command(as_json: bool) -> None:
    """Show your best score so far on every week (stored on this machine): the file that
    earned it and when, how often you checked each file, and your total."""
    from course import api

    rows = _run(api.progress)
    total = sum(entry.best_score for _, entry in rows if entry)
    possible = sum(week.max_points for week, _ in rows)
    if as_json:
        document = {
            "weeks": [
                {
                    "week": week.stem,
                    "best_score": entry.best_score if entry else None,
                    "max_score": week.max_points,
                    "best_file": (entry.best_file or None) if entry else None,
                    "best_checked": (entry.best_checked or None) if entry else None,
                    "attempts": entry.attempts if entry else 0,
                    "files": entry.files if entry else {},
                    "last_checked": entry.last_checked if entry else None,
                }
                for week, entry in rows
            ],
            "total": total,
            "max_total": possible,
        }
        click.echo(json.dumps(document, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table("week", "best", "earned by", "on", "checks per file", show_lines=True)
    for week, entry in rows:
        if entry is None:
            table.add_row(week.stem, "-", "", "", "never checked")
            continue
        counts = (
            "\n".join(
                f"{count} x {escape(_short_path(path))}" for path, count in entry.files.items()
            )
            or f"{entry.attempts} (files not recorded)"
        )
        table.add_row(
            week.stem,
            f"{entry.best_score:g} / {week.max_points:g}",
            escape(_short_path(entry.best_file)) if entry.best_file else "",
            (entry.best_checked or entry.last_checked)[:16].replace("T", " "),
            counts,
        )
    console = Console()
    console.print(table)
    console.print(f"[bold]Total: {total:g} / {possible:g} points[/]")


def _short_path(path: str) -> str:
    """``path`` relative to the current folder when it is inside it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


@main.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document, nothing else.")
def doctor_command(as_json: bool) -> None:
    """Say which sandbox protections are active on this machine, and why any is not.

    Starts one sandbox and checks each protection from inside it. Exit code 0 when every
    protection is active, 1 when some is missing.
    """
    from course.sandbox.doctor import diagnose, diagnose_warm

    diagnosis = _run(diagnose)
    warm = _run(diagnose_warm) if diagnosis.launcher == "bubblewrap" else None
    if as_json:
        document = diagnosis.to_dict()
        document["warm"] = warm.to_dict() if warm is not None else None
        click.echo(json.dumps(document, indent=2))
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table("protection", "active", "detail", show_lines=True)
        for name, protection in diagnosis.protections.items():
            active = "[green]yes[/]" if protection.active else "[red]NO[/]"
            table.add_row(name, active, escape(protection.detail))
        console = Console()
        console.print(table)
        console.print(
            f"launcher: {diagnosis.launcher}; a sandbox started in {diagnosis.start_seconds:.2f} s"
        )
        if warm is None:
            console.print(
                "Warm workers: not available here (no zygote could fork a sandboxed worker); "
                "a class's batch starts every worker cold."
            )
        elif warm.missing:
            console.print(
                "Warm workers: [red]missing[/] "
                + "; ".join(
                    f"{name}: {escape(warm.protections[name].detail)}" for name in warm.missing
                )
            )
        else:
            console.print(
                f"Warm workers (a class's batch): every protection verified in a fork of the "
                f"zygote, started in {warm.start_seconds:.2f} s; "
                + escape(warm.protections["processes"].detail)
            )
        if diagnosis.missing:
            console.print(
                "Missing protections: "
                + ", ".join(diagnosis.missing)
                + ". Install bubblewrap (apt-get install bubblewrap) and run as root or with "
                "unprivileged user namespaces; 'course autograde' refuses to run without them "
                "unless given --allow-reduced-isolation."
            )
    sys.exit(EXIT_PASSED if not diagnosis.missing else EXIT_FAILED)


def _add_classroom_commands() -> None:
    from course.classroom.commands import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_add_classroom_commands()


def _print_report(report: Any, feedback: Any) -> None:
    from rich.console import Console

    from course.reports.terminal import render

    render(report, feedback, console=Console())


class _Progress:
    """A live progress bar over the checks, fed by the grading process's events."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("starting the grader", total=None)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def handle(self, event: dict[str, Any]) -> None:
        if self._progress is None:
            return
        kind = event.get("event")
        if kind == "collected":
            self._progress.update(self._task, total=len(event.get("checks", [])))
        elif kind == "started":
            self._progress.update(self._task, description=f"checking: {event.get('name')}")
        elif kind == "check":
            self._progress.advance(self._task)
