"""Writes to class sessions and enrollments. Every check lives here, so no view, form, import or
command can skip one. Each status change goes through ONE transition function per model
(`session_transition`, `enrollment_transition`), which knows the allowed moves, does nothing
when already there, and records who, when and why. E-mails leave through Celery after commit.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.access import managed_agency_ids
from certification.models import AuditEntry, Trainee
from certification.roles import is_instructor, is_program_admin
from certification.selectors import agency_today, vetting_eligibility
from certification.services_audit import audit_record, audit_target

from .access import is_course_instructor
from .models import CoursePage, ModulePage
from .models_enrollment import (
    Attendance,
    ClassSession,
    ClassSessionTransition,
    Enrollment,
    EnrollmentTransition,
    ModuleProgress,
)
from .selectors_enrollment import attendance_rate, course_module_keys, places_taken

S = Enrollment.Status
SS = ClassSession.Status

ENROLLMENT_MOVES: dict[str, set[str]] = {
    S.NOMINATED: {S.APPROVED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.WAITLISTED: {S.APPROVED, S.REJECTED, S.WITHDRAWN},
    S.APPROVED: {S.ENROLLED, S.WITHDRAWN},
    S.ENROLLED: {S.COMPLETED, S.FAILED, S.WITHDRAWN},
    S.COMPLETED: set(),
    S.FAILED: set(),
    S.WITHDRAWN: set(),
    S.REJECTED: set(),
}
# Moves only program administrators (or the system itself, actor None) make.
ADMIN_MOVES = {S.APPROVED, S.WAITLISTED, S.REJECTED, S.ENROLLED, S.COMPLETED, S.FAILED}
# Moves that need a reason from a person.
REASON_REQUIRED = {S.REJECTED, S.WITHDRAWN, S.FAILED, S.COMPLETED}

SESSION_MOVES: dict[str, set[str]] = {
    SS.PLANNED: {SS.OPEN, SS.CANCELLED},
    SS.OPEN: {SS.PLANNED, SS.IN_PROGRESS, SS.CANCELLED},
    SS.IN_PROGRESS: {SS.CLOSED, SS.CANCELLED},
    SS.CLOSED: set(),
    SS.CANCELLED: set(),
}


def _is_staff_of(user, trainee: Trainee) -> bool:
    return trainee.agency_id in managed_agency_ids(user)


def _source_course(course: CoursePage) -> CoursePage:
    """The copy of the course in its source locale (the one whose rules govern)."""
    copies = CoursePage.objects.filter(translation_key=course.translation_key).order_by("pk")
    return copies.first() or course


def _vetting_window(enrollment: Enrollment) -> tuple[datetime.date, datetime.date]:
    if enrollment.session_id:
        return enrollment.session.starts_on, enrollment.session.ends_on
    today = timezone.localdate()
    return today, today


def _check_place(enrollment: Enrollment) -> None:
    """The session takes people, has room and, for US-funded courses, the officer's vetting is
    valid through its last day. Call under the session's row lock."""
    course = enrollment.course
    session = enrollment.session
    if session is not None and session.status not in (SS.OPEN, SS.IN_PROGRESS):
        raise ValidationError(
            _("The session %(code)s is %(status)s: it grants no places.")
            % {"code": session.code, "status": SS(session.status).label.lower()},
            code="session_status",
        )
    if course.us_funded:
        start, end = _vetting_window(enrollment)
        eligibility = vetting_eligibility(trainee=enrollment.trainee, start=start, end=end)
        if not eligibility.eligible:
            raise ValidationError(
                _("%(name)s cannot take part in this US-funded course: %(reason)s")
                % {"name": enrollment.trainee.full_name, "reason": eligibility.reason},
                code=f"vetting_{eligibility.code}",
            )
    if session is not None and places_taken(session=session) >= session.capacity:
        raise ValidationError(
            _("The session %(code)s is full (%(capacity)s places).")
            % {"code": session.code, "capacity": session.capacity},
            code="full",
        )


def _email_after_commit(step: EnrollmentTransition) -> None:
    from .tasks import enrollment_email_send

    enrollment_email_send.delay_on_commit(step.pk)


