"""Training screens: a trainee's "My training", marking a module complete, an agency's
nominations and the administrators' nomination queue. Thin views: every read is scoped through
courses.access / certification.access (a foreign object is 404), every write is a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from certification import access as registry_access
from certification.filters import vetting_display
from certification.models import Trainee
from certification.roles import is_program_admin
from certification.views import apply_service_errors

from .access import enrollments_visible_to
from .forms_training import EnrollmentActionForm, NominationForm, QueueDecisionForm
from .models import CoursePage, ModulePage
from .models_enrollment import ClassSession, Enrollment
from .selectors_enrollment import attendance_percent, enrollment_for_user, nomination_queue
from .services_enrollment import (
    enrollment_approve,
    enrollment_complete_manually,
    enrollment_fail,
    enrollment_nominate,
    enrollment_reject,
    enrollment_self_enroll,
    enrollment_withdraw,
    module_complete,
)

S = Enrollment.Status
PAGE_SIZE = 50


def _language() -> str:
    return "en" if (get_language() or "es").startswith("en") else "es"


def _courses_by_key(course_keys) -> dict:
    """Each course key -> {"course": the live copy in the reader's language (else the source),
    "modules": its live modules in order, "required": module keys in any language}. Two queries."""
    keys = set(course_keys)
    if not keys:
        return {}
    copies = list(
        CoursePage.objects.live().filter(translation_key__in=keys).select_related("locale").order_by("pk")
    )
    if not copies:
        return {}
    code = _language()
    chosen: dict = {}
    for copy in copies:  # ordered by pk: the first copy is the source
        current = chosen.get(copy.translation_key)
        if current is None or (copy.locale.language_code == code and current.locale.language_code != code):
            chosen[copy.translation_key] = copy
    query = Q()
    for copy in copies:
        query |= Q(path__startswith=copy.path, depth=copy.depth + 1)
    modules = list(
        ModulePage.objects.live()
        .filter(query)
        .only("id", "title", "url_path", "path", "depth", "translation_key", "locale")
        .order_by("path")
    )
    key_of_path = {copy.path: copy.translation_key for copy in copies}
    sources: dict = {}
    for copy in copies:  # ordered by pk: the first copy of each course is its source
        sources.setdefault(copy.translation_key, copy)
    by_locale = {(m.translation_key, m.locale_id): m for m in modules}
    result = {key: {"course": course, "modules": [], "required": set()} for key, course in chosen.items()}
    for module in modules:
        key = key_of_path.get(module.path[: -ModulePage.steplen])
        if key is None:
            continue
        result[key]["required"].add(module.translation_key)
        if module.path.startswith(sources[key].path):  # the source's order, in the reader's language
            localized = by_locale.get((module.translation_key, result[key]["course"].locale_id), module)
            result[key]["modules"].append(localized)
    return result


@login_required
def my_training(request):
    """The logged-in officer's courses, sessions, completed courses and nominations."""
    trainee = Trainee.objects.filter(user=request.user).first()
    if trainee is None:
        raise Http404
    enrollments = list(
        enrollments_visible_to(request.user)
        .filter(trainee=trainee)
        .prefetch_related("progress")
        .order_by("-created_at", "-id")
    )
    courses = _courses_by_key(e.course_key for e in enrollments)
    today = timezone.localdate()
    current, upcoming, completed, nominations = [], [], [], []
    for enrollment in enrollments:
        info = courses.get(enrollment.course_key) or {
            "course": enrollment.course,
            "modules": [],
            "required": set(),
        }
        enrollment.title_course = info["course"]
        done_keys = {p.module_key for p in enrollment.progress.all()}
        enrollment.modules_done = len(done_keys & info["required"])
        enrollment.modules_total = len(info["required"])
        enrollment.next_module = next(
            (m for m in info["modules"] if m.translation_key not in done_keys), None
        )
        if enrollment.status in (S.APPROVED, S.ENROLLED):
            current.append(enrollment)
            if enrollment.session_id and enrollment.session.ends_on >= today:
                upcoming.append(enrollment)
        elif enrollment.status == S.COMPLETED:
            completed.append(enrollment)
        elif enrollment.status in (S.NOMINATED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN, S.FAILED):
            nominations.append(enrollment)
    upcoming.sort(key=lambda e: e.session.starts_on)
    exams = _published_exams({e.course_key for e in current})
    for enrollment in current:
        enrollment.exams = exams.get(enrollment.course_key, [])
    certificates = (
        registry_access.certificates_visible_to(request.user)
        .filter(trainee=trainee)
        .exclude(status="superseded")
        .order_by("-issued_on", "-id")
    )
    return render(
        request,
        "courses/training/my_training.html",
        {
            "trainee": trainee,
            "current": current,
            "upcoming": upcoming,
            "completed": completed,
            "nominations": nominations,
            "certificates": certificates,
        },
    )


