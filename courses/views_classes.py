"""Instructors' and administrators' class screens: "My classes", scheduling a session, a
session's roster (trainees of every agency, progress, attendance, results), its status and the
phone-friendly attendance page. Thin views: reads are scoped by `sessions_visible_to` (a
session one does not teach is 404), every write is a service."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certification import access as registry_access
from certification.models import Country
from certification.roles import INSTRUCTORS, is_instructor, is_program_admin
from certification.views import apply_service_errors

from .access import sessions_visible_to
from .forms_training import SessionForm, SessionStatusForm
from .models import CourseInstructorGroup, CoursePage
from .models_enrollment import Attendance, ClassSession, Enrollment
from .selectors_enrollment import attendance_percent, course_module_keys, session_roster
from .services_enrollment import (
    EDITABLE_SESSION_FIELDS,
    SESSION_MOVES,
    attendance_record,
    session_create,
    session_transition,
    session_update,
)
from .views_training import PAGE_SIZE, _courses_by_key

S = Enrollment.Status
SS = ClassSession.Status
ATTENDANCE_STATUSES = (S.ENROLLED, S.COMPLETED, S.FAILED)
MARK_KEY = re.compile(r"[0-9]{1,18}")  # an enrollment id, in ASCII digits, that fits a database key


def _session_or_404(user, session_id: int) -> ClassSession:
    return registry_access.get_or_404(sessions_visible_to(user), pk=session_id)


def schedulable_courses(user):
    """The courses a user may schedule sessions of, one copy each (the source): every live
    course for administrators, the courses they teach for instructors."""
    courses = CoursePage.objects.live().order_by("pk")
    if not is_program_admin(user):
        keys = CourseInstructorGroup.objects.filter(group__user=user).values("course_key")
        courses = courses.filter(translation_key__in=keys)
    first_of_each = {}
    for pk, key in courses.values_list("pk", "translation_key"):
        first_of_each.setdefault(key, pk)
    return CoursePage.objects.filter(pk__in=first_of_each.values()).order_by("code")


@login_required
def my_classes(request):
    """The sessions an instructor teaches (every session, for administrators), soonest first."""
    if not (is_program_admin(request.user) or is_instructor(request.user)):
        raise Http404
    can_schedule = is_program_admin(request.user) or schedulable_courses(request.user).exists()
    sessions_qs = sessions_visible_to(request.user)
    today = timezone.localdate()
    show_past = request.GET.get("past") == "1"
    sessions_qs = (
        sessions_qs.filter(ends_on__lt=today) if show_past else sessions_qs.filter(ends_on__gte=today)
    )
    sessions_qs = sessions_qs.annotate(
        taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.PLACE_STATUSES)),
        pending=Count("enrollments", filter=Q(enrollments__status__in=(S.NOMINATED, S.WAITLISTED))),
    ).order_by(*(("-starts_on", "code") if show_past else ("starts_on", "code")))
    page = Paginator(sessions_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    courses = _courses_by_key(s.course_key for s in page)
    for session in page:
        session.title_course = courses.get(session.course_key, {}).get("course", session.course)
    return render(
        request,
        "courses/classes/my_classes.html",
        {"page": page, "show_past": show_past, "can_schedule": can_schedule, "query": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request):
    """Administrators schedule a session of any course, instructors of the courses they teach."""
    courses = schedulable_courses(request.user)
    admin = is_program_admin(request.user)
    if not (admin or courses.exists()):
        raise Http404
    form = SessionForm(
        request.POST or None,
        courses=courses,
        countries=Country.objects.order_by("code"),
        instructors=_instructor_choices() if admin else None,
        initial={"language": "es", "delivery_mode": ClassSession.DeliveryMode.IN_PERSON},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        course = data.pop("course")
        try:
            session = session_create(actor=request.user, course=course, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Session %(code)s scheduled (planned).") % {"code": session.code})
            return redirect("training:session_detail", session_id=session.id)
    return render(request, "courses/classes/session_new.html", {"form": form})


def _may_edit(user, session: ClassSession) -> bool:
    """Mirrors `session_update`'s rule to decide what to offer (the service checks again)."""
    if session.status in (SS.CLOSED, SS.CANCELLED):
        return False
    return is_program_admin(user) or (
        session.status == SS.PLANNED and session.instructors.filter(pk=user.pk).exists()
    )


