"""Reads of enrollments that do not depend on who is asking (scoping is in courses/access.py)."""

import datetime
import uuid

from django.db.models import Q
from django.utils import timezone

from .models import CoursePage, ModulePage
from .models_enrollment import Attendance, ClassSession, Enrollment, EnrollmentTransition


def places_taken(*, session: ClassSession) -> int:
    return Enrollment.objects.filter(session=session, status__in=Enrollment.PLACE_STATUSES).count()


def course_module_keys(*, course_key: uuid.UUID) -> set[uuid.UUID]:
    """The modules of a course, by translation_key, published in any of its languages."""
    paths = list(CoursePage.objects.filter(translation_key=course_key).values_list("path", flat=True))
    if not paths:
        return set()
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path, depth=len(path) // ModulePage.steplen + 1)
    return set(ModulePage.objects.live().filter(query).values_list("translation_key", flat=True))


def enrollment_progress(*, enrollment: Enrollment) -> tuple[int, int]:
    """(modules done, modules in the course), whichever language each was read in."""
    required = course_module_keys(course_key=enrollment.course_key)
    done = set(enrollment.progress.values_list("module_key", flat=True)) & required
    return len(done), len(required)


def attendance_rate(*, enrollment: Enrollment) -> float | None:
    """Share of the session's attendance days the trainee attended (present or late). Excused
    days are left out of the count; days nobody took attendance do not count. None when no
    day counts yet."""
    rows = list(Attendance.objects.filter(enrollment=enrollment).values_list("status", flat=True))
    counted = [s for s in rows if s != Attendance.Status.EXCUSED]
    if not counted:
        return None
    attended = sum(1 for s in counted if s in (Attendance.Status.PRESENT, Attendance.Status.LATE))
    return attended / len(counted)


def enrollment_for_user(*, user, course_key, statuses=Enrollment.READER_STATUSES) -> Enrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return (
        Enrollment.objects.filter(trainee__user=user, course_key=course_key, status__in=statuses)
        .order_by("-created_at", "-id")
        .first()
    )


def with_vetting_status(enrollments):
    """Annotates each enrollment with its trainee's current vetting status and end date."""
    from django.db.models import OuterRef, Subquery

    from certification.models import VettingRecord

    latest = VettingRecord.objects.filter(trainee=OuterRef("trainee_id")).order_by("-recorded_at", "-id")
    return enrollments.annotate(
        vetting_status=Subquery(latest.values("status")[:1]),
        vetting_valid_until=Subquery(latest.values("valid_until")[:1]),
    )


def nomination_queue(*, user):
    """Nominations waiting for a decision that `user` may see, oldest first, with the vetting
    status beside each nominee: one query whatever the length (paginate it on the screen)."""
    from .access import enrollments_visible_to

    pending = enrollments_visible_to(user).filter(
        status__in=(Enrollment.Status.NOMINATED, Enrollment.Status.WAITLISTED)
    )
    return with_vetting_status(pending).select_related("nominated_by").order_by("created_at", "id")


def session_roster(*, session: ClassSession):
    """A session's trainees (every agency), with modules done and attendance counts: one query.
    `attended` counts present and late days, `counted` every day but excused ones (the same
    rule as `attendance_rate`)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models_enrollment import ModuleProgress

    def count_of(queryset):
        return Coalesce(
            Subquery(queryset.order_by().values("enrollment_id").annotate(n=Count("*")).values("n")), 0
        )

    mine = Q(enrollment_id=OuterRef("pk"))
    return (
        Enrollment.objects.filter(
            session=session, status__in=(*Enrollment.PLACE_STATUSES, Enrollment.Status.WITHDRAWN)
        )
        .select_related("trainee__agency__country")
        .annotate(
            modules_done=count_of(ModuleProgress.objects.filter(mine)),
            attended=count_of(Attendance.objects.filter(mine, status__in=("present", "late"))),
            counted=count_of(Attendance.objects.filter(mine).exclude(status="excused")),
        )
        .order_by("trainee__first_surname", "trainee__second_surname", "trainee__given_names", "id")
    )


def attendance_percent(attended: int, counted: int) -> int | None:
    return round(100 * attended / counted) if counted else None


def offers_self_enrolment(*, user, course) -> bool:
    """Whether the course page shows `user` an "Enrol" button: a self-enrolment course, an
    active officer with a personnel record, not already taking it. (The service checks again.)"""
    from certification.models import Trainee

    if user is None or not user.is_authenticated or course.admission != course.Admission.SELF_ENROLMENT:
        return False
    trainee = Trainee.objects.filter(user=user, status=Trainee.Status.ACTIVE).first()
    if trainee is None:
        return False
    return not Enrollment.objects.filter(
        trainee=trainee,
        course_key=course.translation_key,
        status__in=(
            Enrollment.Status.NOMINATED,
            Enrollment.Status.WAITLISTED,
            Enrollment.Status.APPROVED,
            Enrollment.Status.ENROLLED,
        ),
    ).exists()


def enrollment_steps_not_emailed(*, min_age_seconds: int, max_age_days: int, limit: int) -> list[int]:
    """The oldest enrollment steps, recorded between `max_age_days` and `min_age_seconds` ago,
    whose e-mail never went out (its task was lost, or gave up)."""
    now = timezone.now()
    rows = EnrollmentTransition.objects.filter(
        emailed_at__isnull=True,
        created_at__lte=now - datetime.timedelta(seconds=min_age_seconds),
        created_at__gte=now - datetime.timedelta(days=max_age_days),
    ).order_by("pk")
    return list(rows.values_list("pk", flat=True)[:limit])
