"""Forms of the exam builder in the Wagtail admin. They shape the input and show each error beside
its field; the rules themselves live in `services_exam_builder` (and the models' `clean`)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from certification.models import Trainee

from .models_assessment import Exam
from .models_enrollment import Enrollment
from .services_assessment import MAX_EXTRA_MINUTES
from .services_exam_builder import ExamProblems, courses_buildable_by


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.title} ({obj.locale.language_code})"


class ExamForm(WagtailAdminModelForm):
    """An exam with its questions and their choices (nested formsets). The course is chosen from
    the courses the user may build exams for: any other is an invalid choice, whatever is posted."""

    course = CourseChoiceField(label=_("Course"), queryset=Exam.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_buildable_by(self.for_user)

    def save(self, commit=True):
        """The exam as a cluster in memory: questions and choices in the order the form shows them
        (the up/down arrows), new ones included, deleted and untouched empty ones left out."""
        exam = super().save(commit=False)
        questions = []
        for question_form in self.formsets["questions"].ordered_forms:
            question = question_form.instance
            question.choices = [form.instance for form in question_form.formsets["choices"].ordered_forms]
            questions.append(question)
        exam.questions = questions
        if commit:
            exam.save()
        return exam

    def attach_problems(self, problems: ExamProblems) -> None:
        """Puts each problem found by the service on the form of the exam, question or choice it is
        about (the objects `save(commit=False)` built from these very forms)."""
        forms_by_object = {id(self.instance): self}
        for question_form in self.formsets["questions"].forms:
            forms_by_object[id(question_form.instance)] = question_form
            for choice_form in question_form.formsets["choices"].forms:
                forms_by_object[id(choice_form.instance)] = choice_form
        for (target, field, message), line in zip(problems.entries, problems.messages(), strict=True):
            form = forms_by_object.get(id(target))
            if form is None:
                form, field, message = self, NON_FIELD_ERRORS, line
            if field != NON_FIELD_ERRORS and field not in form.fields:
                field = NON_FIELD_ERRORS
            form.add_error(None if field == NON_FIELD_ERRORS else field, message)


class ExamCopyForm(forms.Form):
    """Nothing to fill in: a POST confirms creating the other language's version."""


class AnswerKeyForm(forms.Form):
    """Which choices of a question drawn in attempts are right, and why that changes."""

    correct = forms.MultipleChoiceField(label=_("Right answers"), widget=forms.CheckboxSelectMultiple)
    partial_credit = forms.BooleanField(
        label=_("Partial credit"),
        required=False,
        help_text=_("Multiple choice only: credit for part of the answer."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept in the audit trail with every rescored attempt."),
    )

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["correct"].choices = [(str(c.pk), c.text) for c in question.choices.all()]
        if question.kind != question.Kind.MULTIPLE:
            del self.fields["partial_credit"]


class TraineeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        badge = f" · {obj.badge_number}" if obj.badge_number else ""
        return f"{obj.full_name} ({obj.agency.acronym}{badge})"


class ExamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.code} · {obj.title} ({obj.language})"


class AccommodationForm(forms.Form):
    """Extra time for an officer on an exam (all its languages). The officers offered are those
    holding a place in a course that has exams."""

    trainee = TraineeChoiceField(label=_("Officer"), queryset=Trainee.objects.none())
    exam = ExamChoiceField(
        label=_("Exam"),
        queryset=Exam.objects.none(),
        help_text=_("The extra time applies to the exam in every language."),
    )
    extra_minutes = forms.IntegerField(label=_("Extra minutes"), min_value=0, max_value=MAX_EXTRA_MINUTES)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, fixed=None, **kwargs):
        """`fixed`: an existing accommodation being changed (its officer and exam stay)."""
        super().__init__(*args, **kwargs)
        exams = Exam.objects.select_related("course").order_by("course__code", "title", "language")
        self.fields["exam"].queryset = exams
        course_keys = Exam.objects.values("course_key")
        self.fields["trainee"].queryset = (
            Trainee.objects.filter(
                pk__in=Enrollment.objects.filter(
                    course_key__in=course_keys,
                    status__in=(Enrollment.Status.APPROVED, Enrollment.Status.ENROLLED),
                ).values("trainee_id")
            )
            .select_related("agency")
            .order_by("first_surname", "second_surname", "given_names", "pk")
        )
        if fixed is not None:
            del self.fields["trainee"]
            del self.fields["exam"]
