"""An officer's courses for their transcript: every enrollment with its course (titled in the
reader's language), session, status, completion, exam and practical results and attendance.

Reads only; who may ask is decided by the caller (`certification.access.trainees_visible_to`).
Five queries whatever the number of enrollments: enrollments (with attendance counts), the
course copies in the reader's language, attempts, exam titles, practical results.
"""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import CoursePage
from .models_assessment import Attempt, Exam
from .models_enrollment import Attendance, ClassSession, Enrollment
from .models_practical import PracticalResult
from .selectors_enrollment import attendance_percent

# A course certificate's award key names its enrollment (`services_awards.enrollment_award`);
# a correction appends "#corrected-...".
AWARD_PREFIX = "enrollment:"


@dataclass(frozen=True)
class ExamLine:
    title: str
    attempts: int
    best_percent: Decimal | None  # the best submitted result, an instructor's override counting
    passed: bool
    pending_grading: bool


@dataclass(frozen=True)
class PracticalLine:
    title: str
    kind: str
    passed: bool  # the override when there is one
    total_points: Decimal
    items_passed: int


@dataclass
class CourseLine:
    enrollment_id: int
    course_key: uuid.UUID
    code: str
    title: str
    hours: int
    status: str
    status_label: str
    session_code: str
    starts_on: datetime.date | None  # None: self-paced
    ends_on: datetime.date | None
    place: str
    delivery_mode: str  # its label (lazy: read in the language the page is drawn in)
    completed_at: datetime.datetime | None
    attendance_percent: int | None  # None when no day counted (or no attendance taken)
    exams: list[ExamLine] = field(default_factory=list)
    practicals: list[PracticalLine] = field(default_factory=list)
    certificate: object | None = None  # the certificate this enrollment earned (the caller's row)

    @property
    def best_percent(self) -> Decimal | None:
        percents = [e.best_percent for e in self.exams if e.best_percent is not None]
        return max(percents) if percents else None

    @property
    def completed(self) -> bool:
        return self.status == Enrollment.Status.COMPLETED


def award_enrollment_id(award_key: str) -> int | None:
    """The enrollment a course certificate was awarded for; None for any other award."""
    if not award_key.startswith(AWARD_PREFIX):
        return None
    number = award_key[len(AWARD_PREFIX) :].split("#", 1)[0]
    return int(number) if number.isdigit() else None


