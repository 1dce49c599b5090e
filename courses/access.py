"""Who may read a course's modules. The ONE place that decides it: views and templates ask here."""

from django.db.models import Q

from certification.roles import is_program_admin


def is_course_instructor(*, user, course) -> bool:
    """Whether `user` teaches `course` (any locale's copy: the course is one in every language)."""
    if not user.is_authenticated:
        return False
    from .models import CourseInstructorGroup

    return CourseInstructorGroup.objects.filter(course_key=course.translation_key, group__user=user).exists()


def is_enrolled(*, user, course) -> bool:
    """Whether `user` is a trainee holding a place in `course` (approved, enrolled or completed),
    in whichever language's copy: enrollments refer to the course's `course_key`."""
    if not user.is_authenticated:
        return False
    from .models_enrollment import Enrollment

    return Enrollment.objects.filter(
        trainee__user=user, course_key=course.translation_key, status__in=Enrollment.READER_STATUSES
    ).exists()


def instructed_trainees_scope(user) -> Q:
    """Registered with certification.access: instructors see the trainees of the sessions they
    teach (those who hold or held a place there, withdrawn included; not pending nominations)."""
    from .models_enrollment import Enrollment

    if not user.is_authenticated:
        return Q(pk__in=[])
    trainee_ids = Enrollment.objects.filter(
        session__instructors=user,
        status__in=(*Enrollment.PLACE_STATUSES, Enrollment.Status.WITHDRAWN),
    ).values("trainee_id")
    return Q(pk__in=trainee_ids)


def can_read_modules(*, user, course) -> bool:
    """Trainees enrolled in the course, its instructors and program administrators read its
    modules; everyone else (anonymous visitors included) sees the course page only."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_program_admin(user):
        return True
    if is_course_instructor(user=user, course=course):
        return True
    return is_enrolled(user=user, course=course)


def enrollments_visible_to(user):
    """The enrollments a user may see on any enrollment screen: administrators all; agency heads
    and coordinators their agency's officers'; instructors those of the sessions they teach
    (holding or having held a place); a trainee their own. Anything else answers 404."""
    from certification.access import managed_agency_ids

    from .models_enrollment import Enrollment

    enrollments = Enrollment.objects.select_related("trainee__agency__country", "session", "course")
    if user is None or not user.is_authenticated:
        return enrollments.none()
    if is_program_admin(user):
        return enrollments
    scope = Q(trainee__agency_id__in=managed_agency_ids(user)) | Q(trainee__user=user)
    taught = Enrollment.objects.filter(
        session__instructors=user,
        status__in=(*Enrollment.PLACE_STATUSES, Enrollment.Status.WITHDRAWN),
    ).values("pk")
    return enrollments.filter(scope | Q(pk__in=taught))


def sessions_visible_to(user):
    """Class sessions whose roster a user may open ("My classes"): administrators every one,
    instructors those they teach. Agency staff and trainees see sessions only through their
    own officers' nominations and enrollments, never a roster of other agencies' officers."""
    from .models_enrollment import ClassSession

    sessions = ClassSession.objects.select_related("course", "country")
    if user is None or not user.is_authenticated:
        return sessions.none()
    if is_program_admin(user):
        return sessions
    return sessions.filter(instructors=user)
