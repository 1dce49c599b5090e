"""Practical evaluations: a session's score sheets and each trainee's result, the phone page on
which an instructor of the session scores one trainee (and overrides a result with a reason),
and the page where a course's instructors write a score sheet. Thin views: reads are scoped by
`sessions_visible_to` (a session one does not teach is 404; so is an enrollment of another
session or a sheet of another course), every write is a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from certification import access as registry_access
from certification.roles import is_program_admin
from certification.views import apply_service_errors

from .access import is_course_instructor, sessions_visible_to
from .forms_practicals import OverrideForm, ScoreSheetForm, ScoreSheetItemFormSet
from .models import CoursePage
from .models_enrollment import ClassSession
from .models_practical import ScoreSheet
from .selectors_practical import EVALUATED_STATUSES, result_with_scores, session_practicals, sheets_of_course
from .services_practical import practical_override, practical_record, scoresheet_create, scoresheet_update

SS = ClassSession.Status


def _session_or_404(user, session_id: int) -> ClassSession:
    return registry_access.get_or_404(sessions_visible_to(user), pk=session_id)


@login_required
def session_sheets(request, session_id: int):
    """The course's score sheets and every trainee's result on each. A fixed number of queries."""
    session = _session_or_404(request.user, session_id)
    sheets, rows = session_practicals(session=session)
    return render(
        request,
        "courses/practicals/session.html",
        {
            "session": session,
            "sheets": sheets,
            "rows": rows,
            "may_author": is_program_admin(request.user)
            or is_course_instructor(user=request.user, course=session.course),
        },
    )


def _posted_scores(post, sheet: ScoreSheet, items) -> tuple[dict, bool]:
    """The scores a form posted, by item id, and whether a field name was tampered with.
    An unticked checkbox sends nothing: on a checklist every item not posted is "failed"."""
    scores, tampered = {}, False
    for key, value in post.items():
        if key.startswith("item-"):
            number = key.removeprefix("item-")
            if number.isdigit():
                scores[int(number)] = value
            else:
                tampered = True
    if sheet.kind == ScoreSheet.Kind.CHECKLIST:
        for item in items:
            scores.setdefault(item.pk, "0")
    else:
        scores = {k: v for k, v in scores.items() if str(v).strip() != ""}  # blank: "not scored"
    return scores, tampered


@login_required
@require_http_methods(["GET", "POST"])
def score_trainee(request, session_id: int, sheet_id: int, enrollment_id: int):
    """The phone page: one trainee, one sheet. Instructors of the session record the result;
    they and program administrators override it with a reason."""
    session = _session_or_404(request.user, session_id)
    enrollment = registry_access.get_or_404(
        session.enrollments.filter(status__in=EVALUATED_STATUSES).select_related("trainee__agency__country"),
        pk=enrollment_id,
    )
    sheet = registry_access.get_or_404(
        ScoreSheet.objects.filter(course_key=session.course_key, published=True), pk=sheet_id
    )
    items = list(sheet.items.order_by("position", "id"))
    user = request.user
    is_self = enrollment.trainee.user_id == user.pk
    teaches = session.instructors.filter(pk=user.pk).exists()
    can_record = teaches and not is_self and session.status in (SS.IN_PROGRESS, SS.CLOSED)
    result, saved = result_with_scores(enrollment=enrollment, sheet=sheet)
    can_override = result is not None and not is_self and (teaches or is_program_admin(user))
    errors, posted, notes = [], None, result.notes if result else ""
    override_form = OverrideForm(
        initial={"result": {True: "passed", False: "failed"}.get(result.override_passed, "computed")}
        if result
        else None
    )
    if request.method == "POST":
        if request.POST.get("action") == "override":
            if result is None:
                raise Http404  # nothing recorded yet: nothing to override
            override_form = OverrideForm(request.POST)
            if override_form.is_valid():
                try:
                    practical_override(
                        actor=user,
                        result=result,
                        passed=override_form.passed(),
                        reason=override_form.cleaned_data["reason"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    if isinstance(error, ValidationError):
                        apply_service_errors(override_form, error)
                    else:
                        override_form.add_error(None, str(error))
                else:
                    messages.success(request, _("The override is saved."))
                    return redirect(request.path)
        else:
            posted, tampered = _posted_scores(request.POST, sheet, items)
            notes = request.POST.get("notes", "")
            if tampered:
                errors = [_("The form was not one this page sent.")]
            else:
                try:
                    practical_record(
                        evaluator=user, enrollment=enrollment, sheet=sheet, scores=posted, notes=notes
                    )
                except ValidationError as error:
                    errors = error.messages
                except PermissionDenied as error:
                    errors = [str(error)]
                else:
                    messages.success(
                        request,
                        _("Result of %(name)s on “%(sheet)s” saved.")
                        % {"name": enrollment.trainee.sort_name, "sheet": sheet.title},
                    )
                    return redirect("practicals:session", session_id=session.id)
    for item in items:
        if posted is not None:
            item.value = posted.get(item.pk, "")
            item.checked = str(item.value).strip().lower() in ("1", "true", "on", "yes")
        else:
            score = saved.get(item.pk)
            item.value = "" if score is None or score.points is None else score.points
            item.checked = bool(score and score.passed)
    return render(
        request,
        "courses/practicals/score.html",
        {
            "session": session,
            "sheet": sheet,
            "items": items,
            "enrollment": enrollment,
            "result": result,
            "notes": notes,
            "errors": errors,
            "can_record": can_record,
            "is_self": is_self,
            "teaches": teaches,
            "can_override": can_override,
            "override_form": override_form,
            "audit": list(result.audit.select_related("actor")) if result else [],
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_new(request, course_id: int):
    """A course's instructors and program administrators write a score sheet with its items;
    the page lists the course's sheets above the form."""
    course = registry_access.get_or_404(CoursePage.objects.all(), pk=course_id)
    if not (is_program_admin(request.user) or is_course_instructor(user=request.user, course=course)):
        raise Http404
    form = ScoreSheetForm(request.POST or None, initial={"is_required": True})
    formset = ScoreSheetItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.cleaned_data for f in formset.forms if f.has_changed() and not f.is_blank()]
        try:
            sheet = scoresheet_create(actor=request.user, course=course, items=items, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Score sheet “%(title)s” saved.") % {"title": sheet.title})
            return redirect("practicals:sheet_new", course_id=course.id)
    return render(
        request,
        "courses/practicals/sheet_new.html",
        {
            "course": course,
            "form": form,
            "formset": formset,
            "sheets": list(sheets_of_course(course_key=course.translation_key, published_only=False)),
        },
    )


SHEET_FIELDS = (
    "title_es",
    "title_en",
    "instructions_es",
    "instructions_en",
    "kind",
    "pass_threshold",
    "is_required",
    "published",
)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request, sheet_id: int):
    """Edits or publishes a score sheet (its course's instructors and program administrators).
    Once trainees are scored on it, the service lets only its wording and publication change."""
    sheet = registry_access.get_or_404(ScoreSheet.objects.select_related("course"), pk=sheet_id)
    course = sheet.course
    if not (is_program_admin(request.user) or is_course_instructor(user=request.user, course=course)):
        raise Http404
    items = list(sheet.items.order_by("position", "id"))
    form = ScoreSheetForm(request.POST or None, initial={f: getattr(sheet, f) for f in SHEET_FIELDS})
    # Posted rows are read as they come: with `initial`, a row equal to it would count as
    # unchanged and be skipped (the management form's count is the browser's to send).
    formset = ScoreSheetItemFormSet(
        request.POST or None,
        prefix="items",
        initial=None
        if request.method == "POST"
        else [
            {"text_es": i.text_es, "text_en": i.text_en, "max_points": i.max_points, "critical": i.critical}
            for i in items
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if not f.is_blank()]
        try:
            sheet = scoresheet_update(actor=request.user, sheet=sheet, items=rows, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Score sheet “%(title)s” saved.") % {"title": sheet.title})
            return redirect("practicals:sheet_new", course_id=course.id)
    return render(
        request,
        "courses/practicals/sheet_edit.html",
        {
            "course": course,
            "sheet": sheet,
            "form": form,
            "formset": formset,
            "scored": sheet.results.exists(),
        },
        status=400 if request.method == "POST" else 200,
    )
