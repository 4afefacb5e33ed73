"""The ``course`` commands for a class on nbgrader: parse, call the core, render.

Instructor commands work on a course directory (``--course-dir``, ``$COURSE_DIR``, default:
the current folder); student commands on an exchange folder and a course id. None of them
imports nbgrader or TensorFlow until it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from course.cli_common import EXIT_PROBLEMS
from course.cli_common import run as _run

course_dir_option = click.option(
    "--course-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="COURSE_DIR",
    default=".",
    show_default="current folder, or $COURSE_DIR",
    help="The course directory (made by 'course init').",
)


def _student_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--exchange",
                type=click.Path(path_type=Path, file_okay=False),
                envvar="COURSE_EXCHANGE",
                required=True,
                help="The exchange folder your instructor gave you ($COURSE_EXCHANGE).",
            ),
            click.option(
                "--course",
                "course_id",
                envvar="COURSE_ID",
                required=True,
                help="The course id ($COURSE_ID).",
            ),
            click.option(
                "--student", default="", help="Your student id (default: your login name)."
            ),
            click.option(
                "--dir",
                "directory",
                type=click.Path(path_type=Path, file_okay=False),
                default=".",
                show_default=True,
                help="Where your week folders are.",
            ),
        ]
    ):
        function = option(function)
    return function


def _show_nbgrader_messages() -> None:
    """nbgrader's warnings (missing notebooks, ownership) reach the user, marked as its own."""
    import logging

    logger = logging.getLogger("course.nbgrader")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("nbgrader: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def _settings(course_dir: Path) -> Any:
    from course.classroom.settings import CourseSettings

    return _run(CourseSettings.load, root=course_dir)


def _week(spec: str) -> Any:
    from course import api

    return _run(lambda: api.layout().week(spec))


def _week_id(spec: str) -> str:
    """A student's week: resolved through the installed course when possible."""
    from course.config import CourseError

    try:
        from course import api

        return api.layout().week(spec).stem
    except CourseError:
        return spec


@click.command("generate")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a stub is out of date.")
@click.option(
    "--force",
    is_flag=True,
    help="Also rewrite stubs edited since they were generated (their edits are lost).",
)
def generate_command(check: bool, force: bool) -> None:
    """For course authors: make every stub in assignments/ from its solution with
    nbgrader's clearing. A stub somebody edited is left alone unless --force."""
    from course import api
    from course.classroom.generate import generate

    statuses = _run(generate, weeks=_run(api.list_weeks), check=check, force=force)
    stale = [status.week for status in statuses if not status.up_to_date]
    edited = [status.week for status in statuses if status.edited]
    for status in statuses:
        if status.up_to_date:
            state = "up to date"
        elif check:
            state = "OUT OF DATE" + (" (edited by hand)" if status.edited else "")
        else:
            state = "EDITED, left alone" if status.edited else "written"
        click.echo(f"{status.week.assignment}: {state}")
    if edited and not check:
        click.echo(
            "Stubs edited since they were generated were not rewritten: if that is your "
            "work, copy it out first ('course start WEEK' makes a workspace of your own); "
            "'course generate --force' rewrites them.",
            err=True,
        )
        sys.exit(EXIT_PROBLEMS)
    if check and stale:
        click.echo("Run 'course generate' to rewrite the stubs from their solutions.", err=True)
        sys.exit(EXIT_PROBLEMS)


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--course-id", required=True, help="nbgrader's course id, e.g. tf101.")
@click.option(
    "--database",
    default="sqlite:///gradebook.db",
    show_default=True,
    help="The gradebook: an SQLAlchemy URL (postgresql+psycopg://user:pw@host/db).",
)
@click.option(
    "--exchange",
    default="exchange",
    show_default=True,
    help="nbgrader's exchange folder, shared with students (relative: inside DIRECTORY).",
)
def init_command(directory: Path, course_id: str, database: str, exchange: str) -> None:
    """Create a course directory: course.toml, nbgrader_config.py, gradebook, exchange."""
    from course.classroom.workflow import init

    settings = _run(init, root=directory, course_id=course_id, database=database, exchange=exchange)
    click.echo(f"Course {settings.course_id} in {settings.root}")
    click.echo(f"  settings: {settings.settings_file} (deadlines, late policy)")
    click.echo(f"  exchange: {settings.exchange} (give students this path)")


@click.command("release")
@click.argument("week")
@course_dir_option
def release_command(week: str, course_dir: Path) -> None:
    """Release WEEK: stub module and notebook to students, its checks to the gradebook."""
    from course.classroom.workflow import release

    settings, chosen = _settings(course_dir), _week(week)
    click.echo(
        f"Releasing {chosen.stem}: grading its stub in the sandbox first (every check must "
        "run and fail there)...",
        err=True,
    )
    released = _run(release, settings=settings, week=chosen)
    click.echo(
        f"Released {released.week} ({released.checks} checks, {released.max_points:g} points): "
        + ", ".join(path.name + ("/" if path.is_dir() else "") for path in released.files)
    )
    click.echo(
        f"Students can run its {released.public_checks} public checks with 'course check'; "
        f"{released.hidden_checks} hidden checks run only when their work is graded."
    )
    deadline = settings.policy.deadlines.get(chosen.stem)
    if deadline is not None and deadline <= dt.datetime.now(dt.UTC):
        click.secho(
            f"Warning: the deadline of {chosen.stem} ({deadline.isoformat()}) has passed: "
            "every submission will be late. Change it under [deadlines] in course.toml and "
            "release again.",
            fg="yellow",
            err=True,
        )


@click.command("extensions")
@course_dir_option
def extensions_command(course_dir: Path) -> None:
    """Send each student their extensions from course.toml, privately.

    Every student who has fetched or submitted since the week's release gets a notice only
    they can find in the exchange: 'course fetch' then prints their own deadline and
    'course submit' warns by it. 'course release' and each round of 'course serve' send
    them too; run this after editing [extensions] when neither is running.
    """
    from course.classroom.notices import publish

    settings = _settings(course_dir)
    extensions = settings.policy.extensions
    for student, weeks in sorted(extensions.items()):
        for week, days in sorted(weeks.items()):
            due = settings.policy.due(week, student)
            until = f", due {due.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if due else ""
            click.echo(f"{student}: {week} +{days:g} day(s){until}")
    if not extensions:
        click.echo(f"No extensions in {settings.settings_file}.")
    published = _run(
        publish, exchange=settings.exchange, course_id=settings.course_id, extensions=extensions
    )
    click.echo(f"Sent {len(published.sent)} student(s) their own notice.")
    if published.waiting:
        click.echo(
            f"Not yet reachable: {', '.join(published.waiting)}. Theirs is sent on the first "
            "'course extensions', 'course release' or 'course serve' round after their next "
            "'course fetch' or 'course submit'; until then their warnings say an extension "
            "would still apply."
        )


@click.command("collect")
@click.argument("week")
@click.option("--student", default="", help="Collect one student only.")
@course_dir_option
def collect_command(week: str, student: str, course_dir: Path) -> None:
    """Collect the latest submissions of WEEK from the exchange into submitted/."""
    from course.classroom.workflow import collect

    students = _run(collect, settings=_settings(course_dir), week=_week(week), student=student)
    click.echo(f"Collected {len(students)} submission(s): {', '.join(students) or 'none'}")


@click.command("autograde")
@click.argument("week")
@click.option("--student", default="", help="Grade one student only.")
@click.option("--force", is_flag=True, help="Grade again even when nothing changed.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once (default: from the cores and memory, printed at start).",
)
@click.option(
    "--events",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Append the batch's progress to this file as JSON lines (for wrappers).",
)
@click.option(
    "--scheduler",
    default="",
    metavar="tcp://HOST:PORT",
    help="Grade on the Dask cluster of this scheduler (workers: 'dask worker ADDRESS "
    "--nthreads 1', each with the course installed); results come back here.",
)
@click.option(
    "--allow-reduced-isolation",
    is_flag=True,
    help="Grade even where a sandbox protection is missing ('course doctor'); the results "
    "and exports record what was missing.",
)
@course_dir_option
def autograde_command(
    week: str,
    student: str,
    force: bool,
    jobs: int | None,
    events: Path | None,
    scheduler: str,
    allow_reduced_isolation: bool,
    course_dir: Path,
) -> None:
    """Grade the collected submissions of WEEK into nbgrader's gradebook.

    Every submission runs in the sandbox; the week's reference solution is graded first and
    must score full marks (the canary), or nothing is graded. Identical files are graded
    once. Each result is recorded as its grading ends, so a batch stopped half-way and run
    again grades only the rest. Exit code 0 when every submission was graded, 1 when some
    were refused, failed or tampered with the grader.
    """
    from course.classroom.progress import BatchDisplay, default_jobs, open_events
    from course.classroom.workflow import autograde

    if jobs is None and not scheduler:
        jobs, why = default_jobs()
        click.echo(f"Grading with --jobs {jobs} ({why}).", err=True)
    events_file = open_events(events)
    try:
        with BatchDisplay(sys.stderr, events=events_file) as display:
            outcomes = _run(
                autograde,
                settings=_settings(course_dir),
                week=_week(week),
                student=student,
                force=force,
                jobs=jobs or 1,
                scheduler=scheduler,
                allow_reduced_isolation=allow_reduced_isolation,
                on_event=display.event,
            )
    finally:
        if events_file is not None:
            events_file.close()
    for outcome in outcomes:
        points = f"{outcome.score - outcome.penalty:g} / {outcome.max_score:g}"
        late = f" (late: -{outcome.penalty:g})" if outcome.penalty else ""
        detail = f": {outcome.message}" if outcome.message else ""
        if outcome.status == "failed":
            click.echo(f"{outcome.student}: FAILED{detail}")
        else:
            click.echo(f"{outcome.student}: {outcome.status}, {points}{late}{detail}")
    if not outcomes:
        click.echo("No collected submissions: run 'course collect WEEK' first.")
    if any(outcome.status in ("refused", "failed") or outcome.integrity for outcome in outcomes):
        sys.exit(EXIT_PROBLEMS)


@click.command("serve")
@click.argument("weeks", nargs=-1)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=10.0,
    show_default=True,
    help="Seconds between two looks at the exchange.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once (default: from the cores and memory).",
)
@click.option("--rounds", type=click.IntRange(min=0), default=0, help="Stop after N rounds.")
@course_dir_option
def serve_command(
    weeks: tuple[str, ...], interval: float, jobs: int | None, rounds: int, course_dir: Path
) -> None:
    """Grade each submission as it arrives and release its feedback (Ctrl-C stops).

    Every INTERVAL seconds, for each released week (or the WEEKS named): collect the new
    submissions (within the daily limit), grade the changed ones and release their
    feedback. Students wait for theirs with 'course submit --wait'. Stopped and started
    again, it grades nothing twice and releases what was left.
    """
    from course import api
    from course.classroom.progress import default_jobs
    from course.classroom.service import Round, serve

    settings = _settings(course_dir)
    chosen = [_week(spec) for spec in weeks] or list(_run(api.layout).weeks)
    if jobs is None:
        jobs, why = default_jobs()
        click.echo(f"Grading with --jobs {jobs} ({why}).", err=True)
    names = ", ".join(week.stem for week in chosen) if weeks else "every released week"
    click.echo(f"Serving {names} every {interval:g} s; Ctrl-C stops.", err=True)

    def report(done: list[Round]) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        for item in done:
            if item.skipped:
                click.echo(f"{stamp} {item.week}: skipped: {item.skipped}", err=True)
            for outcome in item.graded:
                shown = "FAILED" if outcome.status == "failed" else outcome.status
                points = f"{outcome.score - outcome.penalty:g} / {outcome.max_score:g}"
                detail = f": {outcome.message}" if outcome.message else ""
                click.echo(f"{stamp} {item.week} {outcome.student}: {shown}, {points}{detail}")
            if item.released:
                click.echo(f"{stamp} {item.week}: feedback released to {', '.join(item.released)}")

    try:
        _run(
            serve,
            settings=settings,
            weeks=chosen,
            interval=interval,
            jobs=jobs,
            rounds=rounds,
            on_round=report,
        )
    except KeyboardInterrupt:
        click.echo("Stopped; 'course serve' again goes on where this left off.", err=True)


