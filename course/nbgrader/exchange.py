"""Moving files through nbgrader's exchange: release, fetch, submit, collect, feedback.

Each function configures nbgrader's default (file-system) exchange for one course and runs
one of its transfer classes, exactly as the ``nbgrader`` command would. Students and
instructors share the exchange folder (``[course] exchange`` in ``course.toml``); student
side functions take it as an argument because students have no course directory.

A student's fetch and submit are done by :mod:`course.nbgrader.plain_exchange` (nbgrader's
same copies, without its seconds of imports) whenever nbgrader would succeed; nbgrader's
own classes run otherwise, so that its refusals are worded as ever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import glob
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from course.config import ClassroomError
from course.nbgrader import plain_exchange
from course.nbgrader.timestamps import parse_timestamp, read_timestamp

log = logging.getLogger("course.nbgrader")


@dataclass(frozen=True)
class Place:
    """Where one transfer happens: the exchange, the course, the week, whose, and from where."""

    exchange: Path
    course_id: str
    week: str
    student: str = ""
    #: The student's folder holding ``<week>/`` (fetch writes there, submit reads there).
    assignment_dir: Path | None = None
    #: The student's submission cache (nbgrader's default: the Jupyter data folder).
    cache: Path | None = None
    course_root: Path | None = None
    database_url: str = ""
    timezone: str = "UTC"


def release(place: Place) -> None:
    """Copy ``release/<week>/`` of the course directory to the exchange's outbound."""
    from nbgrader.exchange.default import ExchangeReleaseAssignment

    place.exchange.mkdir(parents=True, exist_ok=True)
    _run(ExchangeReleaseAssignment, place, force=True)


def fetch(place: Place) -> Path:
    """Copy the released week into ``assignment_dir/<week>``; returns that folder."""
    with _quiet_umask():
        done = plain_exchange.fetch(place)
    if not done:
        from nbgrader.exchange.default import ExchangeFetchAssignment

        _run(ExchangeFetchAssignment, place, replace_missing_files=True)
    assert place.assignment_dir is not None
    return place.assignment_dir / place.week


@dataclass(frozen=True)
class Submitted:
    """A submission handed in, with what the student's cache remembers of earlier ones."""

    #: nbgrader's timestamp of this submission, as nbgrader writes it.
    timestamp: str
    #: When it was handed in (UTC).
    moment: dt.datetime
    #: Every submission of this week by this student in the local cache (UTC), this one too.
    history: tuple[dt.datetime, ...]


def submit(place: Place) -> Submitted:
    """Hand in ``assignment_dir/<week>``."""
    with _quiet_umask():
        handed = plain_exchange.submit(place)
    if handed is None:
        from nbgrader.exchange.default import ExchangeSubmit

        app = _run(ExchangeSubmit, place)
        handed = plain_exchange.Handed(
            str(app.timestamp), app.coursedir.student_id, Path(app.cache_path)
        )
    prefix = f"{handed.student}+{place.week}+"
    cached = handed.cache_path.glob(f"*+{glob.escape(place.week)}+*")
    # An unreadable cache entry costs the warning its count, never the submission.
    times = (read_timestamp(entry) for entry in cached if entry.name.startswith(prefix))
    history = tuple(sorted(t for t in times if t is not None))
    moment = parse_timestamp(handed.timestamp) or dt.datetime.now(dt.UTC)
    return Submitted(handed.timestamp, moment, history)


def collect(place: Place, *, per_day_limit: int = 0) -> list[str]:
    """Copy each student's latest submission to ``submitted/<student>/<week>``.

    With ``per_day_limit`` > 0, only the first that many submissions of each student on
    each (UTC) day count: later ones that day are ignored, and the latest counting one is
    collected. Returns the students collected.
    """
    from nbgrader.exchange.default import ExchangeCollect

    class LimitedCollect(ExchangeCollect):  # type: ignore[misc]
        def init_src(self) -> None:
            super().init_src()
            if per_day_limit > 0:
                self.src_records = _limit_per_day(self, per_day_limit)

    check = _owners_tell_students_apart(place)
    app = _run(LimitedCollect, place, update=True, check_owner=check)
    return sorted(record["username"] for record in app.src_records)


def _owners_tell_students_apart(place: Place) -> bool:
    """Whether nbgrader's owner check means anything for this week's inbound submissions.

    It warns ("cheating attempt?") about each submission whose files belong to another
    account than the student id it claims. Where every submission belongs to the account
    collecting them (one machine for the whole class, an LMS import, a service writing the
    exchange) it would warn about every student and tell nothing, so it is skipped; where
    students submit from accounts of their own, it runs and flags one that claims another's
    id.
    """
    inbound = place.exchange / place.course_id / "inbound"
    owners = set()
    with contextlib.suppress(OSError):
        for folder in inbound.glob(f"*+{place.week}+*"):
            owners.add(folder.stat().st_uid)
    return not owners <= {os.getuid(), 0}


def _limit_per_day(app: Any, limit: int) -> list[dict[str, Any]]:
    pattern = f"{app.coursedir.student_id or '*'}+{app.coursedir.assignment_id}+*"
    records = [app._path_to_record(str(p)) for p in Path(app.inbound_path).glob(pattern)]
    by_student: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_student[record["username"]].append(record)
    chosen = []
    for student, items in sorted(by_student.items()):
        counted: dict[dt.date, int] = defaultdict(int)
        allowed = []
        for record in sorted(items, key=lambda item: item["timestamp"]):
            day = record["timestamp"].date()
            counted[day] += 1
            if counted[day] <= limit:
                allowed.append(record)
            else:
                log.warning(
                    "%s: submission %s is over the limit of %d a day and is not collected",
                    student,
                    record["timestamp"],
                    limit,
                )
        if allowed:
            chosen.append(allowed[-1])
    return chosen


