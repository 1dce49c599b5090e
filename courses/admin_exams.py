"""The exam builder in the Wagtail admin: "Exams" (an exam with its questions and each question's
choices on one page) and "Extra time" (accommodations), in one "Assessments" menu.

Who may do what is decided on the server, by the permission policies and the querysets below
(hiding a menu item is only a courtesy): program administrators build every exam and grant extra
time; instructors build the exams of the courses they teach and no other (another course's exam
answers 404, another course is an invalid choice); everyone else gets no menu and no page. Every
write goes through `services_exam_builder` or `services_assessment`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, UserColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy

from certification.admin_policies import ProgramAdminPolicy
from certification.roles import PROGRAM_ADMINISTRATORS

from .forms_exam_builder import AccommodationForm, AnswerKeyForm, ExamCopyForm, ExamForm
from .models_assessment import Accommodation, Attempt, Exam, Question
from .services_assessment import accommodation_grant, question_regrade
from .services_exam_builder import (
    OTHER_LANGUAGE,
    ExamRefused,
    drawn_questions,
    exam_copy_to_language,
    exam_delete,
    exam_has_attempts,
    exam_save,
    exams_buildable_by,
    may_build_exam,
    may_build_exams,
)

LANGUAGE_NAMES = {"es": _("Spanish"), "en": _("English")}
COPY_LABELS = {"es": _("Create the Spanish version"), "en": _("Create the English version")}
EDIT_LABELS = {"es": _("Edit the Spanish version"), "en": _("Edit the English version")}


# --- permissions -------------------------------------------------------------------------------


class ExamBuilderPolicy(BasePermissionPolicy):
    """Program administrators: every exam. Instructors: the exams of the courses they teach (an
    instructor of no course: nothing). Nobody else: nothing."""

    ACTIONS = ("add", "change", "delete", "view")

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and may_build_exams(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        User = get_user_model()
        if not any(action in self.ACTIONS for action in actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True)
            | Q(groups__name=PROGRAM_ADMINISTRATORS)
            | Q(groups__course_instructors__isnull=False),
            is_active=True,
        ).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete" and exam_has_attempts(exam=instance):
            return False  # its results are records (exam_delete refuses it too)
        return self.user_has_permission(user, action) and may_build_exam(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return exams_buildable_by(user)
        return Exam.objects.none()


class AccommodationPolicy(ProgramAdminPolicy):
    """Program administrators only. Extra time is withdrawn by granting 0 minutes (the grant and
    its reason stay in the audit trail), never deleted."""

    forbidden_actions = ("delete",)


# --- exams -------------------------------------------------------------------------------------


class ExamScopeMixin:
    """Edit and delete find the exam among the user's exams only: another course's is a 404."""

    def get_queryset(self):
        return exams_buildable_by(self.request.user).select_related("course")


class ExamObjectScopeMixin:
    """The same for the history and usage pages (their own querysets list log entries)."""

    def get_base_object_queryset(self):
        return exams_buildable_by(self.request.user)


def _version_of(language):
    return Subquery(Exam.objects.filter(group_key=OuterRef("group_key"), language=language).values("pk")[:1])


class ExamIndexView(generic.IndexView):
    def get_base_queryset(self):
        count = (
            Question.objects.filter(exam=OuterRef("pk"))
            .order_by()
            .values("exam")
            .annotate(n=Count("pk"))
            .values("n")
        )
        attempts = (
            Attempt.objects.filter(exam=OuterRef("pk"))
            .order_by()
            .values("exam")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            exams_buildable_by(self.request.user)
            .select_related("course")
            .annotate(
                question_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
                attempt_count=Coalesce(Subquery(attempts, output_field=IntegerField()), Value(0)),
                spanish_id=_version_of("es"),
                english_id=_version_of("en"),
            )
        )


def _other_version(exam) -> str:
    other = OTHER_LANGUAGE[exam.language]
    if getattr(exam, f"{'spanish' if other == 'es' else 'english'}_id", None):
        return str(LANGUAGE_NAMES[other])
    return "—"


class ExamSaveMixin:
    """Create and edit save through `exam_save`: its refusals go back onto the form, beside the
    field, question or choice concerned; nothing is written."""

    log_action = "wagtail.edit"

    def form_valid(self, form):
        self.form = form
        exam = form.save(commit=False)
        try:
            self.object = exam_save(actor=self.request.user, exam=exam)
        except ExamRefused as refusal:
            form.attach_problems(refusal.problems)
            return self._refused(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self._refused(form)
        except PermissionDenied:
            form.add_error("course", _("You do not teach this course."))
            return self._refused(form)
        log(instance=self.object, action=self.log_action, user=self.request.user, content_changed=True)
        response = self.save_action()
        return self.run_after_hook() or response

    def _refused(self, form):
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class ExamCreateView(ExamSaveMixin, generic.CreateView):
    log_action = "wagtail.create"


class ExamEditView(ExamScopeMixin, ExamSaveMixin, generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        exam = self.object
        other = OTHER_LANGUAGE[exam.language]
        sibling = (
            Exam.objects.filter(group_key=exam.group_key, language=other).values_list("pk", flat=True).first()
        )
        if sibling:
            buttons.append(
                Button(EDIT_LABELS[other], url=reverse("exam_builder:edit", args=[sibling]), priority=40)
            )
        else:
            buttons.append(
                Button(
                    COPY_LABELS[other],
                    url=reverse("exam_builder:copy_language", args=[exam.pk]),
                    icon_name="globe",
                    priority=40,
                )
            )
        if exam_has_attempts(exam=exam):
            buttons.append(
                Button(
                    _("Correct the answer key"),
                    url=reverse("exam_builder:answer_key", args=[exam.pk]),
                    icon_name="tick",
                    priority=50,
                )
            )
        buttons.append(
            Button(
                _("Item analysis"),
                url=reverse("exams:exam_analysis", args=[exam.pk]),
                icon_name="table",
                priority=60,
            )
        )
        return buttons


class ExamDeleteView(ExamScopeMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            exam_delete(actor=self.request.user, exam=self.object)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect("exam_builder:edit", self.object.pk)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class ExamHistoryView(ExamObjectScopeMixin, generic.HistoryView):
    pass


class ExamUsageView(ExamObjectScopeMixin, generic.UsageView):
    pass


class ExamPageMixin(WagtailAdminTemplateMixin):
    """A page about one of the user's exams (another course's exam: 404)."""

    header_icon = "form"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.exam = get_object_or_404(
            exams_buildable_by(request.user).select_related("course"), pk=kwargs["pk"]
        )

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("exam_builder:index"), "label": _("Exams")},
            {"url": reverse("exam_builder:edit", args=[self.exam.pk]), "label": str(self.exam)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(exam=self.exam, **kwargs)


class ExamCopyLanguageView(ExamPageMixin, FormView):
    """Creates the exam's version in the other language, to be translated (see
    `exam_copy_to_language`); GET asks, POST does it."""

    template_name = "courses/admin/exam_copy_language.html"
    form_class = ExamCopyForm

    def get_page_title(self):
        return COPY_LABELS[OTHER_LANGUAGE[self.exam.language]]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=reverse("exam_builder:copy_language", args=[self.exam.pk]),
            submit_button_label=self.get_page_title(),
            language_name=LANGUAGE_NAMES[OTHER_LANGUAGE[self.exam.language]],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            copy = exam_copy_to_language(
                actor=self.request.user, exam=self.exam, language=OTHER_LANGUAGE[self.exam.language]
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect("exam_builder:edit", self.exam.pk)
        messages.success(
            self.request,
            _("The %(language)s version was created, unpublished: translate its questions and publish it.")
            % {"language": LANGUAGE_NAMES[copy.language]},
        )
        log(instance=copy, action="wagtail.create", user=self.request.user, content_changed=True)
        return redirect("exam_builder:edit", copy.pk)


class AnswerKeyIndexView(ExamPageMixin, TemplateView):
    """The exam's questions drawn in attempts, each with a link to correct its answer key."""

    template_name = "courses/admin/answer_key_index.html"
    page_title = _("Correct the answer key")

    def get_context_data(self, **kwargs):
        questions = drawn_questions(exam=self.exam).exclude(kind=Question.Kind.SHORT_ANSWER)
        return super().get_context_data(questions=questions, **kwargs)


