"""What a user may do is read once per request and kept on the user object; after a role change
in the same request, `certification.roles.forget_roles` drops all of it, the courses an
instructor builds exams for included (`courses.services_exam_builder`)."""

import pytest

from certification.access import managed_agency_ids
from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, group_names, role_grant
from courses.services import course_assign_instructor, course_unassign_instructor
from courses.services_exam_builder import (
    courses_buildable_by,
    exams_buildable_by,
    may_build_exam,
    may_build_exams,
)
from tests.courses.test_assessment_attempts import make_exam
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session)

pytestmark = pytest.mark.django_db


def test_an_instructor_given_a_course_builds_its_exams_in_the_same_request(instructor, course):
    exam = make_exam(course, pool=1)
    assert not may_build_exams(instructor)  # read now: teaches nothing yet
    course_assign_instructor(course=course, user=instructor)  # forgets the caches itself
    assert may_build_exams(instructor) and may_build_exam(instructor, exam)
    assert list(exams_buildable_by(instructor)) == [exam]
    assert course in courses_buildable_by(instructor)


def test_an_instructor_taken_off_a_course_loses_its_exams_in_the_same_request(instructor, course):
    exam = make_exam(course, pool=1)
    course_assign_instructor(course=course, user=instructor)
    assert may_build_exam(instructor, exam)
    course_unassign_instructor(course=course, user=instructor)  # forgets the caches itself
    assert not may_build_exams(instructor) and not may_build_exam(instructor, exam)
    assert not exams_buildable_by(instructor).exists()


def test_granting_a_role_forgets_every_cache_and_nothing_else(world, course):
    user, exam = world.instructor, make_exam(course, pool=1)
    assert group_names(user) == {INSTRUCTORS}
    managed_agency_ids(user)
    may_build_exams(user)
    user.unrelated_note = "kept"
    cached = {name for name in vars(user) if name.startswith("_carsi_")}
    assert cached >= {"_carsi_group_names", "_carsi_agency_ids", "_carsi_exam_course_keys"}
    role_grant(user=user, group_name=PROGRAM_ADMINISTRATORS)  # forgets the caches itself
    assert not {name for name in vars(user) if name.startswith("_carsi_")}
    assert user.unrelated_note == "kept"
    assert may_build_exams(user) and list(exams_buildable_by(user)) == [exam]