def release_feedback(place: Place) -> None:
    """Publish ``feedback/<student>/<week>/*.html`` through the exchange."""
    from nbgrader.exchange.default import ExchangeReleaseFeedback

    _run(ExchangeReleaseFeedback, place)


@dataclass(frozen=True)
class FeedbackPage:
    """A released feedback page, copied to the student's folder."""

    #: nbgrader's timestamp of the submission it grades (the name of the page's folder).
    timestamp: str
    path: Path


@dataclass(frozen=True)
class FetchedFeedback:
    """What a fetch of feedback found for one student and week."""

    #: The pages copied, the oldest submission's first.
    pages: tuple[FeedbackPage, ...]
    #: nbgrader's timestamps of the student's submissions in their cache, oldest first.
    submissions: tuple[str, ...]


def fetch_feedback(place: Place) -> FetchedFeedback:
    """Copy the released pages of the student's own submissions to
    ``assignment_dir/<week>/feedback/<timestamp>/<notebook>.html`` (nbgrader's layout).

    nbgrader's fetch looks for feedback on every submission of the week in the cache,
    whoever made it: on a Unix account that students share, on everyone's. So it runs here on
    a view of the cache that holds only this student's submissions (links to them) and finds
    only their pages. The feedback of a submitted module (no notebook in the submission) is
    found here with nbgrader's key, the submission's secret and the week's name.
    """
    from nbgrader.exchange.default import ExchangeFetchFeedback

    assert place.assignment_dir is not None
    student = place.student or getpass.getuser()  # nbgrader's default id: the login name
    cache = Path(plain_exchange.cache_root(place), place.course_id)
    own = _own_submissions(cache, student, place.week)
    with tempfile.TemporaryDirectory(prefix="course-feedback-") as view:
        _link_submissions(own, Path(view, place.course_id))
        app = _run(ExchangeFetchFeedback, replace(place, student=student, cache=Path(view)))
    target = place.assignment_dir / place.week / "feedback"
    pages = {
        FeedbackPage(stamp, target / stamp / f"{notebook}.html")
        for notebook, stamp, _ in app.feedback_files
    }
    found = {(notebook, stamp) for notebook, stamp, _ in app.feedback_files}
    for submission in own:
        secret_file = submission / "submission_secret.txt"
        stamp = submission.name.split("+")[2]
        if not secret_file.is_file() or (place.week, stamp) in found:
            continue
        key = notebook_hash(secret_file.read_text(encoding="utf-8"), place.week)
        page = Path(app.src_path) / f"{key}.html"
        if page.is_file():
            (target / stamp).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target / stamp / f"{place.week}.html")
            pages.add(FeedbackPage(stamp, target / stamp / f"{place.week}.html"))
    stamps = [submission.name.split("+")[2] for submission in own]
    return FetchedFeedback(
        pages=tuple(sorted(pages, key=lambda page: (_moment(page.timestamp), page.path))),
        submissions=tuple(sorted(stamps, key=_moment)),
    )


def _own_submissions(cache: Path, student: str, week: str) -> list[Path]:
    """The student's submissions of ``week`` in the cache folder of their course: the
    folders nbgrader names ``<student>+<week>+<timestamp>``."""
    if not cache.is_dir():
        return []
    prefix = f"{student}+{week}+"
    return sorted(
        entry
        for entry in cache.iterdir()
        if entry.name.startswith(prefix) and entry.name.count("+") == 2 and entry.is_dir()
    )


def _link_submissions(submissions: list[Path], view: Path) -> None:
    """Make ``view`` a cache folder holding ``submissions``: links, or copies where links
    cannot be made."""
    view.mkdir(parents=True)
    for submission in submissions:
        try:
            (view / submission.name).symlink_to(submission.resolve(), target_is_directory=True)
        except OSError:
            shutil.copytree(submission, view / submission.name)


def _moment(timestamp: str) -> tuple[dt.datetime, str]:
    """A key ordering nbgrader's timestamps in time (an unreadable one first)."""
    return (parse_timestamp(timestamp) or dt.datetime.min.replace(tzinfo=dt.UTC), timestamp)


def notebook_hash(secret: str, notebook_id: str) -> str:
    """nbgrader's key for one notebook's feedback in the exchange."""
    from nbgrader.utils import notebook_hash as nbgrader_hash

    return str(nbgrader_hash(secret=secret, notebook_id=notebook_id))


def _run(kind: Any, place: Place, **options: Any) -> Any:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(place.exchange)
    config.Exchange.timezone = place.timezone
    if place.assignment_dir is not None:
        config.Exchange.assignment_dir = str(place.assignment_dir)
    if place.cache is not None:
        config.Exchange.cache = str(place.cache)
    config.CourseDirectory.course_id = place.course_id
    if place.course_root is not None:
        config.CourseDirectory.root = str(place.course_root)
    if place.database_url:
        config.CourseDirectory.db_url = place.database_url
    for name, value in options.items():
        setattr(config[kind.__name__], name, value)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = place.week
    coursedir.student_id = place.student or "*"
    app = kind(
        coursedir=coursedir, authenticator=Authenticator(config=config), config=config, log=log
    )
    for name, value in options.items():
        setattr(app, name, value)
    with _quiet_umask():
        try:
            app.start()
        except ExchangeError as error:
            raise ClassroomError(f"nbgrader exchange: {error}") from error
    return app


@contextmanager
def _quiet_umask() -> Iterator[None]:
    """nbgrader sets permissions explicitly; keep a restrictive umask from fighting it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
