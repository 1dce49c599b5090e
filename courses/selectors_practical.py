"""Reads of score sheets and practical results that do not depend on who is asking (the views
check who may ask, through `access.sessions_visible_to`)."""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from .models_enrollment import ClassSession, Enrollment
from .models_practical import PracticalResult, ScoreSheet, ScoreSheetItem

# Enrollments that are evaluated: taking the course, or done with it.
EVALUATED_STATUSES = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED, Enrollment.Status.FAILED)


def sheets_of_course(*, course_key: uuid.UUID, published_only: bool = True):
    """A course's score sheets (one query when iterated), with their items prefetched."""
    sheets = ScoreSheet.objects.filter(course_key=course_key)
    if published_only:
        sheets = sheets.filter(published=True)
    return sheets.prefetch_related(
        Prefetch("items", queryset=ScoreSheetItem.objects.order_by("position", "id"))
    )


def required_sheet_ids(*, course_key: uuid.UUID) -> set[int]:
    return set(
        ScoreSheet.objects.filter(course_key=course_key, published=True, is_required=True).values_list(
            "pk", flat=True
        )
    )


def passing_q() -> Q:
    """Results that count as passed: overridden to passed, or passed with no override."""
    return Q(override_passed=True) | Q(override_passed__isnull=True, passed=True)


def practicals_missing(*, enrollment: Enrollment) -> set[int]:
    """The required, published score sheets of the enrollment's course without a passing result
    for it (an override to failed cancels a computed pass). Two queries."""
    required = required_sheet_ids(course_key=enrollment.course_key)
    if not required:
        return set()
    passed = set(
        PracticalResult.objects.filter(enrollment=enrollment, sheet_id__in=required)
        .filter(passing_q())
        .values_list("sheet_id", flat=True)
    )
    return required - passed


@dataclass
class PracticalRow:
    enrollment: Enrollment
    cells: list  # (sheet, its PracticalResult or None), in the sheets' order


def session_practicals(*, session: ClassSession) -> tuple[list[ScoreSheet], list[PracticalRow]]:
    """A session's published sheets and, for each evaluated trainee, their result on each.
    Four queries whatever the size of the class (sheets, items, roster, results)."""
    sheets = list(sheets_of_course(course_key=session.course_key))
    roster = list(
        session.enrollments.filter(status__in=EVALUATED_STATUSES)
        .select_related("trainee__agency__country")
        .order_by("trainee__first_surname", "trainee__second_surname", "trainee__given_names", "id")
    )
    results = {
        (r.enrollment_id, r.sheet_id): r
        for r in PracticalResult.objects.filter(
            enrollment__session=session, sheet__in=[s.pk for s in sheets]
        ).select_related("evaluator")
    }
    rows = [PracticalRow(e, [(s, results.get((e.pk, s.pk))) for s in sheets]) for e in roster]
    return sheets, rows


def result_with_scores(*, enrollment: Enrollment, sheet: ScoreSheet) -> tuple[PracticalResult | None, dict]:
    """The enrollment's result on the sheet (or None) and its item scores by item id."""
    result = (
        PracticalResult.objects.filter(enrollment=enrollment, sheet=sheet)
        .select_related("evaluator", "overridden_by")
        .first()
    )
    if result is None:
        return None, {}
    return result, {s.item_id: s for s in result.scores.all()}