def _record(enrollment: Enrollment, *, from_status: str, actor, reason: str) -> EnrollmentTransition:
    step = EnrollmentTransition.objects.create(
        enrollment=enrollment,
        from_status=from_status,
        to_status=enrollment.status,
        actor=actor,
        reason=reason,
    )
    _email_after_commit(step)
    return step


@transaction.atomic
def enrollment_transition(*, actor, enrollment: Enrollment, to_status: str, reason: str = "") -> Enrollment:
    """THE way an enrollment changes status. Idempotent: moving to the current status does nothing.

    `actor` None is the system (completion rules, waiting list). Granting a place (to approved,
    or to enrolled without one) checks capacity and vetting under the session's row lock."""
    if to_status not in ENROLLMENT_MOVES:
        raise ValidationError(_("Unknown enrollment status."))
    reason = (reason or "").strip()
    # Granting or freeing a place locks the session first (always in this order: session, then
    # enrollment), so concurrent approvals of the last place queue up and recount.
    if enrollment.session_id and to_status in (S.APPROVED, S.ENROLLED, S.WITHDRAWN):
        ClassSession.objects.select_for_update().get(pk=enrollment.session_id)
    current = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("trainee__unit", "session", "course")
        .get(pk=enrollment.pk)
    )
    if current.status == to_status:
        _refresh(enrollment, current)
        return enrollment
    if to_status not in ENROLLMENT_MOVES[current.status]:
        raise ValidationError(
            _("An enrollment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(current.status).label, "to": S(to_status).label},
            code="not_allowed",
        )
    if actor is not None:
        if to_status in ADMIN_MOVES and not is_program_admin(actor):
            raise PermissionDenied(_("Only program administrators make this change."))
        if to_status == S.WITHDRAWN and not (
            is_program_admin(actor)
            or _is_staff_of(actor, current.trainee)
            or (current.trainee.user_id and current.trainee.user_id == actor.pk)
        ):
            raise PermissionDenied(_("You may not withdraw this enrollment."))
        if to_status in REASON_REQUIRED and not reason:
            raise ValidationError({"reason": _("Give a reason.")})
    if to_status in Enrollment.PLACE_STATUSES and current.status not in Enrollment.PLACE_STATUSES:
        _check_place(current)
    from_status = current.status
    current.status = to_status
    now = timezone.now()
    if to_status == S.WAITLISTED:
        current.waitlisted_at = now
    if to_status == S.COMPLETED:
        current.completed_at = now
    current.save(update_fields=["status", "waitlisted_at", "completed_at", "updated_at"])
    _record(current, from_status=from_status, actor=actor, reason=reason)
    if actor is not None and not (current.trainee.user_id and current.trainee.user_id == actor.pk):
        # A person decided (approve, reject, complete or fail by hand, withdraw someone else):
        # audited. The rules' own moves and officers withdrawing themselves are not.
        session_code = current.session.code if current.session_id else ""
        audit_record(
            actor=actor,
            action=AuditEntry.Action.ENROLLMENT_DECISION,
            agency_id=current.trainee.agency_id,
            target=audit_target(current.trainee.full_name, current.course.code, session_code),
            details={"enrollment": current.pk, "before": from_status, "after": to_status, "reason": reason},
        )
    if to_status == S.COMPLETED:
        # Completing (by the rules or by hand) awards the credentials, in this transaction.
        from .services_awards import enrollment_award

        enrollment_award(enrollment=current)
    _refresh(enrollment, current)
    return enrollment


def _refresh(target: Enrollment, source: Enrollment) -> None:
    for field in ("status", "waitlisted_at", "completed_at", "updated_at"):
        setattr(target, field, getattr(source, field))


# --- nomination and approval -------------------------------------------------------------------


def prerequisites_lacking(*, course: CoursePage, trainees) -> dict[int, list[str]]:
    """For each officer, the codes of the course's prerequisites they have not completed
    (in any language's copy). Two queries whatever the number of officers."""
    required = dict(course.prerequisites.values_list("translation_key", "code"))
    if not required:
        return {}
    done: dict[int, set] = {}
    for trainee_id, key in Enrollment.objects.filter(
        trainee__in=trainees, course_key__in=required, status=S.COMPLETED
    ).values_list("trainee_id", "course_key"):
        done.setdefault(trainee_id, set()).add(key)
    return {
        t.pk: sorted(code for key, code in required.items() if key not in done.get(t.pk, set()))
        for t in trainees
        if set(required) - done.get(t.pk, set())
    }


@transaction.atomic
def enrollment_nominate(
    *, actor, session: ClassSession, trainees: Iterable[Trainee], language: str = "es"
) -> list[Enrollment]:
    """An agency head or coordinator nominates officers of their own agency for an open session.
    The whole list is checked first; one bad officer refuses the list and nothing is written."""
    trainees = list(trainees)
    if not trainees:
        raise ValidationError(_("Choose at least one officer."))
    if actor is None or not managed_agency_ids(actor):
        raise PermissionDenied(_("Only agency heads and training coordinators nominate officers."))
    session = ClassSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
    if session.status != SS.OPEN:
        raise ValidationError(_("The session %(code)s is not open for nominations.") % {"code": session.code})
    if language not in ("es", "en"):
        raise ValidationError({"language": _("Choose Spanish or English.")})
    if session.course.admission == CoursePage.Admission.OPEN:
        raise ValidationError(_("This course is open to read: nobody is nominated for it."))
    errors = []
    lacking = prerequisites_lacking(course=session.course, trainees=trainees)
    seen = set()
    live = set(
        Enrollment.objects.filter(
            trainee__in=trainees, course_key=session.course_key, status__in=Enrollment.LIVE_STATUSES
        )
        .exclude(status__in=(S.COMPLETED, S.FAILED))
        .values_list("trainee_id", flat=True)
    ) | set(
        Enrollment.objects.filter(
            trainee__in=trainees, session=session, status__in=Enrollment.LIVE_STATUSES
        ).values_list("trainee_id", flat=True)
    )
    for trainee in trainees:
        name = trainee.full_name
        if not _is_staff_of(actor, trainee):
            errors.append(_("%(name)s is not an officer of your agency.") % {"name": name})
            continue
        if trainee.status != Trainee.Status.ACTIVE:
            errors.append(_("%(name)s is not an active officer.") % {"name": name})
        if trainee.pk in seen or trainee.pk in live:
            errors.append(_("%(name)s is already nominated for or taking this course.") % {"name": name})
        seen.add(trainee.pk)
        if lacking.get(trainee.pk):
            errors.append(
                _("%(name)s has not completed the prerequisite %(codes)s.")
                % {"name": name, "codes": ", ".join(lacking[trainee.pk])}
            )
        if session.nomination_deadline and agency_today(agency=trainee.agency) > session.nomination_deadline:
            errors.append(
                _("The nomination deadline (%(date)s) has passed.")
                % {"date": session.nomination_deadline.isoformat()}
            )
    if errors:
        raise ValidationError(sorted(set(errors), key=errors.index))
    created = []
    for trainee in trainees:
        enrollment = Enrollment(
            trainee=trainee,
            course_key=session.course_key,
            course=session.course,
            session=session,
            status=S.NOMINATED,
            language=language,
            nominated_by=actor,
        )
        enrollment.full_clean(exclude=["course_key"], validate_constraints=False)
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError as exc:  # a concurrent nomination of the same officer
            raise ValidationError(
                _("%(name)s is already nominated for this session.") % {"name": trainee.full_name}
            ) from exc
        _record(enrollment, from_status="", actor=actor, reason="")
        created.append(enrollment)
    return created


def _enroll_if_started(*, enrollment: Enrollment) -> None:
    if enrollment.status != S.APPROVED:
        return
    started = enrollment.session_id is None or (
        ClassSession.objects.filter(pk=enrollment.session_id, status=SS.IN_PROGRESS).exists()
    )
    if started:
        enrollment_transition(
            actor=None, enrollment=enrollment, to_status=S.ENROLLED, reason=_("The course has started.")
        )


@transaction.atomic
def enrollment_approve(*, actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """A program administrator grants a place: capacity and (US-funded) vetting are checked under
    the session's row lock, so two approvals of the last place cannot both win. When the session
    is full and keeps a waiting list, the nomination goes to the waiting list instead."""
    if not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators approve nominations."))
    try:
        enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.APPROVED, reason=reason)
    except ValidationError as error:
        session = enrollment.session
        full = getattr(error, "code", None) == "full"
        if full and session.keeps_waiting_list and enrollment.status == S.NOMINATED:
            return enrollment_transition(
                actor=actor,
                enrollment=enrollment,
                to_status=S.WAITLISTED,
                reason=_("The session is full: on the waiting list."),
            )
        raise
    _enroll_if_started(enrollment=enrollment)
    return enrollment


def enrollment_reject(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    return enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.REJECTED, reason=reason)


def enrollment_complete_manually(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """An administrator completes an enrollment whatever the rules say (training verified
    another way), with a reason. Only an enrolled trainee can be completed."""
    return enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.COMPLETED, reason=reason)


def enrollment_fail(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    return enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.FAILED, reason=reason)


@transaction.atomic
def enrollment_withdraw(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """The trainee, their agency or an administrator withdraws. A freed place goes to the oldest
    waiting nomination that may take it, when the session keeps a waiting list."""
    held_place = Enrollment.objects.get(pk=enrollment.pk).status in Enrollment.PLACE_STATUSES
    enrollment_transition(actor=actor, enrollment=enrollment, to_status=S.WITHDRAWN, reason=reason)
    session = enrollment.session
    if held_place and session is not None and session.keeps_waiting_list:
        waiting = Enrollment.objects.filter(session=session, status=S.WAITLISTED).order_by(
            "waitlisted_at", "id"
        )
        for candidate in waiting:
            try:
                with transaction.atomic():
                    enrollment_transition(
                        actor=None,
                        enrollment=candidate,
                        to_status=S.APPROVED,
                        reason=_("A place was freed: first on the waiting list."),
                    )
            except ValidationError:
                continue  # e.g. vetting lapsed: the next one gets the place
            _enroll_if_started(enrollment=candidate)
            break
    return enrollment


@transaction.atomic
def enrollment_self_enroll(*, user, course: CoursePage, session: ClassSession | None = None) -> Enrollment:
    """A logged-in officer enrols in a self-enrolment course (self-paced, or an open session).
    Vetting applies to US-funded courses; capacity to sessions."""
    trainee = Trainee.objects.filter(user=user).select_related("agency", "unit").first() if user else None
    if trainee is None or not user.is_authenticated:
        raise PermissionDenied(_("Only officers with a personnel record enrol in courses."))
    source = _source_course(course)
    if source.admission != CoursePage.Admission.SELF_ENROLMENT or not source.live:
        raise ValidationError(_("This course does not take self-enrolment."))
    if trainee.status != Trainee.Status.ACTIVE:
        raise ValidationError(_("Only active officers enrol in courses."))
    if session is not None:
        session = ClassSession.objects.select_for_update().get(pk=session.pk)
        if session.course_key != source.translation_key or session.status not in (SS.OPEN, SS.IN_PROGRESS):
            raise ValidationError(_("This session does not take enrolments."))
    ongoing = Enrollment.objects.filter(
        trainee=trainee,
        course_key=source.translation_key,
        status__in=(S.NOMINATED, S.WAITLISTED, S.APPROVED, S.ENROLLED),
    )
    if ongoing.exists():
        raise ValidationError(_("You are already enrolled in this course."))
    enrollment = Enrollment(
        trainee=trainee,
        course_key=source.translation_key,
        course=source,
        session=session,
        status=S.ENROLLED,
        language="en" if (get_language() or "es").startswith("en") else "es",
    )
    _check_place(enrollment)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        raise ValidationError(_("You are already enrolled in this course.")) from exc
    _record(enrollment, from_status="", actor=user, reason=_("Self-enrolment"))
    return enrollment


# --- sessions ----------------------------------------------------------------------------------


def _check_instructors(users) -> None:
    not_teachers = [u for u in users if not (is_instructor(u) or is_program_admin(u))]
    if not_teachers:
        name = not_teachers[0].get_full_name() or not_teachers[0].email
        raise ValidationError({"instructors": _("%(name)s is not an instructor.") % {"name": name}})


@transaction.atomic
def session_create(
    *, actor, course: CoursePage, code: str, starts_on, ends_on, capacity: int, **fields
) -> ClassSession:
    """Program administrators schedule sessions of any course; an instructor schedules sessions
    of the courses they teach (and teaches them). A new session is planned: opening it for
    nominations is an administrator's decision (`session_transition`)."""
    instructors = list(fields.pop("instructors", ()))
    source = _source_course(course)
    if actor is not None and not is_program_admin(actor):
        if not is_course_instructor(user=actor, course=source):
            raise PermissionDenied(
                _("Only program administrators and the course's instructors schedule sessions.")
            )
        if fields.get("status", SS.PLANNED) != SS.PLANNED:
            raise PermissionDenied(_("A new session starts as planned; an administrator opens it."))
        if actor not in instructors:
            instructors.append(actor)
    _check_instructors(instructors)
    session = ClassSession(
        course=source,
        course_key=source.translation_key,
        code=code.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        **fields,
    )
    session.full_clean()
    session.save()
    session.instructors.set(instructors)
    ClassSessionTransition.objects.create(session=session, to_status=session.status, actor=actor)
    return session


EDITABLE_SESSION_FIELDS = (
    "code",
    "title",
    "starts_on",
    "ends_on",
    "nomination_deadline",
    "delivery_mode",
    "language",
    "academy",
    "city",
    "country",
    "capacity",
    "keeps_waiting_list",
)


@transaction.atomic
def session_update(*, actor, session: ClassSession, instructors=None, **fields) -> ClassSession:
    """Changes a session's details. Administrators edit any session that is not closed or
    cancelled; its instructors edit it while it is planned. The capacity never drops below the
    places already granted. The course and the status do not change here."""
    current = ClassSession.objects.select_for_update().get(pk=session.pk)
    admin = is_program_admin(actor)
    teaches = current.instructors.filter(pk=actor.pk).exists()
    if not admin and not (teaches and current.status == SS.PLANNED):
        raise PermissionDenied(_("Only program administrators change this session."))
    if current.status in (SS.CLOSED, SS.CANCELLED):
        raise ValidationError(_("A closed or cancelled session cannot be changed."))
    unknown = set(fields) - set(EDITABLE_SESSION_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    current.full_clean()
    taken = places_taken(session=current)
    if current.capacity < taken:
        raise ValidationError(
            {
                "capacity": _("%(taken)s places are already granted: the capacity cannot be lower.")
                % {"taken": taken}
            }
        )
    if instructors is not None:
        if not admin:
            raise PermissionDenied(_("Only program administrators assign instructors."))
        instructors = list(instructors)
        _check_instructors(instructors)
    current.save()
    if instructors is not None:
        current.instructors.set(instructors)
    for name in fields:
        setattr(session, name, getattr(current, name))
    return session


@transaction.atomic
def session_transition(*, actor, session: ClassSession, to_status: str, reason: str = "") -> ClassSession:
    """THE way a session changes status. Starting it enrolls the approved trainees; closing it
    applies the completion rules to everyone enrolled."""
    if actor is not None and not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators change a session's status."))
    current = ClassSession.objects.select_for_update().get(pk=session.pk)
    if current.status == to_status:
        session.status = current.status
        return session
    if to_status not in SESSION_MOVES.get(current.status, set()):
        raise ValidationError(
            _("A session cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": SS(current.status).label,
                "to": SS(to_status).label if to_status in SS.values else to_status,
            }
        )
    from_status = current.status
    current.status = to_status
    current.save(update_fields=["status", "updated_at"])
    ClassSessionTransition.objects.create(
        session=current,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=(reason or "").strip(),
    )
    session.status = to_status
    if to_status == SS.IN_PROGRESS:
        for enrollment in current.enrollments.filter(status=S.APPROVED):
            enrollment_transition(
                actor=None, enrollment=enrollment, to_status=S.ENROLLED, reason=_("The session started.")
            )
            # Approved trainees may study ahead: one who already met the rules completes now.
            enrollment_complete_if_done(enrollment=enrollment)
    elif to_status == SS.CLOSED:
        for enrollment in current.enrollments.filter(status=S.ENROLLED):
            enrollment_complete_if_done(enrollment=enrollment)
    elif to_status == SS.CANCELLED:
        # Nobody stays nominated for, or holding a place in, a session that will not happen.
        live = (S.NOMINATED, S.WAITLISTED, S.APPROVED, S.ENROLLED)
        for enrollment in current.enrollments.filter(status__in=live):
            enrollment_transition(
                actor=None,
                enrollment=enrollment,
                to_status=S.WITHDRAWN,
                reason=_("The session was cancelled: %(reason)s") % {"reason": (reason or "").strip() or "—"},
            )
    return session


# --- progress, attendance, completion ----------------------------------------------------------


@transaction.atomic
def module_complete(*, user, module: ModulePage) -> ModuleProgress:
    """The trainee says they finished a module (any language's copy). Idempotent."""
    module = module.specific if hasattr(module, "specific") else module
    course = module.get_parent().specific
    trainee = Trainee.objects.filter(user=user).first() if user and user.is_authenticated else None
    enrollment = (
        Enrollment.objects.filter(
            trainee=trainee, course_key=course.translation_key, status__in=(S.APPROVED, S.ENROLLED)
        )
        .order_by("-created_at")
        .first()
        if trainee
        else None
    )
    if enrollment is None:
        raise PermissionDenied(_("You are not enrolled in this course."))
    progress, _created = ModuleProgress.objects.get_or_create(
        enrollment=enrollment, module_key=module.translation_key, defaults={"completed_at": timezone.now()}
    )
    enrollment_complete_if_done(enrollment=enrollment)
    return progress


@transaction.atomic
def attendance_record(
    *, actor, session: ClassSession, on: datetime.date, marks: Mapping[int, str]
) -> list[Attendance]:
    """An instructor of the session (or an administrator) takes one day's attendance:
    `marks` maps enrollment ids to present/late/excused/absent. All checked first; re-recording
    a day updates it."""
    if not (is_program_admin(actor) or session.instructors.filter(pk=actor.pk).exists()):
        raise PermissionDenied(_("You do not teach this session."))
    errors = []
    if session.status not in (SS.IN_PROGRESS, SS.CLOSED):
        errors.append(_("Attendance is taken in a session that has started."))
    if not session.starts_on <= on <= session.ends_on:
        errors.append(_("%(date)s is not a day of this session.") % {"date": on.isoformat()})
    if on > timezone.localdate():
        errors.append(_("Attendance cannot be taken for a future day."))
    enrollments = {
        e.pk: e
        for e in session.enrollments.filter(
            pk__in=list(marks), status__in=(S.ENROLLED, S.COMPLETED, S.FAILED)
        )
    }
    for enrollment_id, status in marks.items():
        if enrollment_id not in enrollments:
            errors.append(_("Enrollment %(id)s is not a trainee of this session.") % {"id": enrollment_id})
        if status not in Attendance.Status.values:
            errors.append(_("Unknown attendance status “%(status)s”.") % {"status": status})
    if errors:
        raise ValidationError(errors)
    rows = []
    for enrollment_id, status in marks.items():
        row, _created = Attendance.objects.update_or_create(
            enrollment=enrollments[enrollment_id], date=on, defaults={"status": status, "recorded_by": actor}
        )
        rows.append(row)
    return rows


def completion_check(*, enrollment: Enrollment) -> list[str]:
    """What the enrollment still lacks for the course's completion rules (empty when done).
    Exams: each required, published exam (in any of its languages) passed."""
    course = enrollment.course
    missing = []
    if course.requires_all_modules:
        required = course_module_keys(course_key=enrollment.course_key)
        done = set(enrollment.progress.values_list("module_key", flat=True))
        if required - done:
            missing.append("modules")
    if course.min_attendance_percent and enrollment.session_id:
        rate = attendance_rate(enrollment=enrollment)
        if rate is None or rate * 100 < course.min_attendance_percent:
            missing.append("attendance")
    if course.requires_exams_passed:
        from .selectors_assessment import exams_missing

        if exams_missing(enrollment=enrollment):
            missing.append("exams")
    from .selectors_practical import practicals_missing  # required, published score sheets passed

    if practicals_missing(enrollment=enrollment):
        missing.append("practicals")
    return missing


@transaction.atomic
def enrollment_complete_if_done(*, enrollment: Enrollment) -> bool:
    """Completes the enrollment when the rules are met. Completion happens once: the row lock
    and the transition's idempotence make a second call (or a concurrent one) a no-op.
    Returns whether this call completed it. Later issues extend this to award the credential."""
    current = (
        Enrollment.objects.select_for_update(of=("self",)).select_related("course").get(pk=enrollment.pk)
    )
    if current.status != S.ENROLLED or completion_check(enrollment=current):
        return False
    enrollment_transition(
        actor=None, enrollment=current, to_status=S.COMPLETED, reason=_("Completion rules met.")
    )
    _refresh(enrollment, current)
    return True