@click.command("feedback")
@click.argument("week")
@click.option("--student", default="", help="One student only.")
@course_dir_option
def feedback_command(week: str, student: str, course_dir: Path) -> None:
    """Write each student's feedback page for WEEK and release it through nbgrader."""
    from course.classroom.workflow import feedback

    written = _run(feedback, settings=_settings(course_dir), week=_week(week), student=student)
    for item in written:
        click.echo(f"{item.student}: {item.path}")


@click.command("export")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the CSV files and Gradescope results (default: exports/ in the course).",
)
@click.option(
    "--canvas-assignment",
    "canvas_assignments",
    multiple=True,
    metavar="WEEK=ID",
    help="The Canvas assignment id of a week (repeatable): canvas.csv then fills that "
    "assignment instead of one named by the week's title.",
)
@course_dir_option
def export_command(
    output: Path | None, canvas_assignments: tuple[str, ...], course_dir: Path
) -> None:
    """Export grades: a CSV per week (a column per check, by name), a summary page per week,
    statistics.csv, grades.csv, canvas.csv, moodle.csv and Gradescope JSON."""
    from course import api
    from course.classroom.workflow import export

    canvas_ids = {}
    for pair in canvas_assignments:
        spec, _, assignment = pair.partition("=")
        if not assignment.strip().isdigit():
            raise click.BadParameter(
                f"{pair!r} should be WEEK=ID with the number Canvas shows in the "
                "assignment's address (.../assignments/ID), e.g. 2=1234",
                param_hint="--canvas-assignment",
            )
        canvas_ids[_week(spec.strip()).stem] = assignment.strip()
    settings = _settings(course_dir)
    written = _run(
        export,
        settings=settings,
        weeks=_run(api.list_weeks),
        output=output or settings.root / "exports",
        canvas_ids=canvas_ids,
        on_warning=lambda text: click.echo(f"warning: {text}", err=True),
    )
    for path in written:
        if path.name != "results.json":
            click.echo(str(path))
    gradescope = sum(1 for path in written if path.name == "results.json")
    click.echo(f"and {gradescope} Gradescope results.json file(s)")