def _count_of(queryset):
    per_enrollment = queryset.order_by().values("enrollment_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(per_enrollment), 0)


def _enrollments(trainee):
    mine = Q(enrollment_id=OuterRef("pk"))
    return (
        Enrollment.objects.filter(trainee=trainee)
        .select_related("session__country", "course")
        .annotate(
            # The roster's rule (`attendance_rate`): present and late attend; excused days don't count.
            attended=_count_of(Attendance.objects.filter(mine, status__in=("present", "late"))),
            counted=_count_of(Attendance.objects.filter(mine).exclude(status="excused")),
        )
        .order_by("-created_at", "-id")
    )


def _titles(course_keys: set, language: str) -> dict:
    """Course key -> its live copy in `language` (one query); missing keys use the enrolled copy."""
    if not course_keys:
        return {}
    copies = CoursePage.objects.live().filter(translation_key__in=course_keys, locale__language_code=language)
    return {c.translation_key: c for c in copies.only("title", "code", "hours", "translation_key")}


def _exam_lines(enrollment_ids: list[int], language: str) -> dict[int, list[ExamLine]]:
    """Enrollment id -> one line per exam group attempted: attempts, best result, passed. Two
    queries (attempts, then the exams' titles in the reader's language where one exists)."""
    rows = Attempt.objects.filter(enrollment_id__in=enrollment_ids).values_list(
        "enrollment_id",
        "exam_group_key",
        "status",
        "score_percent",
        "passed",
        "override_passed",
        "override_score_percent",
        "pending_grading",
    )
    grouped: dict[tuple[int, uuid.UUID], list] = defaultdict(list)
    for enrollment_id, group, *rest in rows:
        grouped[(enrollment_id, group)].append(rest)
    if not grouped:
        return {}
    titles: dict[uuid.UUID, tuple[str, str]] = {}
    for group, exam_language, title in (
        Exam.objects.filter(group_key__in={g for _e, g in grouped})
        .order_by("pk")
        .values_list("group_key", "language", "title")
    ):
        if group not in titles or (exam_language == language and titles[group][0] != language):
            titles[group] = (exam_language, title)
    lines: dict[int, list[ExamLine]] = defaultdict(list)
    for (enrollment_id, group), attempts in grouped.items():
        # Same reading as `session_exam_results`: an override replaces the computed result.
        done = [a for a in attempts if a[0] in Attempt.DONE_STATUSES]
        percents = [a[4] if a[4] is not None else a[1] for a in done]
        percents = [p for p in percents if p is not None]
        lines[enrollment_id].append(
            ExamLine(
                title=titles.get(group, ("", ""))[1],
                attempts=len(attempts),
                best_percent=max(percents) if percents else None,
                passed=any((a[3] if a[3] is not None else a[2]) is True for a in done),
                pending_grading=any(a[5] and a[3] is None for a in done),
            )
        )
    for exams in lines.values():
        exams.sort(key=lambda e: e.title)
    return lines


def _practical_lines(enrollment_ids: list[int], language: str) -> dict[int, list[PracticalLine]]:
    lines: dict[int, list[PracticalLine]] = defaultdict(list)
    results = (
        PracticalResult.objects.filter(enrollment_id__in=enrollment_ids)
        .select_related("sheet")
        .order_by("sheet__title_es", "pk")
    )
    for result in results:
        lines[result.enrollment_id].append(
            PracticalLine(
                title=result.sheet.title_en if language == "en" else result.sheet.title_es,
                kind=result.sheet.kind,
                passed=result.result_passed,
                total_points=result.total_points,
                items_passed=result.items_passed,
            )
        )
    return lines


def _place(session: ClassSession | None) -> str:
    if session is None:
        return ""
    parts = [session.academy, session.city, session.country.name if session.country else ""]
    return ", ".join(p for p in parts if p)


def transcript_courses(*, trainee, language: str, certificates: Iterable = ()) -> list[CourseLine]:
    """Every enrollment of `trainee`, most recent first, whatever its status. `certificates`:
    the caller's certificate rows (each with `award_key` and `status`): the one an enrollment
    earned is attached to its line (the current one when a correction superseded the first)."""
    enrollments = list(_enrollments(trainee))
    ids = [e.pk for e in enrollments]
    localized = _titles({e.course_key for e in enrollments}, language)
    exams = _exam_lines(ids, language) if ids else {}
    practicals = _practical_lines(ids, language) if ids else {}
    earned: dict[int, object] = {}
    for certificate in certificates:  # newest first: a superseded one never hides its successor
        enrollment_id = award_enrollment_id(certificate.award_key)
        if enrollment_id is not None:
            current = earned.get(enrollment_id)
            if current is None or (current.status == "superseded" and certificate.status != "superseded"):
                earned[enrollment_id] = certificate
    lines = []
    for enrollment in enrollments:
        course = localized.get(enrollment.course_key, enrollment.course)
        session = enrollment.session
        lines.append(
            CourseLine(
                enrollment_id=enrollment.pk,
                course_key=enrollment.course_key,
                code=course.code,
                title=course.title,
                hours=course.hours,
                status=enrollment.status,
                status_label=Enrollment.Status(enrollment.status).label,
                session_code=session.code if session else "",
                starts_on=session.starts_on if session else None,
                ends_on=session.ends_on if session else None,
                place=_place(session),
                delivery_mode=ClassSession.DeliveryMode(session.delivery_mode).label if session else "",
                completed_at=enrollment.completed_at,
                attendance_percent=attendance_percent(enrollment.attended, enrollment.counted),
                exams=exams.get(enrollment.pk, []),
                practicals=practicals.get(enrollment.pk, []),
                certificate=earned.get(enrollment.pk),
            )
        )
    return lines
