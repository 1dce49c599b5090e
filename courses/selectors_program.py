"""Program-wide figures for program administrators, and the funder report's counts.

"Officers trained" are distinct trainees with a completed enrollment: an officer who completed
three courses is one officer trained (and three completions). Country and agency are the
officer's current ones (a transferred officer counts where they serve now). Years and report
periods are read in the program's time zone (settings.TIME_ZONE), whoever asks.

Every function takes a fixed number of queries whatever the amount of data: each figure is one
grouped query, and course names are read once for all the courses shown.
"""

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certification.models import Trainee, VettingRecord
from certification.selectors import LATEST_FIRST

from .models import Attempt, ClassSession, CoursePage, Enrollment, EnrollmentTransition

E = Enrollment.Status
SEX_LABELS = {"F": _("Women"), "M": _("Men"), "": _("Sex not recorded")}
# Who is still heading for a class that has not started.
PLANNED_SESSION_STATUSES = (ClassSession.Status.PLANNED, ClassSession.Status.OPEN)
HEADING_FOR_CLASS = (E.NOMINATED, E.APPROVED, E.ENROLLED)


def program_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _english() -> bool:
    return (get_language() or "es").startswith("en")


def _name(row: dict, prefix: str) -> str:
    return row[f"{prefix}name_en"] if _english() else row[f"{prefix}name_es"]