@click.command("import-zip")
@click.argument("week")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--names",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV of 'name,student_id': the LMS's names at the start of file names -> ids.",
)
@click.option(
    "--submitted-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d"]),
    help="When they were submitted (default: each file's time in the zip, as UTC).",
)
@course_dir_option
def import_zip_command(
    week: str,
    archive: Path,
    names: Path | None,
    submitted_at: dt.datetime | None,
    course_dir: Path,
) -> None:
    """Import WEEK's submissions from an LMS zip (one file per student) into submitted/."""
    from course.classroom.workflow import import_zip, read_names

    moment = None
    if submitted_at is not None:
        moment = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=dt.UTC)
    imported, problems = _run(
        import_zip,
        settings=_settings(course_dir),
        week=_week(week),
        archive=archive,
        names=_run(read_names, path=names) if names else None,
        submitted_at=moment,
    )
    for item in imported:
        click.echo(f"{item.student}: {item.path.name}")
    for problem in problems:
        click.echo(f"skipped {problem.file}: {problem.problem}", err=True)
    click.echo(f"Imported {len(imported)} submission(s); then run 'course autograde {week}'.")
    if problems:
        sys.exit(EXIT_PROBLEMS)


@click.command("fetch")
@click.argument("week")
@_student_options
def fetch_command(week: str, **options: Any) -> None:
    """Fetch a released WEEK from your course's exchange into DIR/WEEK."""
    week_id, workspace = _week_id(week), _workspace(**options)
    folder = _run(workspace.fetch, week=week_id)
    click.echo(f"Fetched into {folder}")
    module, notebook = folder / f"{week_id}.py", folder / f"{week_id}.ipynb"
    files = " or ".join(str(path) for path in (module, notebook) if path.is_file())
    if files:
        click.echo(f"Edit {files}.")
    policy = _run(workspace.policy, week=week_id)
    for line in policy.describe() if policy is not None else []:
        click.echo(line)
    click.echo(f"Hand it in with 'course submit {week}'.")