def _instructor_choices():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=INSTRUCTORS)
        .order_by("last_name", "first_name", "email")
        .distinct()
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id: int):
    """Administrators change a session's details; its instructors while it is planned."""
    session = _session_or_404(request.user, session_id)
    if not _may_edit(request.user, session):
        raise Http404
    admin = is_program_admin(request.user)
    initial = {name: getattr(session, name) for name in EDITABLE_SESSION_FIELDS}
    if admin:
        initial["instructors"] = list(session.instructors.all())
    form = SessionForm(
        request.POST or None,
        initial=initial,
        courses=None,
        countries=Country.objects.order_by("code"),
        instructors=_instructor_choices() if admin else None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        instructors = data.pop("instructors", None)
        try:
            session_update(actor=request.user, session=session, instructors=instructors, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Session %(code)s saved.") % {"code": session.code})
            return redirect("training:session_detail", session_id=session.id)
    return render(request, "courses/classes/session_edit.html", {"form": form, "session": session})


@login_required
def session_detail(request, session_id: int):
    """A session's roster: trainees of every agency, with progress, attendance and results."""
    session = _session_or_404(request.user, session_id)
    roster = list(session_roster(session=session))
    total_modules = len(course_module_keys(course_key=session.course_key))
    for enrollment in roster:
        enrollment.modules_done = min(enrollment.modules_done, total_modules)
        enrollment.attendance_percent = attendance_percent(enrollment.attended, enrollment.counted)
    pending = session.enrollments.filter(status__in=(S.NOMINATED, S.WAITLISTED)).count()
    taken = sum(1 for e in roster if e.status in Enrollment.PLACE_STATUSES)
    admin = is_program_admin(request.user)
    moves = sorted(SESSION_MOVES.get(session.status, ()), key=list(SS.values).index) if admin else []
    course = _courses_by_key([session.course_key]).get(session.course_key, {}).get("course", session.course)
    return render(
        request,
        "courses/classes/session_detail.html",
        {
            "session": session,
            "course": course,
            "roster": roster,
            "total_modules": total_modules,
            "taken": taken,
            "pending": pending,
            "is_admin": admin,
            "status_form": SessionStatusForm(moves=moves) if moves else None,
            "history": [
                (step, SS(step.to_status).label) for step in session.transitions.select_related("actor")
            ],
            "takes_bulk": admin and session.status in (SS.OPEN, SS.IN_PROGRESS),
            "may_edit": _may_edit(request.user, session),
        },
    )


@login_required
def session_status(request, session_id: int):
    """An administrator moves a session to another status (POST). The scope is checked before
    the method, so a session one may not see is 404 whatever the method."""
    session = _session_or_404(request.user, session_id)
    if not is_program_admin(request.user):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SessionStatusForm(request.POST, moves=SESSION_MOVES.get(session.status, ()))
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses offered."))
        return redirect("training:session_detail", session_id=session.id)
    try:
        session_transition(
            actor=request.user,
            session=session,
            to_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": text})
    else:
        messages.success(
            request,
            _("Session %(code)s is now “%(status)s”.")
            % {"code": session.code, "status": SS(session.status).label},
        )
    return redirect("training:session_detail", session_id=session.id)


def _day(raw: str | None) -> datetime.date | None:
    """An ISO date typed or tampered with: None when it is not a real day (2026-02-30)."""
    try:
        return parse_date(raw or "")
    except ValueError:
        return None


def _attendance_day(session: ClassSession, raw: str | None) -> datetime.date:
    """The day asked for, else today, kept within the session's days (and not in the future)."""
    today = timezone.localdate()
    day = _day(raw)
    if day is None:
        day = today
    last = min(session.ends_on, today)
    return max(session.starts_on, min(day, last))


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, session_id: int):
    """One day's attendance of a session, a row per trainee, made for a phone."""
    session = _session_or_404(request.user, session_id)
    if not session.takes_attendance:
        raise Http404
    if request.method == "POST":
        day = _day(request.POST.get("date"))
        marks, tampered = {}, False
        for key, value in request.POST.items():
            if key.startswith("mark-"):
                number = key.removeprefix("mark-")
                if MARK_KEY.fullmatch(number):
                    marks[int(number)] = value
                else:
                    tampered = True
        if day is None:
            messages.error(request, _("Choose a valid day."))
        elif tampered:
            messages.error(request, _("Nothing was saved: the form was not one this page sent."))
        elif not marks:
            messages.error(request, _("Mark at least one trainee."))
        else:
            try:
                attendance_record(actor=request.user, session=session, on=day, marks=marks)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": text})
            else:
                messages.success(request, _("Attendance for %(date)s saved.") % {"date": day.isoformat()})
                return redirect(f"{request.path}?date={day.isoformat()}")
        return redirect(request.get_full_path())
    day = _attendance_day(session, request.GET.get("date"))
    roster = list(
        session.enrollments.filter(status__in=ATTENDANCE_STATUSES)
        .select_related("trainee__agency__country")
        .order_by("trainee__first_surname", "trainee__second_surname", "trainee__given_names", "id")
    )
    marks = dict(
        Attendance.objects.filter(enrollment__in=roster, date=day).values_list("enrollment_id", "status")
    )
    for enrollment in roster:
        enrollment.mark = marks.get(enrollment.pk, "")
    today = timezone.localdate()
    previous_day = day - datetime.timedelta(days=1)
    next_day = day + datetime.timedelta(days=1)
    return render(
        request,
        "courses/classes/attendance.html",
        {
            "session": session,
            "day": day,
            "roster": roster,
            "statuses": Attendance.Status.choices,
            "previous_day": previous_day if previous_day >= session.starts_on else None,
            "next_day": next_day if next_day <= min(session.ends_on, today) else None,
            "can_record": session.starts_on <= today,
        },
    )
