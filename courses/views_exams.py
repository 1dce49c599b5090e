"""Exam screens: a trainee starts, takes (autosaved), submits and reviews an attempt; instructors
and administrators read a class's results and an exam's item analysis, override a result and
score written answers. Thin views: every read is scoped (someone else's attempt, an exam of a
course one is not enrolled in or does not teach: 404), every write is a `services_assessment`
call, which checks everything again on the server's clock.

What the trainee's pages show comes from `selectors_assessment.attempt_for_trainee` (no answer
key at all) before submission and `attempt_review` (the exam's review policy) after."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.roles import is_program_admin
from certification.tabular import csv_stream

from .access import is_course_instructor, sessions_visible_to
from .forms_exams import AttemptOverrideForm, ShortAnswerScoreForm
from .models_assessment import Attempt, AttemptQuestion, Choice, Exam, Question, Response
from .models_enrollment import Enrollment
from .selectors_assessment import (
    attempt_for_trainee,
    attempt_review,
    exam_standing,
    item_analysis,
    item_analysis_rows,
    session_exam_results,
)
from .selectors_enrollment import enrollment_for_user
from .services_assessment import (
    answer_save,
    answers_save,
    attempt_override,
    attempt_start,
    attempt_submit,
    is_overdue,
    short_answer_score,
)

RESULT_STATUSES = (*Enrollment.PLACE_STATUSES,)


def _language() -> str:
    return "en" if (get_language() or "es").startswith("en") else "es"


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _questions_per_attempt(exam: Exam) -> int:
    if exam.questions_per_attempt:
        return exam.questions_per_attempt
    if exam.per_topic:
        return sum(exam.per_topic.values())
    return exam.questions.count()


def course_exam_standings(*, enrollment: Enrollment) -> list[tuple[Exam, object]]:
    """The published exams of an enrollment's course, one per exam group (in the reader's
    language when there is one), each with the trainee's standing: `(exam, standing)` pairs for
    `courses/exams/includes/course_exams.html`. Two queries and one per exam group."""
    code = _language()
    chosen: dict = {}
    for exam in Exam.objects.filter(course_key=enrollment.course_key, published=True).order_by("title", "pk"):
        current = chosen.get(exam.group_key)
        if current is None or (exam.language == code and current.language != code):
            chosen[exam.group_key] = exam
    return [(exam, exam_standing(exam=exam, enrollment=enrollment)) for exam in chosen.values()]


# --- the trainee ---------------------------------------------------------------------------------


def _exam_and_enrollment_or_404(user, exam_id: int) -> tuple[Exam, Enrollment]:
    exam = Exam.objects.filter(pk=exam_id, published=True).first()
    if exam is None:
        raise Http404
    enrollment = enrollment_for_user(user=user, course_key=exam.course_key, statuses=RESULT_STATUSES)
    if enrollment is None:
        raise Http404
    return exam, enrollment


def _own_attempt_or_404(user, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.filter(pk=attempt_id, enrollment__trainee__user=user).first()
    if attempt is None:
        raise Http404
    return attempt


def _seconds_left(attempt: Attempt, now: datetime.datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - now).total_seconds()))


def _close_if_overdue(request, attempt: Attempt) -> Attempt:
    """An attempt left open past its deadline and grace is closed as it stood (what the periodic
    task would do a little later): the trainee sees the result, not an exam they cannot answer."""
    if attempt.status == Attempt.Status.IN_PROGRESS and is_overdue(attempt=attempt, now=timezone.now()):
        attempt = attempt_submit(user=request.user, attempt_id=attempt.pk)
    return attempt


@login_required
@require_GET
def exam_detail(request, exam_id: int):
    """An exam's start page: its rules, the trainee's attempts so far and Start / Resume."""
    exam, enrollment = _exam_and_enrollment_or_404(request.user, exam_id)
    standing = exam_standing(exam=exam, enrollment=enrollment)
    attempts = list(
        Attempt.objects.filter(enrollment=enrollment, exam_group_key=exam.group_key)
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .order_by("number")
    )
    other_languages = list(
        Exam.objects.filter(group_key=exam.group_key, published=True).exclude(pk=exam.pk).order_by("language")
    )
    now = timezone.now()
    return render(
        request,
        "courses/exams/exam_detail.html",
        {
            "exam": exam,
            "enrollment": enrollment,
            "standing": standing,
            "questions": _questions_per_attempt(exam),
            "attempts": attempts,
            "other_languages": other_languages,
            "wait_until": standing.next_start_at
            if standing.next_start_at and standing.next_start_at > now
            else None,
        },
    )


@login_required
@require_POST
def exam_start(request, exam_id: int):
    """Starts an attempt, or resumes the one in progress; a refusal is shown on the exam page."""
    exam, _enrollment = _exam_and_enrollment_or_404(request.user, exam_id)
    try:
        attempt = attempt_start(user=request.user, exam=exam)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _("The attempt was not started: %(reason)s") % {"reason": _message(error)})
        return redirect("exams:exam_detail", exam_id=exam.pk)
    return redirect("exams:attempt", attempt_id=attempt.pk)


def _format_seconds(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@login_required
@require_GET
def attempt_page(request, attempt_id: int):
    """The attempt being taken: the drawn questions in their stored order, the answers saved so
    far, the time left by the server's clock. Built from `attempt_for_trainee` only."""
    attempt = _close_if_overdue(request, _own_attempt_or_404(request.user, attempt_id))
    if attempt.is_done:
        return redirect("exams:attempt_result", attempt_id=attempt.pk)
    view = attempt_for_trainee(attempt=attempt)
    return render(
        request,
        "courses/exams/attempt.html",
        {
            "attempt": view,
            "exam_id": attempt.exam_id,
            "time_left": _format_seconds(view.seconds_left),
            "answered": sum(1 for q in view.questions if q.answered),
        },
    )