@click.command("submit")
@click.argument("week")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the feedback (your course runs 'course serve') and print the score.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=900.0,
    show_default=True,
    help="Seconds to wait with --wait.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Submit even code that does not parse (it scores nothing).",
)
@_student_options
def submit_command(week: str, wait: bool, timeout: float, force: bool, **options: Any) -> None:
    """Submit DIR/WEEK (its .py module or .ipynb notebook) to your course's exchange."""
    workspace = _workspace(**options)
    week_id = _week_id(week)
    receipt = _run(workspace.submit, week=week_id, force=force)
    click.echo(f"Submitted {week_id} at {receipt.timestamp}")
    for warning in receipt.warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    if not wait:
        return
    click.echo("Waiting for your feedback (Ctrl-C stops waiting; the submission stays)...")
    summary = _run(workspace.wait_for_feedback, week=week_id, receipt=receipt, timeout=timeout)
    if summary is None:
        click.echo(
            f"No feedback within {timeout:g} s: your course may grade later. "
            f"'course fetch-feedback {week_id}' gets it once it is released."
        )
        sys.exit(EXIT_PROBLEMS)
    _show_summary(summary)


def _show_summary(summary: dict[str, Any]) -> None:
    """A feedback page's summary: the score, then each check that lost points."""
    score, total = summary["score"], summary["max_score"]
    late = f" ({summary['penalty']:g} off for lateness)" if summary.get("penalty") else ""
    if summary.get("refused"):
        click.echo(f"Not graded: {summary['refused']}")
    hidden = 0
    for check in summary["checks"]:
        if check["message"] is None:
            hidden += 1
            continue
        if check["status"] != "passed":
            points = f"{check['points']:g}/{check['max_points']:g}"
            click.echo(f"  {check['status'].upper()} {check['name']} ({points})")
            for line in str(check["message"]).splitlines()[:6]:
                click.echo(f"      {line}")
    if hidden:
        click.echo(f"  {hidden} hidden check(s): their messages are shown after the due date.")
    click.echo(f"Score: {score:g} / {total:g}{late}")