class AnswerKeyView(ExamPageMixin, FormView):
    """Corrects which choices of a drawn question are right (and partial credit): every submitted
    attempt that drew it is rescored, and the change and each changed result are audited with the
    reason (`services_assessment.question_regrade`)."""

    template_name = "courses/admin/answer_key.html"
    form_class = AnswerKeyForm
    page_title = _("Correct the answer key")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.question = (
            Question.objects.filter(exam=self.exam, pk=kwargs["question_id"])
            .exclude(kind=Question.Kind.SHORT_ANSWER)
            .prefetch_related("choices")
            .first()
        )
        if self.question is None:
            raise Http404

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "question": self.question}

    def get_initial(self):
        return {
            "correct": [str(c.pk) for c in self.question.choices.all() if c.is_correct],
            "partial_credit": self.question.partial_credit,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=self.question,
            action_url=reverse("exam_builder:answer_key_question", args=[self.exam.pk, self.question.pk]),
            submit_button_label=_("Correct and rescore"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            rescored = question_regrade(
                actor=self.request.user,
                question=self.question,
                correct_choice_ids=data["correct"],
                reason=data["reason"],
                partial_credit=data.get("partial_credit") if "partial_credit" in form.fields else None,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Answer key corrected; %(n)s submitted attempts were rescored.") % {"n": len(rescored)},
        )
        return redirect("exam_builder:answer_key", self.exam.pk)


class ExamViewSet(ModelViewSet):
    model = Exam
    url_prefix = "exams"
    url_namespace = "exam_builder"
    icon = "form"
    menu_label = _("Exams")
    index_view_class = ExamIndexView
    add_view_class = ExamCreateView
    edit_view_class = ExamEditView
    delete_view_class = ExamDeleteView
    history_view_class = ExamHistoryView
    usage_view_class = ExamUsageView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_per_page = 50
    list_display = [
        "title",
        Column("course", label=_("Course"), accessor=lambda exam: exam.course.code),
        "language",
        BooleanColumn("published", label=_("Published")),
        Column("question_count", label=_("Questions")),
        Column("attempt_count", label=_("Attempts")),
        Column("other_version", label=_("Other language"), accessor=_other_version),
    ]
    list_filter = ["language", "published"]
    search_fields = ["title"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("course"),
                    FieldRowPanel([FieldPanel("title"), FieldPanel("language")]),
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [FieldPanel("pass_mark_percent"), FieldPanel("time_limit_minutes")]
                            ),
                            FieldRowPanel([FieldPanel("max_attempts"), FieldPanel("min_delay_minutes")]),
                        ],
                        heading=_("Passing, time and attempts"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("questions_per_attempt"),
                            FieldPanel("per_topic"),
                            FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                        ],
                        heading=_("Drawing the questions"),
                    ),
                    MultiFieldPanel(
                        [FieldPanel("review_policy"), FieldPanel("review_timing")],
                        heading=_("After submitting"),
                    ),
                    FieldRowPanel([FieldPanel("is_required"), FieldPanel("published")]),
                ],
                heading=_("Settings"),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "questions",
                        heading=_("Questions"),
                        label=_("Question"),
                        panels=[
                            FieldRowPanel(
                                [
                                    FieldPanel("kind"),
                                    FieldPanel("points"),
                                    FieldPanel("partial_credit"),
                                    FieldPanel("topic"),
                                ]
                            ),
                            FieldPanel("text"),
                            FieldPanel("explanation"),
                            InlinePanel(
                                "choices",
                                heading=_("Choices"),
                                label=_("Choice"),
                                panels=[FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")])],
                            ),
                        ],
                    )
                ],
                heading=_("Questions"),
            ),
        ],
        base_form_class=ExamForm,
    )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("copy-language/<int:pk>/", ExamCopyLanguageView.as_view(), name="copy_language"),
            path("answer-key/<int:pk>/", AnswerKeyIndexView.as_view(), name="answer_key"),
            path(
                "answer-key/<int:pk>/<int:question_id>/", AnswerKeyView.as_view(), name="answer_key_question"
            ),
        ]


