"""Who may read a course's modules. The ONE place that decides it: views and templates ask here."""

from certification.roles import is_program_admin


def is_course_instructor(*, user, course) -> bool:
    """Whether `user` teaches `course` (any locale's copy: the course is one in every language)."""
    if not user.is_authenticated:
        return False
    from .models import CourseInstructorGroup

    return CourseInstructorGroup.objects.filter(course_key=course.translation_key, group__user=user).exists()


def is_enrolled(*, user, course) -> bool:
    """Whether `user` is a trainee enrolled in `course`.

    TODO(enrollment): Enrollment does not exist yet, so nobody is enrolled and trainees are
    refused. When it lands, answer from Enrollment rows for the course's `course_key` (the
    enrolled/completed states), via the trainee linked to `user`.
    """
    return False


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