@click.command("fetch-feedback")
@click.argument("week")
@_student_options
def fetch_feedback_command(week: str, **options: Any) -> None:
    """Fetch your released feedback on WEEK into DIR/WEEK/feedback/ and print the score.

    Only your own submissions' pages are fetched (those your submission cache remembers);
    the newest is copied to DIR/WEEK/feedback/latest.html.
    """
    week_id = _week_id(week)
    feedback = _run(_workspace(**options).fetch_feedback, week=week_id)
    if feedback.latest is None:
        click.echo("No feedback released for you yet.")
        return
    click.echo(f"Fetched {len(feedback.pages)} feedback page(s) into {feedback.latest.parent}")
    click.echo(f"Latest, on your submission of {feedback.latest_timestamp}: {feedback.latest}")
    if feedback.summary is None:
        click.echo("Its score is not in a form this version reads: open the page to see it.")
    else:
        _show_summary(feedback.summary)
    for timestamp in feedback.pending:
        click.echo(f"Your submission of {timestamp} has no feedback yet.")


def _workspace(*, exchange: Path, course_id: str, student: str, directory: Path) -> Any:
    from course.classroom.student import Workspace

    return Workspace(
        exchange=exchange,
        course_id=course_id,
        directory=directory,
        student=student,
        cache=_cache(),
    )


def _cache() -> Path | None:
    """nbgrader's submission cache: ``$COURSE_SUBMIT_CACHE`` or nbgrader's default."""
    configured = os.environ.get("COURSE_SUBMIT_CACHE")
    return Path(configured) if configured else None


_show_nbgrader_messages()


@click.group("roster")
def roster_group() -> None:
    """The class's students: ids, names and emails in the gradebook."""


@roster_group.command("import")
@click.argument("csv_file", type=click.Path(path_type=Path, dir_okay=False))
@course_dir_option
def roster_import_command(csv_file: Path, course_dir: Path) -> None:
    """Add or update the students of CSV_FILE (columns id, first_name, last_name, email) in
    nbgrader's student table; nothing is imported if a row is wrong."""
    from course.classroom.roster import read_roster
    from course.nbgrader import gradebook

    settings = _settings(course_dir)
    students = _run(read_roster, path=csv_file)
    added, updated = _run(
        gradebook.import_students,
        url=settings.database_url,
        course_id=settings.course_id,
        students=[(s.id, s.first_name, s.last_name, s.email) for s in students],
    )
    click.echo(
        f"Imported {len(students)} students from {csv_file}: {added} new, {updated} updated."
    )


@click.command("gradescope")
@click.argument("week")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The zip to write (default: <week>-gradescope.zip here).",
)
@click.option(
    "--allow-reduced-isolation",
    is_flag=True,
    help="Grade even where Gradescope's container cannot start the sandbox.",
)
def gradescope_command(week: str, output: Path | None, allow_reduced_isolation: bool) -> None:
    """Build WEEK's Gradescope autograder zip (setup.sh, run_autograder, the graders)."""
    from course import api
    from course.classroom.gradescope import build_bundle, describe

    layout = _run(api.layout)
    chosen = _run(layout.week, spec=week)
    bundle = _run(
        build_bundle,
        week=chosen,
        root=layout.root,
        output=output or Path(f"{chosen.stem}-gradescope.zip"),
        allow_reduced_isolation=allow_reduced_isolation,
    )
    click.echo("\n".join(describe(bundle)))


COMMANDS = (
    generate_command,
    roster_group,
    init_command,
    release_command,
    extensions_command,
    collect_command,
    autograde_command,
    serve_command,
    feedback_command,
    export_command,
    gradescope_command,
    import_zip_command,
    fetch_command,
    submit_command,
    fetch_feedback_command,
)