def completions(
    *, start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[Enrollment]:
    """Completed enrollments, completed between `start` and `end` (both days included, in the
    program's time zone) when given. Not evaluated; no ordering (ready to group)."""
    done = Enrollment.objects.filter(status=E.COMPLETED).order_by()
    zone = program_zone()
    if start is not None:
        done = done.filter(completed_at__gte=datetime.datetime.combine(start, datetime.time.min, zone))
    if end is not None:
        after = end + datetime.timedelta(days=1)
        done = done.filter(completed_at__lt=datetime.datetime.combine(after, datetime.time.min, zone))
    return done


def _per_sex() -> dict:
    """Distinct officers in total and of each sex: the annotations every breakdown shares."""
    return {
        "officers": Count("trainee_id", distinct=True),
        "women": Count("trainee_id", distinct=True, filter=Q(trainee__sex="F")),
        "men": Count("trainee_id", distinct=True, filter=Q(trainee__sex="M")),
        "unrecorded": Count("trainee_id", distinct=True, filter=Q(trainee__sex="")),
        "completions": Count("pk"),
        "hours": Coalesce(Sum("course__hours"), 0),
    }


# --- officers trained ---------------------------------------------------------------------------


@dataclass
class Breakdown:
    """One row of a breakdown: a label and its figures (distinct officers, completions...)."""

    key: object
    label: str
    officers: int
    women: int = 0
    men: int = 0
    unrecorded: int = 0
    completions: int = 0
    hours: int = 0
    extra: dict = field(default_factory=dict)


def _breakdown(done: QuerySet, fields: tuple, label, key) -> list[Breakdown]:
    return [
        Breakdown(
            key=key(row),
            label=label(row),
            officers=row["officers"],
            women=row["women"],
            men=row["men"],
            unrecorded=row["unrecorded"],
            completions=row["completions"],
            hours=row["hours"],
            extra=row,
        )
        for row in done.values(*fields).annotate(**_per_sex())
    ]


def trained_by_country(done: QuerySet) -> list[Breakdown]:
    fields = (
        "trainee__agency__country__code",
        "trainee__agency__country__name_es",
        "trainee__agency__country__name_en",
    )
    rows = _breakdown(
        done,
        fields,
        lambda r: _name(r, "trainee__agency__country__"),
        lambda r: r["trainee__agency__country__code"],
    )
    return sorted(rows, key=lambda b: b.key)


def trained_by_agency(done: QuerySet) -> list[Breakdown]:
    fields = (
        "trainee__agency_id",
        "trainee__agency__acronym",
        "trainee__agency__name_es",
        "trainee__agency__name_en",
        "trainee__agency__country__code",
    )
    rows = _breakdown(
        done,
        fields,
        lambda r: f"{r['trainee__agency__acronym']} ({r['trainee__agency__country__code']})",
        lambda r: r["trainee__agency_id"],
    )
    for row in rows:
        row.extra["name"] = _name(row.extra, "trainee__agency__")
    return sorted(
        rows, key=lambda b: (b.extra["trainee__agency__country__code"], b.extra["trainee__agency__acronym"])
    )


def trained_by_sex(done: QuerySet) -> list[Breakdown]:
    rows = _breakdown(
        done, ("trainee__sex",), lambda r: str(SEX_LABELS[r["trainee__sex"]]), lambda r: r["trainee__sex"]
    )
    order = list(SEX_LABELS)
    return sorted(rows, key=lambda b: order.index(b.key))


def trained_by_track(done: QuerySet) -> list[Breakdown]:
    fields = (
        "course__track_id",
        "course__track__name_es",
        "course__track__name_en",
        "course__track__sort_order",
    )
    rows = _breakdown(done, fields, lambda r: _name(r, "course__track__"), lambda r: r["course__track_id"])
    return sorted(rows, key=lambda b: (b.extra["course__track__sort_order"], b.label))


def trained_by_year(done: QuerySet) -> list[Breakdown]:
    done = done.annotate(year=ExtractYear("completed_at", tzinfo=program_zone()))
    rows = _breakdown(done, ("year",), lambda r: str(r["year"] or _("Unknown")), lambda r: r["year"] or 0)
    return sorted(rows, key=lambda b: b.key)


def officers_trained(done: QuerySet) -> dict:
    """Distinct officers (in total and by sex), completions and training hours. One query."""
    return done.aggregate(**_per_sex())


# --- per course --------------------------------------------------------------------------------


def course_names(course_keys) -> dict[uuid.UUID, dict]:
    """{course key: {"code", "title", "hours", "track"}}, the title in the active language
    when the course has a copy in it. One query."""
    language = "en" if _english() else "es"
    chosen: dict[uuid.UUID, dict] = {}
    for row in (
        CoursePage.objects.filter(translation_key__in=list(course_keys))
        .order_by("pk")
        .values(
            "translation_key",
            "code",
            "title",
            "hours",
            "locale__language_code",
            "track__name_es",
            "track__name_en",
        )
    ):
        current = chosen.get(row["translation_key"])
        if current is None or (
            row["locale__language_code"] == language and current["locale__language_code"] != language
        ):
            chosen[row["translation_key"]] = row
    return {
        key: {
            "code": row["code"],
            "title": row["title"],
            "hours": row["hours"],
            "track": _name(row, "track__"),
        }
        for key, row in chosen.items()
    }


@dataclass
class CourseFigures:
    course_key: uuid.UUID
    code: str
    title: str
    completed: int = 0
    failed: int = 0
    withdrawn: int = 0  # withdrawn after taking the course (from "enrolled")
    attempts: int = 0  # exam attempts submitted and scored
    passed: int = 0

    @property
    def completion_rate(self) -> float | None:
        finished = self.completed + self.failed + self.withdrawn
        return 100 * self.completed / finished if finished else None

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.attempts if self.attempts else None


def course_rates() -> list[CourseFigures]:
    """Per course: completion rate, completed / (completed + failed + withdrawn after starting),
    and pass rate, exam attempts passed / attempts submitted and scored (an instructor's override
    is the result that counts; attempts awaiting scoring wait). Three queries."""
    withdrew_taking_it = EnrollmentTransition.objects.filter(
        enrollment=OuterRef("pk"), from_status=E.ENROLLED, to_status=E.WITHDRAWN
    )
    outcomes = (
        Enrollment.objects.filter(status__in=(E.COMPLETED, E.FAILED, E.WITHDRAWN))
        .order_by()
        .values("course_key")
        .annotate(
            completed=Count("pk", filter=Q(status=E.COMPLETED)),
            failed=Count("pk", filter=Q(status=E.FAILED)),
            withdrawn=Count("pk", filter=Q(status=E.WITHDRAWN) & Q(Exists(withdrew_taking_it))),
        )
    )
    result = Coalesce("override_passed", "passed")
    exams = (
        Attempt.objects.filter(status__in=Attempt.DONE_STATUSES)
        .annotate(result=result)
        .filter(result__isnull=False)
        .order_by()
        .values("enrollment__course_key")
        .annotate(attempts=Count("pk"), passed=Count("pk", filter=Q(result=True)))
    )
    figures: dict[uuid.UUID, dict] = {}
    for row in outcomes:
        figures.setdefault(row["course_key"], {}).update(
            completed=row["completed"], failed=row["failed"], withdrawn=row["withdrawn"]
        )
    for row in exams:
        figures.setdefault(row["enrollment__course_key"], {}).update(
            attempts=row["attempts"], passed=row["passed"]
        )
    names = course_names(figures)
    courses = [
        CourseFigures(
            course_key=key,
            code=names.get(key, {}).get("code", "?"),
            title=names.get(key, {}).get("title", str(key)),
            **values,
        )
        for key, values in figures.items()
        if any(values.values())
    ]
    return sorted(courses, key=lambda c: c.code)


# --- vetting that lapses before a planned class -------------------------------------------------


def _with_vetting(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    latest = VettingRecord.objects.filter(trainee=OuterRef("trainee_id")).order_by(*LATEST_FIRST)
    return enrollments.annotate(
        vetting_status=Subquery(latest.values("status")[:1]),
        vetting_valid_until=Subquery(latest.values("valid_until")[:1]),
    )


def vetting_lapses(*, today: datetime.date, limit: int = 100) -> tuple[int, list[Enrollment]]:
    """Officers nominated, approved or enrolled in a planned or open class of a US-funded course
    whose approved vetting ends before the class does (a place needs vetting valid through the
    last day: `certification.selectors.vetting_eligibility`), soonest class first. Returns how
    many there are and the first `limit` of them. Two queries."""
    lapsing = (
        _with_vetting(
            Enrollment.objects.filter(
                status__in=HEADING_FOR_CLASS,
                session__status__in=PLANNED_SESSION_STATUSES,
                session__ends_on__gte=today,
                course__us_funded=True,
            )
        )
        .filter(vetting_status=VettingRecord.Status.APPROVED, vetting_valid_until__lt=F("session__ends_on"))
        .annotate(
            lapses_before_start=Case(
                When(vetting_valid_until__lt=F("session__starts_on"), then=Value(True)), default=Value(False)
            )
        )
    )
    total = lapsing.count()
    rows = list(
        lapsing.select_related("trainee__agency__country", "session").order_by(
            "session__starts_on", "session__code", "vetting_valid_until", "trainee__first_surname", "pk"
        )[:limit]
    )
    return total, rows


# --- the funder report ---------------------------------------------------------------------------

VETTING_KEYS = ("approved", "approved_expired", "pending", "denied", "suspended", "none")
VETTING_LABELS = {
    "approved": _("Approved, valid"),
    "approved_expired": _("Approved, expired"),
    "pending": _("Pending"),
    "denied": _("Denied"),
    "suspended": _("Suspended"),
    "none": _("Never submitted"),
}


def vetting_of_officers(officer_ids: QuerySet, *, today: datetime.date) -> dict[str, int]:
    """How many of these officers are in each current vetting state (an approval past its end
    date counts as expired). One query."""
    latest = VettingRecord.objects.filter(trainee=OuterRef("pk")).order_by(*LATEST_FIRST)
    officers = Trainee.objects.filter(pk__in=officer_ids).annotate(
        vetting_status=Subquery(latest.values("status")[:1]),
        vetting_valid_until=Subquery(latest.values("valid_until")[:1]),
    )
    counts = officers.aggregate(
        approved=Count("pk", filter=Q(vetting_status="approved", vetting_valid_until__gte=today)),
        approved_expired=Count("pk", filter=Q(vetting_status="approved", vetting_valid_until__lt=today)),
        pending=Count("pk", filter=Q(vetting_status="pending")),
        denied=Count("pk", filter=Q(vetting_status="denied")),
        suspended=Count("pk", filter=Q(vetting_status="suspended")),
        none=Count("pk", filter=Q(vetting_status__isnull=True)),
    )
    return {key: counts[key] for key in VETTING_KEYS}


@dataclass
class FunderReport:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    totals: dict
    by_country: list[Breakdown]
    by_agency: list[Breakdown]
    by_course: list[Breakdown]
    vetting: dict[str, int]


def funder_report(*, start: datetime.date, end: datetime.date, today: datetime.date) -> FunderReport:
    """The counts the program reports to its funder for the period (both days included): each
    officer counted once however many courses they completed in it. Six queries."""
    done = completions(start=start, end=end)
    by_course = _breakdown(done, ("course_key",), lambda r: "", lambda r: r["course_key"])
    names = course_names(row.key for row in by_course)
    for row in by_course:
        name = names.get(row.key, {})
        row.label = name.get("title", str(row.key))
        row.extra.update(
            code=name.get("code", ""), track=name.get("track", ""), course_hours=name.get("hours")
        )
    return FunderReport(
        start=start,
        end=end,
        today=today,
        totals=officers_trained(done),
        by_country=trained_by_country(done),
        by_agency=trained_by_agency(done),
        by_course=sorted(by_course, key=lambda b: b.extra["code"]),
        vetting=vetting_of_officers(done.values("trainee_id"), today=today),
    )