# --- extra time --------------------------------------------------------------------------------


class AccommodationIndexView(generic.IndexView):
    def get_base_queryset(self):
        exam_title = (
            Exam.objects.filter(group_key=OuterRef("exam_group_key")).order_by("language").values("title")[:1]
        )
        return Accommodation.objects.select_related("trainee__agency", "granted_by").annotate(
            exam_title=Subquery(exam_title)
        )


class AccommodationCreateView(generic.CreateView):
    """Grants through `accommodation_grant` (audited); granting again for the same officer and exam
    replaces the time and reason."""

    def get_form_class(self):
        return AccommodationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        return kwargs

    def save_instance(self):
        data = self.form.cleaned_data
        return accommodation_grant(
            actor=self.request.user,
            trainee=data["trainee"],
            exam=data["exam"],
            extra_minutes=data["extra_minutes"],
            reason=data["reason"],
        )

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.save_instance()
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        return self.save_action()


class AccommodationEditView(generic.EditView):
    def get_form_class(self):
        return AccommodationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs.pop("for_user", None)
        return {**kwargs, "fixed": self.object}

    def get_initial(self):
        return {"extra_minutes": self.object.extra_minutes, "reason": self.object.reason}

    def form_valid(self, form):
        self.form = form
        exam = Exam.objects.filter(group_key=self.object.exam_group_key).order_by("language").first()
        try:
            self.object = accommodation_grant(
                actor=self.request.user,
                trainee=self.object.trainee,
                exam=exam,
                extra_minutes=form.cleaned_data["extra_minutes"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        return self.save_action()


class AccommodationViewSet(ModelViewSet):
    model = Accommodation
    url_prefix = "exams/extra-time"
    url_namespace = "exam_accommodations"
    icon = "time"
    menu_label = _("Extra time")
    index_view_class = AccommodationIndexView
    add_view_class = AccommodationCreateView
    edit_view_class = AccommodationEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["extra_minutes", "reason"]  # the views use AccommodationForm
    list_per_page = 50
    list_display = [
        "trainee",
        Column("exam_title", label=_("Exam")),
        Column("extra_minutes", label=_("Extra minutes")),
        "reason",
        UserColumn("granted_by", label=_("Granted by")),
        DateColumn("granted_at", label=_("Granted at")),
    ]
    search_fields = ["trainee__search_text", "reason"]


class AssessmentsGroup(ModelViewSetGroup):
    menu_label = _("Assessments")
    menu_icon = "form"
    menu_order = 260
    items = (ExamViewSet, AccommodationViewSet)
