"""The student's side of a course on nbgrader: fetch a week, submit it, fetch feedback.

Students have no course directory: they name the course and the exchange folder their
instructor gave them (options or ``$COURSE_ID`` and ``$COURSE_EXCHANGE``). Their student id
is their login name unless given.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course.classroom.intake import SubmissionRefused, prepare
from course.classroom.settings import POLICY_FILE, ClassroomError, WeekPolicy

if TYPE_CHECKING:
    from course.nbgrader.exchange import Place


@dataclass(frozen=True)
class Receipt:
    """What ``course submit`` tells the student."""

    timestamp: str
    #: Sentences about this submission: over the daily limit, late.
    warnings: tuple[str, ...] = ()


def released_policy(folder: Path) -> WeekPolicy | None:
    """The week's rules as released with it; None when absent or unreadable (no warnings)."""
    try:
        return WeekPolicy.from_json((folder / POLICY_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


#: The copy of the newest submission's page in ``<week>/feedback/``.
LATEST_PAGE = "latest.html"


@dataclass(frozen=True)
class Feedback:
    """What ``course fetch-feedback`` found: the student's pages and the newest one."""

    #: The pages copied (``<week>/feedback/<timestamp>/<name>.html``), oldest first.
    pages: tuple[Path, ...]
    #: ``<week>/feedback/latest.html``, the newest page's copy; ``None`` without pages.
    latest: Path | None = None
    #: nbgrader's timestamp of the submission that page grades.
    latest_timestamp: str = ""
    #: That page's summary (:func:`course.reports.feedback.read_summary`); ``None`` when it
    #: has none.
    summary: dict[str, Any] | None = None
    #: Submissions made after it (all of them without pages), not graded or not released yet.
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """One student's view of one course: the exchange, who they are, where they work."""

    exchange: Path
    course_id: str
    #: The folder holding the week folders (``<directory>/<week>/``).
    directory: Path
    #: Empty: the login name.
    student: str = ""
    #: nbgrader's submission cache; ``None``: nbgrader's default (the Jupyter data folder).
    cache: Path | None = None

    @property
    def student_id(self) -> str:
        return self.student or getpass.getuser()

    def fetch(self, week: str) -> Path:
        """Copy the released ``week`` into ``directory/<week>``; returns that folder."""
        from course.nbgrader import exchange

        return exchange.fetch(self._place(week))

    def policy(self, week: str) -> WeekPolicy | None:
        """The rules of the fetched ``week`` for this student: the released ones, with the
        deadline moved by their extension once the instructor's notice has reached them
        (:mod:`course.classroom.notices`). Leaves their address for the next notice."""
        from course.classroom import notices

        policy = released_policy(self.directory / week)
        cache = self._course_cache(week)
        with contextlib.suppress(OSError):  # a cache that cannot be written: keep the hedge
            notices.register(self.exchange, self.course_id, self.student_id, cache)
        extensions = notices.extensions_for(self.exchange, self.course_id, self.student_id, cache)
        if policy is None or extensions is None:
            return policy
        return policy.extended(extensions.get(week, 0.0))

    def submit(self, week: str, *, force: bool = False) -> Receipt:
        """Hand in ``directory/<week>`` after checking it holds a gradable file.

        A folder without the week's file, or with an empty, non-UTF-8 or broken file, is
        refused here, before anything reaches the exchange; so is code that does not parse
        (it would score nothing), unless ``force``. The receipt warns when the week's
        released rules (its ``course-policy.json``) say this submission will not be collected
        or will lose points for lateness.
        """
        from course.nbgrader import exchange

        folder = self.directory / week
        if not folder.is_dir():
            raise ClassroomError(
                f"not submitted: there is no folder {folder}; fetch the week first "
                "('course fetch'), or pass --dir with the folder that holds it"
            )
        try:
            prepared = prepare(folder, week=week, student=self.student_id)
        except SubmissionRefused as refusal:
            raise ClassroomError(f"not submitted: {refusal.problem}") from refusal
        if not force:
            _refuse_unparsable(prepared.source, prepared.module)
        handed = exchange.submit(self._place(week))
        policy = self.policy(week)
        warnings = () if policy is None else tuple(policy.warnings(handed.moment, handed.history))
        return Receipt(handed.timestamp, warnings)

    def fetch_feedback(self, week: str) -> Feedback:
        """Copy the released pages of this student's own submissions into
        ``directory/<week>/feedback/<timestamp>/`` and the newest submission's page to
        ``directory/<week>/feedback/latest.html``."""
        from course.nbgrader import exchange
        from course.reports.feedback import read_summary

        fetched = exchange.fetch_feedback(self._place(week))
        pages = tuple(page.path for page in fetched.pages)
        if not fetched.pages:
            return Feedback(pages=pages, pending=fetched.submissions)
        newest = fetched.pages[-1].timestamp
        graded = [page.path for page in fetched.pages if page.timestamp == newest]
        source = next((path for path in graded if path.name == f"{week}.html"), graded[0])
        latest = self.directory / week / "feedback" / LATEST_PAGE
        text = source.read_text(encoding="utf-8", errors="replace")
        partial = latest.with_name(f".{LATEST_PAGE}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, latest)  # a page open in a browser is never seen half written
        later = fetched.submissions[fetched.submissions.index(newest) + 1 :]
        return Feedback(
            pages=pages,
            latest=latest,
            latest_timestamp=newest,
            summary=read_summary(text),
            pending=later,
        )

    def wait_for_feedback(
        self,
        week: str,
        *,
        receipt: Receipt,
        timeout: float,
        poll: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any] | None:
        """Fetch feedback until the page of the submission ``receipt`` names arrives; its
        summary (:func:`course.reports.feedback.read_summary`), or ``None`` after
        ``timeout`` seconds."""
        from course.reports.feedback import read_summary

        deadline = time.monotonic() + timeout
        page = self.directory / week / "feedback" / receipt.timestamp / f"{week}.html"
        released = self.exchange / self.course_id / "feedback"
        while True:
            if released.is_dir():  # nothing was ever released in this course before
                self.fetch_feedback(week)
            if page.is_file():
                return read_summary(page.read_text(encoding="utf-8"))
            if time.monotonic() + poll > deadline:
                return None
            sleep(poll)

    def _course_cache(self, week: str) -> Path:
        """The course's folder in the student's submission cache."""
        from course.nbgrader.plain_exchange import cache_root

        return Path(cache_root(self._place(week)), self.course_id)

    def _place(self, week: str) -> Place:
        from course.nbgrader.exchange import Place

        if not self.exchange.is_dir():
            raise ClassroomError(
                f"the exchange folder {self.exchange} does not exist: ask your instructor "
                "for its path and pass it with --exchange (or set COURSE_EXCHANGE)"
            )
        return Place(
            exchange=self.exchange,
            course_id=self.course_id,
            week=week,
            student=self.student_id,
            assignment_dir=self.directory.resolve(),
            cache=self.cache,
        )


def _refuse_unparsable(source: Path, module: str) -> None:
    """Refuse code that does not parse, naming the line (for a notebook: the line of the
    module its code cells make, with the line's text to find it by)."""
    try:
        compile(module, str(source), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        text = (getattr(error, "text", None) or "").strip()
        where = f" at line {line}" if line and source.suffix == ".py" else ""
        shown = f" ({text!r})" if text else ""
        message = getattr(error, "msg", None) or str(error)
        raise ClassroomError(
            f"not submitted: {source.name} does not parse{where}: {message}{shown}. Fix it "
            "and submit again ('course check' shows the same error); 'course submit --force' "
            "hands it in anyway, and it will score nothing"
        ) from None