def _posted_answers(post) -> list[tuple[str, list[str], str]]:
    """(question id, choice ids, text) for each question named in the form's `questions`."""
    answers = []
    for question_id in post.getlist("questions")[:500]:
        answers.append((question_id, post.getlist(f"q-{question_id}"), post.get(f"q-{question_id}-text", "")))
    return answers


def _save_all(request, attempt: Attempt, answers) -> ValidationError | None:
    """Saves every posted answer, all or none; returns the refusal, if any."""
    try:
        answers_save(user=request.user, attempt_id=attempt.pk, answers=answers)
    except ValidationError as error:
        return error
    return None


@login_required
@require_POST
def attempt_answer(request, attempt_id: int):
    """Autosave. From exam.js (Accept: application/json): one question's answer, a JSON reply
    with when it was saved and the seconds left, or a 400 with the reason. From the form without
    JavaScript ("Save answers"): every answer on the page, then back to the attempt."""
    attempt = _own_attempt_or_404(request.user, attempt_id)
    answers = _posted_answers(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if wants_json:
        if len(answers) != 1:
            return JsonResponse({"error": _("Send one answer at a time.")}, status=400)
        question_id, choice_ids, text = answers[0]
        try:
            saved_at = answer_save(
                user=request.user,
                attempt_id=attempt.pk,
                question_id=question_id,
                choice_ids=choice_ids,
                text=text,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            closed = getattr(error, "code", None) in ("late", "done")
            body = {"error": _message(error), "closed": closed}
            if closed:
                body["result_url"] = reverse("exams:attempt_result", args=[attempt.pk])
            return JsonResponse(body, status=400)
        return JsonResponse(
            {"saved_at": saved_at.isoformat(), "seconds_left": _seconds_left(attempt, timezone.now())}
        )
    try:
        error = _save_all(request, attempt, answers)
    except PermissionDenied:
        raise Http404 from None
    if error is not None:
        messages.error(request, _("Your answers were not saved: %(reason)s") % {"reason": _message(error)})
    else:
        messages.success(request, _("Your answers are saved."))
    return redirect("exams:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def attempt_submit_view(request, attempt_id: int):
    """Saves the answers posted with the form (if any), then submits. Submitting twice gives the
    one result; after the deadline the attempt is closed as it stood."""
    attempt = _own_attempt_or_404(request.user, attempt_id)
    answers = _posted_answers(request.POST)
    try:
        if answers and not attempt.is_done:
            error = _save_all(request, attempt, answers)
            if error is not None and getattr(error, "code", None) not in ("late", "done"):
                messages.error(request, _("Nothing was submitted: %(reason)s") % {"reason": _message(error)})
                return redirect("exams:attempt", attempt_id=attempt.pk)
        attempt = attempt_submit(user=request.user, attempt_id=attempt.pk)
    except PermissionDenied:
        raise Http404 from None
    if attempt.status == Attempt.Status.AUTO_CLOSED:
        messages.warning(request, _("The time was up: your attempt was submitted as it stood."))
    return redirect("exams:attempt_result", attempt_id=attempt.pk)


@login_required
@require_GET
def attempt_result(request, attempt_id: int):
    """A submitted attempt's result, as much of it as the exam's review policy shows."""
    attempt = _close_if_overdue(request, _own_attempt_or_404(request.user, attempt_id))
    if not attempt.is_done:
        return redirect("exams:attempt", attempt_id=attempt.pk)
    review = attempt_review(attempt=attempt)
    exam = Exam.objects.only("title", "pass_mark_percent").get(pk=attempt.exam_id)
    return render(request, "courses/exams/result.html", {"review": review, "exam": exam})


# --- instructors and administrators -------------------------------------------------------------


def _may_analyse(user, exam: Exam) -> bool:
    return is_program_admin(user) or is_course_instructor(user=user, course=exam.course)


def _analysed_exam_or_404(user, exam_id: int) -> Exam:
    exam = Exam.objects.select_related("course").filter(pk=exam_id).first()
    if exam is None or not _may_analyse(user, exam):
        raise Http404
    return exam


@login_required
@require_GET
def session_results(request, session_id: int):
    """Every trainee's best score, attempts and pass or fail on each of the session's exams."""
    session = sessions_visible_to(request.user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    code = _language()
    groups: dict = {}
    for exam in Exam.objects.filter(course_key=session.course_key, published=True).order_by("title", "pk"):
        current = groups.get(exam.group_key)
        if current is None or (exam.language == code and current.language != code):
            groups[exam.group_key] = exam
    exams = list(groups.values())
    results = session_exam_results(session=session)
    attempts: dict = {}
    for row in (
        Attempt.objects.filter(enrollment__session=session)
        .order_by("number")
        .values("id", "enrollment_id", "exam_group_key", "number", "status")
    ):
        attempts.setdefault((row["enrollment_id"], row["exam_group_key"]), []).append(row)
    enrollments = list(
        session.enrollments.filter(status__in=Enrollment.PLACE_STATUSES)
        .select_related("trainee__agency__country")
        .order_by("trainee__first_surname", "trainee__second_surname", "trainee__given_names", "pk")
    )
    rows = [
        (
            enrollment,
            [
                (
                    results.get((enrollment.pk, exam.group_key)),
                    attempts.get((enrollment.pk, exam.group_key), []),
                )
                for exam in exams
            ],
        )
        for enrollment in enrollments
    ]
    return render(
        request,
        "courses/exams/session_results.html",
        {"session": session, "exams": exams, "rows": rows},
    )


@login_required
@require_GET
def exam_analysis(request, exam_id: int):
    """Item analysis: per question, how often drawn, share right, discrimination, unpicked choices."""
    exam = _analysed_exam_or_404(request.user, exam_id)
    return render(
        request, "courses/exams/analysis.html", {"exam": exam, "analysis": item_analysis(exam=exam)}
    )


@login_required
@require_GET
def exam_analysis_csv(request, exam_id: int):
    """The item analysis as CSV (cells a spreadsheet would run as formulas are neutralised)."""
    exam = _analysed_exam_or_404(request.user, exam_id)
    rows = item_analysis_rows(analysis=item_analysis(exam=exam))
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="item-analysis-{exam.pk}.csv"'
    return response


def _graded_attempt_or_404(user, attempt_id: int) -> Attempt:
    """An attempt for the instructors of its class session (the course's instructors for a
    self-paced enrollment) and program administrators; anyone else 404."""
    attempt = (
        Attempt.objects.select_related("exam__course", "enrollment__trainee__agency", "enrollment__session")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        raise Http404
    if is_program_admin(user):
        return attempt
    if attempt.enrollment.session_id is None:  # self-paced: the course's instructors
        if is_course_instructor(user=user, course=attempt.exam.course):
            return attempt
    elif sessions_visible_to(user).filter(pk=attempt.enrollment.session_id).exists():
        return attempt  # the instructors of the trainee's class, not every instructor of the course
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def attempt_grade(request, attempt_id: int):
    """A trainee's attempt for an instructor: every answer with the key, scoring written answers,
    overriding the result with a reason, and the audit trail."""
    attempt = _graded_attempt_or_404(request.user, attempt_id)
    override_form = AttemptOverrideForm(
        request.POST if request.POST.get("action") == "override" else None,
        initial={"action": "override"},
    )
    score_form = ShortAnswerScoreForm(request.POST if request.POST.get("action") == "score" else None)
    if request.method == "POST":
        form = override_form if request.POST.get("action") == "override" else score_form
        if form.is_valid():
            try:
                if form is override_form:
                    attempt_override(
                        actor=request.user,
                        attempt=attempt,
                        passed=form.cleaned_data["passed"],
                        score_percent=form.cleaned_data["score_percent"],
                        reason=form.cleaned_data["reason"],
                    )
                    done = _("The result is changed.")
                else:
                    response = Response.objects.filter(
                        pk=form.cleaned_data["response"], attempt=attempt
                    ).first()
                    if response is None:
                        raise ValidationError(_("That answer is not part of this attempt."))
                    short_answer_score(
                        actor=request.user,
                        response=response,
                        points=form.cleaned_data["points"],
                        reason=form.cleaned_data["reason"],
                    )
                    done = _("The answer is scored.")
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": _message(error)})
            else:
                messages.success(request, done)
                return redirect("exams:attempt_grade", attempt_id=attempt.pk)
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error})
    attempt.refresh_from_db()
    drawn = list(
        AttemptQuestion.objects.filter(attempt=attempt).select_related("question").order_by("position")
    )
    choices = {c.pk: c for c in Choice.objects.filter(question_id__in=[d.question_id for d in drawn])}
    saved = {r.question_id: r for r in Response.objects.filter(attempt=attempt)}
    questions = []
    for d in drawn:
        response = saved.get(d.question_id)
        chosen = set(response.choice_ids) if response else set()
        questions.append(
            {
                "position": d.position,
                "question": d.question,
                "is_written": d.question.kind == Question.Kind.SHORT_ANSWER,
                "choices": [(choices[i], i in chosen) for i in d.choice_order if i in choices],
                "response": response,
            }
        )
    return render(
        request,
        "courses/exams/attempt_grade.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "trainee": attempt.enrollment.trainee,
            "questions": questions,
            "override_form": override_form,
            "audit": list(attempt.audit.select_related("actor").order_by("created_at", "pk")),
        },
    )