def _published_exams(course_keys) -> dict:
    """Course key -> its published exams, one per language group, in the reader's language
    where one exists. One query whatever the number of courses."""
    from .models_assessment import Exam

    if not course_keys:
        return {}
    chosen: dict = {}
    for exam in Exam.objects.filter(course_key__in=course_keys, published=True).order_by("pk"):
        current = chosen.get(exam.group_key)
        if current is None or (exam.language == _language() and current.language != _language()):
            chosen[exam.group_key] = exam
    by_course: dict = {}
    for exam in chosen.values():
        by_course.setdefault(exam.course_key, []).append(exam)
    return by_course


@login_required
@require_POST
def module_mark_complete(request, module_id: int):
    """The enrolled trainee says they finished a module (at its end)."""
    module = ModulePage.objects.live().filter(pk=module_id).first()
    if module is None:
        raise Http404
    course = module.course()
    if (
        enrollment_for_user(
            user=request.user, course_key=course.translation_key, statuses=(S.APPROVED, S.ENROLLED)
        )
        is None
    ):
        raise Http404
    try:
        module_complete(user=request.user, module=module)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Module “%(title)s” marked complete.") % {"title": module.title})
    return redirect(module.get_url(request) or "training:my_training")


def _open_sessions(language: str):
    today = timezone.localdate()
    return (
        ClassSession.objects.filter(status=ClassSession.Status.OPEN)
        .filter(Q(nomination_deadline__isnull=True) | Q(nomination_deadline__gte=today))
        .select_related("course", "country")
        .annotate(taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.PLACE_STATUSES)))
        .order_by("starts_on", "code")
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_nominations(request, agency_id: int):
    """An agency head or coordinator nominates officers for open sessions and follows their
    nominations and enrollments. Administrators may look; only the agency's staff nominate."""
    agency = registry_access.get_or_404(registry_access.agencies_visible_to(request.user), pk=agency_id)
    can_nominate = agency.id in registry_access.managed_agency_ids(request.user)
    sessions = list(_open_sessions(_language()))  # counted once; the form chooses among these
    sessions_qs = ClassSession.objects.filter(pk__in=[s.pk for s in sessions]).order_by("starts_on", "code")
    officers = registry_access.trainees_visible_to(request.user).filter(agency=agency, status="active")
    form = None
    if can_nominate:
        initial = {"language": _language(), "session": request.GET.get("session")}
        form = NominationForm(
            request.POST or None,
            initial=initial,
            sessions=sessions_qs,
            officers=officers.order_by("first_surname", "second_surname", "given_names", "id"),
        )
        if request.method == "POST" and form.is_valid():
            try:
                created = enrollment_nominate(
                    actor=request.user,
                    session=form.cleaned_data["session"],
                    trainees=list(form.cleaned_data["trainees"]),
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                count = len(created)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s officer nominated for %(code)s.",
                        "%(count)s officers nominated for %(code)s.",
                        count,
                    )
                    % {"count": count, "code": form.cleaned_data["session"].code},
                )
                return redirect("training:agency_nominations", agency_id=agency.id)
    elif request.method == "POST":
        raise Http404
    courses = _courses_by_key(s.course_key for s in sessions)
    for session in sessions:
        session.title_course = courses.get(session.course_key, {}).get("course", session.course)
        session.places_left = max(session.capacity - session.taken, 0)
    enrollments = (
        enrollments_visible_to(request.user).filter(trainee__agency=agency).order_by("-created_at", "-id")
    )
    page = Paginator(enrollments, PAGE_SIZE).get_page(request.GET.get("page"))
    page_courses = _courses_by_key(e.course_key for e in page)
    for enrollment in page:
        enrollment.title_course = page_courses.get(enrollment.course_key, {}).get("course", enrollment.course)
    return render(
        request,
        "courses/training/agency_nominations.html",
        {"agency": agency, "sessions": sessions, "form": form, "page": page, "query": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_queue_view(request):
    """Program administrators approve or reject pending nominations of every agency."""
    if not is_program_admin(request.user):
        raise Http404
    if request.method == "POST":
        form = QueueDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(request.get_full_path())
        enrollment = registry_access.get_or_404(
            nomination_queue(user=request.user), pk=form.cleaned_data["enrollment"]
        )
        name = enrollment.trainee.full_name
        try:
            if form.cleaned_data["action"] == "approve":
                enrollment_approve(actor=request.user, enrollment=enrollment)
            else:
                enrollment_reject(
                    actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"].strip()
                )
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": text})
        else:
            if enrollment.status == S.WAITLISTED:
                messages.warning(
                    request, _("%(name)s is on the waiting list: the session is full.") % {"name": name}
                )
            elif enrollment.status == S.REJECTED:
                messages.success(request, _("Nomination of %(name)s rejected.") % {"name": name})
            else:
                messages.success(request, _("Nomination of %(name)s approved.") % {"name": name})
        return redirect(request.get_full_path())
    queue = nomination_queue(user=request.user).select_related("trainee__unit")
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    courses = _courses_by_key(e.course_key for e in page)
    for enrollment in page:
        enrollment.title_course = courses.get(enrollment.course_key, {}).get("course", enrollment.course)
        enrollment.vetting_code, enrollment.vetting_label = vetting_display(
            enrollment.vetting_status, enrollment.vetting_valid_until
        )
    return render(request, "courses/training/queue.html", {"page": page, "query": ""})


@login_required
@require_POST
def course_self_enrol(request, course_id: int):
    """A logged-in officer enrols in a self-enrolment course (self-paced)."""
    course = CoursePage.objects.live().filter(pk=course_id).first()
    if course is None:
        raise Http404
    try:
        enrollment_self_enroll(user=request.user, course=course)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, _("You were not enrolled: %(reason)s") % {"reason": text})
    else:
        messages.success(request, _("You are enrolled in “%(title)s”.") % {"title": course.title})
    return redirect(course.get_url(request) or "training:my_training")


def _enrollment_actions(user, enrollment: Enrollment) -> list[str]:
    """What `user` may do to this enrollment here (the services check again)."""
    actions = []
    own = enrollment.trainee.user_id is not None and enrollment.trainee.user_id == user.pk
    staff = enrollment.trainee.agency_id in registry_access.managed_agency_ids(user)
    admin = is_program_admin(user)
    if enrollment.status in (S.NOMINATED, S.WAITLISTED, S.APPROVED, S.ENROLLED) and (admin or staff or own):
        actions.append("withdraw")
    if admin and enrollment.status == S.ENROLLED:
        actions += ["complete", "fail"]
    return actions


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_detail(request, enrollment_id: int):
    """One enrollment: its course, session, progress, attendance and every step with who, when
    and why; withdraw (trainee, agency, administrator) and complete or fail (administrator)."""
    enrollment = registry_access.get_or_404(enrollments_visible_to(request.user), pk=enrollment_id)
    actions = _enrollment_actions(request.user, enrollment)
    form = EnrollmentActionForm(request.POST or None, actions=actions)
    if request.method == "POST":
        if not actions:
            raise Http404
        if form.is_valid():
            service = {
                "withdraw": enrollment_withdraw,
                "complete": enrollment_complete_manually,
                "fail": enrollment_fail,
            }[form.cleaned_data["action"]]
            try:
                service(actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The enrollment is now “%(status)s”.") % {"status": S(enrollment.status).label},
                )
                return redirect("training:enrollment_detail", enrollment_id=enrollment.id)
    info = _courses_by_key([enrollment.course_key]).get(enrollment.course_key, {})
    done = set(enrollment.progress.values_list("module_key", flat=True))
    required = info.get("required", set())
    attendance = list(enrollment.attendance.order_by("date"))
    counted = sum(1 for a in attendance if a.status != "excused")
    attended = sum(1 for a in attendance if a.status in ("present", "late"))
    return render(
        request,
        "courses/training/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "course": info.get("course", enrollment.course),
            "modules": [(m, m.translation_key in done) for m in info.get("modules", [])],
            "modules_done": len(done & required),
            "modules_total": len(required),
            "attendance": attendance,
            "attendance_percent": attendance_percent(attended, counted),
            "steps": [
                (step, S(step.to_status).label) for step in enrollment.transitions.select_related("actor")
            ],
            "form": form if actions else None,
        },
    )
