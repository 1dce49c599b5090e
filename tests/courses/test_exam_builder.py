"""The exam builder in the Wagtail admin: an exam with its questions and choices posted as the
admin's real form (nested formsets), who may build which exams, the rules (each refused with
nothing saved), what may change once trainees have taken an exam, the other language's version,
the answer-key correction screen and extra time for program administrators only."""

import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from certification import services as registry
from courses import services
from courses import services_assessment as assess
from courses.models import Accommodation, AssessmentAudit, Attempt, Choice, Exam, Question
from courses.services_exam_builder import ExamRefused, exam_save
from tests.courses.test_assessment_attempts import make_exam, right_choice, running, start, wrong_choice
from tests.courses.test_enrollment_flow import course, in_english, make_session

SHARED_FIXTURES = (course, in_english, make_session, running)

pytestmark = pytest.mark.django_db

SETTINGS = (
    "title",
    "language",
    "pass_mark_percent",
    "time_limit_minutes",
    "max_attempts",
    "min_delay_minutes",
    "questions_per_attempt",
    "per_topic",
    "shuffle_questions",
    "shuffle_choices",
    "review_policy",
    "review_timing",
    "is_required",
    "published",
)


# --- posting the admin's form ------------------------------------------------------------------


def settings_for(course, **fields):
    values = {
        "course": course.pk,
        "title": "Examen de interdicción",
        "language": "es",
        "pass_mark_percent": 70,
        "time_limit_minutes": 30,
        "max_attempts": 2,
        "min_delay_minutes": 0,
        "questions_per_attempt": None,
        "per_topic": {},
        "shuffle_questions": True,
        "shuffle_choices": True,
        "review_policy": "answers_with_explanations",
        "review_timing": "immediately",
        "is_required": True,
        "published": True,
    }
    values.update(fields)
    return values


def q(text="¿Pregunta?", kind="single", choices=(("Sí", True), ("No", False)), **fields):
    return {
        "id": None,
        "kind": kind,
        "text": text,
        "explanation": fields.pop("explanation", ""),
        "points": fields.pop("points", 1),
        "partial_credit": fields.pop("partial_credit", False),
        "topic": fields.pop("topic", ""),
        "choices": [{"id": None, "text": t, "is_correct": right} for t, right in choices],
        **fields,
    }


def _value(value):
    if isinstance(value, dict):
        return json.dumps(value)
    return "" if value is None else str(value)


def _fields(data, prefix, values):
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[f"{prefix}{name}"] = "on"
        else:
            data[f"{prefix}{name}"] = _value(value)


def _formset(data, prefix, rows, write_row):
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for row in rows if row.get("id")))
    data[f"{prefix}-MIN_NUM_FORMS"] = "0"
    data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    # Existing rows first, as the admin renders them; the order shown is ORDER.
    for i, row in enumerate(sorted(rows, key=lambda r: r.get("id") is None)):
        row_prefix = f"{prefix}-{i}"
        data[f"{row_prefix}-ORDER"] = str(row.get("order", rows.index(row) + 1))
        data[f"{row_prefix}-id"] = _value(row.get("id"))
        if row.get("DELETE"):
            data[f"{row_prefix}-DELETE"] = "1"
        write_row(data, row_prefix, row)


def _question(data, prefix, row):
    _fields(
        data,
        f"{prefix}-",
        {k: row[k] for k in ("kind", "text", "explanation", "points", "partial_credit", "topic")},
    )
    _formset(
        data,
        f"{prefix}-choices",
        row["choices"],
        lambda d, p, c: _fields(d, f"{p}-", {"text": c["text"], "is_correct": c["is_correct"]}),
    )


def form_data(settings, questions):
    data = {}
    _fields(data, "", settings)
    _formset(data, "questions", questions, _question)
    return data


def snapshot(exam):
    """The exam as its edit page shows it, to change a little and post back."""
    settings = {name: getattr(exam, name) for name in SETTINGS}
    settings["course"] = exam.course_id
    questions = [
        {
            "id": question.pk,
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
            "points": question.points,
            "partial_credit": question.partial_credit,
            "topic": question.topic,
            "choices": [
                {"id": c.pk, "text": c.text, "is_correct": c.is_correct} for c in question.choices.all()
            ],
        }
        for question in exam.questions.order_by("position", "pk")
    ]
    return settings, questions


def add(client, settings, questions):
    return client.post(reverse("exam_builder:add"), form_data(settings, questions))


def edit(client, exam, settings, questions):
    return client.post(reverse("exam_builder:edit", args=[exam.pk]), form_data(settings, questions))


def state():
    """Everything the builder could write, to prove a refusal wrote nothing."""
    return (
        list(Exam.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
        list(Choice.objects.order_by("pk").values()),
    )


def page(response) -> str:
    return response.content.decode()


def final_status(client, url, method="get", data=None) -> int:
    """404 for a page that is not found. Outside the language prefix, Django's LocaleMiddleware
    answers a 404 with a redirect to the same path under /es/ (where nothing answers it either);
    following it would also make Spanish the user's admin language, so it is not followed."""
    response = getattr(client, method)(url, data or {})
    if response.status_code == 302 and response["Location"] in (f"/es{url}", f"/en{url}"):
        return 404
    return response.status_code


# --- people ------------------------------------------------------------------------------------


def in_english_admin(client, user):
    """The admin speaks the user's preferred language (Spanish by default): these tests read English."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


@pytest.fixture
def teaching(world, course):
    """world.instructor teaches `course`."""
    services.course_assign_instructor(course=course, user=world.instructor)
    return world.instructor


@pytest.fixture
def other_course(make_course):
    return make_course(code="DOC-110", title="Fraude documental", modules=1)


@pytest.fixture
def other_instructor(world, other_course):
    user = registry.user_ensure(email="other.teacher@test.carsi", password=world.password)
    services.course_assign_instructor(course=other_course, user=user)
    return user


# --- building an exam --------------------------------------------------------------------------


def test_an_administrator_builds_an_exam_with_questions_and_choices_through_the_admin_form(
    client, world, course
):
    in_english_admin(client, world.admin)
    questions = [
        q("¿Documento válido?", explanation="Mire el holograma.", topic="documentos"),
        q(
            "¿Qué revisar en un vehículo?",
            kind="multiple",
            choices=(("Llantas", True), ("Tanque", True), ("Radio", False)),
            partial_credit=True,
            points=2,
            topic="vehiculos",
        ),
        q("La visa es un pasaporte.", kind="true_false", choices=(("Verdadero", False), ("Falso", True))),
        q("Describa el procedimiento.", kind="short_answer", choices=(), points=3),
    ]
    response = add(
        client, settings_for(course, questions_per_attempt=3, per_topic={"documentos": 1}), questions
    )
    assert response.status_code == 302, page(response)
    exam = Exam.objects.get()
    assert (
        exam.course_key == course.translation_key and exam.published and exam.per_topic == {"documentos": 1}
    )
    saved = list(exam.questions.order_by("position"))
    assert [(x.position, x.kind, x.points, x.partial_credit) for x in saved] == [
        (1, "single", 1, False),
        (2, "multiple", 2, True),
        (3, "true_false", 1, False),
        (4, "short_answer", 3, False),
    ]
    assert saved[0].explanation == "Mire el holograma." and saved[1].topic == "vehiculos"
    assert [(c.position, c.text, c.is_correct) for c in saved[1].choices.all()] == [
        (1, "Llantas", True),
        (2, "Tanque", True),
        (3, "Radio", False),
    ]
    assert not saved[3].choices.exists()
    assert assess.exam_problems(exam=exam) == []  # a trainee can take it as built
    assert ModelLogEntry.objects.filter(object_id=str(exam.pk), action="wagtail.create").exists()
    assert response["Location"] == reverse("exam_builder:index")


def test_the_order_shown_is_the_order_saved_and_untouched_rows_stay(client, world, course):
    exam = make_exam(course, pool=3)
    in_english_admin(client, world.admin)
    settings, questions = snapshot(exam)
    first, second, third = questions
    third["order"], first["order"], second["order"] = 1, 2, 3  # move the last one to the top
    third["choices"].reverse()
    third["choices"][0]["order"], third["choices"][1]["order"] = 1, 2
    response = edit(client, exam, settings, questions)
    assert response.status_code == 302, page(response)
    assert list(exam.questions.order_by("position").values_list("pk", "position")) == [
        (third["id"], 1),
        (first["id"], 2),
        (second["id"], 3),
    ]
    moved = Question.objects.get(pk=third["id"])
    assert [c.text for c in moved.choices.order_by("position")] == ["No", "Sí"]


def test_adding_and_deleting_questions_and_choices_before_anyone_took_the_exam(client, world, course):
    exam = make_exam(course, pool=2)
    in_english_admin(client, world.admin)
    settings, questions = snapshot(exam)
    questions[0]["DELETE"] = True
    questions[1]["choices"][1]["DELETE"] = True
    questions[1]["choices"].append({"id": None, "text": "Tal vez", "is_correct": False})
    questions.append(q("¿Nueva?"))
    response = edit(client, exam, settings, questions)
    assert response.status_code == 302, page(response)
    assert not Question.objects.filter(pk=questions[0]["id"]).exists()
    kept = Question.objects.get(pk=questions[1]["id"])
    assert [c.text for c in kept.choices.all()] == ["Sí", "Tal vez"]
    assert exam.questions.count() == 2


# --- who may build -----------------------------------------------------------------------------


def test_an_instructor_builds_exams_for_the_courses_they_teach_only(
    client, world, course, teaching, other_course, other_instructor
):
    own = make_exam(course, title="Propio")
    foreign = make_exam(other_course, title="Ajeno")
    in_english_admin(client, teaching)
    listing = page(client.get(reverse("exam_builder:index")))
    assert "Propio" in listing and "Ajeno" not in listing
    add_page = page(client.get(reverse("exam_builder:add")))
    assert course.code in add_page and other_course.code not in add_page  # the course chooser
    for name in ("edit", "delete", "history", "usage", "copy_language", "answer_key"):
        assert final_status(client, reverse(f"exam_builder:{name}", args=[foreign.pk])) == 404, name
        assert client.get(reverse(f"exam_builder:{name}", args=[own.pk])).status_code == 200, name
    before = state()
    settings, questions = snapshot(foreign)
    url = reverse("exam_builder:edit", args=[foreign.pk])
    assert final_status(client, url, "post", form_data({**settings, "title": "Cambiado"}, questions)) == 404
    assert final_status(client, reverse("exam_builder:delete", args=[foreign.pk]), "post") == 404
    assert final_status(client, reverse("exam_builder:copy_language", args=[foreign.pk]), "post") == 404
    # Creating for another course, or moving one's own exam there: an invalid choice, nothing saved.
    response = add(client, settings_for(other_course), [q()])
    assert response.status_code == 200 and "Select a valid choice" in page(response)
    settings, questions = snapshot(own)
    response = edit(client, own, {**settings, "course": other_course.pk}, questions)
    assert response.status_code == 200 and "Select a valid choice" in page(response)
    assert state() == before
    response = add(client, settings_for(course, title="Nuevo"), [q()])
    assert response.status_code == 302
    assert Exam.objects.get(title="Nuevo").course_key == course.translation_key


def test_the_service_refuses_whoever_does_not_teach_the_course(world, course, other_instructor):
    exam = Exam(course=course, title="X", language="es")
    exam.questions = [Question(kind="single", text="¿?", choices=[Choice(text="a", is_correct=True)])]
    for actor in (other_instructor, world.instructor, world.head_a, world.officer_user_a, None):
        with pytest.raises(Exception, match="instructors and program administrators"):
            exam_save(actor=actor, exam=exam)
    assert not Exam.objects.exists()


@pytest.mark.parametrize("role", ["head_a", "officer_user_a", "instructor"])
def test_nobody_else_gets_a_menu_or_a_page(client, world, course, role):
    exam = make_exam(course)
    user = getattr(world, role)  # world.instructor is an instructor of no course here
    client.force_login(user)
    for url in (
        reverse("exam_builder:index"),
        reverse("exam_builder:add"),
        reverse("exam_builder:edit", args=[exam.pk]),
        reverse("exam_builder:answer_key", args=[exam.pk]),
        reverse("exam_accommodations:index"),
        reverse("exam_accommodations:add"),
    ):
        assert client.get(url).status_code in (302, 403, 404), url
    response = client.post(reverse("exam_builder:add"), form_data(settings_for(course), [q()]))
    assert response.status_code in (302, 403)
    assert Exam.objects.count() == 1
    if role == "instructor":  # the one who reaches the admin sees no Assessments menu
        home = page(client.get(reverse("wagtailadmin_home")))
        assert reverse("exam_builder:index") not in home


def test_the_menu_shows_exams_to_instructors_and_extra_time_to_administrators_only(
    client, world, course, teaching
):
    in_english_admin(client, teaching)
    home = page(client.get(reverse("wagtailadmin_home")))
    assert reverse("exam_builder:index") in home and reverse("exam_accommodations:index") not in home
    in_english_admin(client, world.admin)
    home = page(client.get(reverse("wagtailadmin_home")))
    assert reverse("exam_builder:index") in home and reverse("exam_accommodations:index") in home


def test_the_exam_list_does_a_fixed_number_of_queries(client, world, course, django_assert_max_num_queries):
    in_english_admin(client, world.admin)
    make_exam(course, title="Uno")
    client.get(reverse("exam_builder:index"))  # warm the per-user caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("exam_builder:index"))
        assert response.status_code == 200
        return len(queries)

    few = count()
    for i in range(6):
        exam = make_exam(course, title=f"Examen {i}", pool=2)
        make_exam(course, title=f"Examen {i}", pool=1, language="en", group_key=exam.group_key)
    assert count() == few
    with django_assert_max_num_queries(few):
        listing = page(client.get(reverse("exam_builder:index")))
    assert "Examen 5" in listing


# --- the rules ---------------------------------------------------------------------------------

RULES = [
    ("single, two right", [q(choices=(("a", True), ("b", True)))], {}, "exactly one of them right"),
    ("single, one choice", [q(choices=(("a", True),))], {}, "at least two choices, exactly one"),
    (
        "true/false, three choices",
        [q(kind="true_false", choices=(("V", True), ("F", False), ("?", False)))],
        {},
        "exactly two choices, one of them right",
    ),
    (
        "true/false, both right",
        [q(kind="true_false", choices=(("V", True), ("F", True)))],
        {},
        "exactly two choices, one of them right",
    ),
    ("multiple, none right", [q(kind="multiple", choices=(("a", False), ("b", False)))], {}, "at least one"),
    ("multiple, one choice", [q(kind="multiple", choices=(("a", True),))], {}, "at least two choices"),
    ("short answer with choices", [q(kind="short_answer")], {}, "has no choices"),
    ("partial credit on single", [q(partial_credit=True)], {}, "Only multiple-choice questions give partial"),
    ("zero points", [q(points=0)], {}, "greater than or equal to 1"),
    ("pool too small", [q(), q()], {"questions_per_attempt": 3}, "The pool has 2 questions; 3 cannot"),
    (
        "topic missing from the pool",
        [q(topic="documentos"), q(topic="vehiculos")],
        {"per_topic": {"documentos": 1, "armas": 1}},
        "The topic “armas” has 0 questions",
    ),
    (
        "topic short in the pool",
        [q(topic="documentos"), q(topic="vehiculos")],
        {"per_topic": {"documentos": 2}},
        "The topic “documentos” has 1 questions in the pool; 2",
    ),
    (
        "per-topic over N",
        [q(topic="d"), q(topic="d")],
        {"questions_per_attempt": 1, "per_topic": {"d": 2}},
        "add up",
    ),
    ("published without questions", [], {"published": True}, "without questions cannot be published"),
    ("choice without text", [q(choices=(("", True), ("b", False)))], {}, "This field is required"),
]


@pytest.mark.parametrize(("case", "questions", "fields", "message"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_is_refused_clearly_and_nothing_is_saved(
    client, world, course, case, questions, fields, message
):
    in_english_admin(client, world.admin)
    before = state()
    response = add(client, settings_for(course, **fields), questions)
    assert response.status_code == 200
    assert message in page(response)
    assert state() == before
    # The same mistake made while editing a saved exam: refused, the exam as it was.
    exam = make_exam(course, pool=1, title="Guardado")
    before = state()
    saved_settings, saved_questions = snapshot(exam)
    saved_questions[0]["DELETE"] = True
    response = edit(client, exam, {**saved_settings, **fields}, saved_questions + questions)
    assert response.status_code == 200
    assert message in page(response)
    assert state() == before


def test_an_unpublished_exam_may_be_saved_without_questions_and_filled_in_later(client, world, course):
    in_english_admin(client, world.admin)
    assert add(client, settings_for(course, published=False), []).status_code == 302
    exam = Exam.objects.get()
    settings, _questions = snapshot(exam)
    response = edit(client, exam, {**settings, "published": True}, [q(), q()])
    assert response.status_code == 302
    assert exam.questions.count() == 2


def test_an_emptied_per_topic_field_means_no_topics(client, world, course):
    in_english_admin(client, world.admin)
    data = form_data(settings_for(course), [q()])
    data["per_topic"] = ""
    assert client.post(reverse("exam_builder:add"), data).status_code == 302
    assert Exam.objects.get().per_topic == {}
    data["per_topic"] = "documentos: 2"
    response = client.post(reverse("exam_builder:add"), data)
    assert response.status_code == 200 and "Enter a valid JSON" in page(response)
    assert Exam.objects.count() == 1


def test_the_service_applies_the_same_rules(world, course):
    exam = Exam(course=course, title="X", language="es", published=True)
    exam.questions = [Question(kind="true_false", text="¿?", choices=[Choice(text="V", is_correct=True)])]
    with pytest.raises(ExamRefused, match="exactly two choices") as refused:
        exam_save(actor=world.admin, exam=exam)
    (target, field, _message) = refused.value.problems.entries[0]
    assert isinstance(target, Question) and field == "__all__"
    assert not Exam.objects.exists()


def test_one_version_per_language_in_a_group(client, world, course):
    spanish = make_exam(course)
    english = make_exam(course, language="en", group_key=spanish.group_key)
    in_english_admin(client, world.admin)
    before = state()
    settings, questions = snapshot(english)
    response = edit(client, english, {**settings, "language": "es"}, questions)
    assert response.status_code == 200 and "already has a version in that language" in page(response)
    assert state() == before


# --- once trainees have taken the exam ---------------------------------------------------------


@pytest.fixture
def taken(world, course, running, teaching):
    """An exam of two questions that trainee_a took (first right, second wrong): 50%."""
    exam = make_exam(course, pool=2, pass_mark_percent=50, max_attempts=3)
    attempt = start(world, exam)
    first, second = exam.questions.order_by("position")
    assess.answer_save(
        user=world.officer_user_a,
        attempt_id=attempt.pk,
        question_id=first.pk,
        choice_ids=[right_choice(first)],
    )
    assess.answer_save(
        user=world.officer_user_a,
        attempt_id=attempt.pk,
        question_id=second.pk,
        choice_ids=[wrong_choice(second)],
    )
    attempt = assess.attempt_submit(user=world.officer_user_a, attempt_id=attempt.pk)
    assert attempt.score_percent == 50 and attempt.passed is True
    return exam


def result():
    return list(Attempt.objects.order_by("pk").values_list("score_percent", "passed"))


def _mark_second_choice_right(questions):
    questions[1]["choices"][0]["is_correct"], questions[1]["choices"][1]["is_correct"] = False, True


LOCKED = [
    ("which choice is right", _mark_second_choice_right, "Correct the answer key"),
    ("delete a drawn question", lambda qs: qs[1].update(DELETE=True), "cannot be deleted"),
    ("delete a shown choice", lambda qs: qs[0]["choices"][1].update(DELETE=True), "cannot be deleted"),
    (
        "add a choice",
        lambda qs: qs[0]["choices"].append({"id": None, "text": "Quizá", "is_correct": False}),
        "Choices cannot be added",
    ),
    ("change the kind", lambda qs: qs[0].update(kind="multiple"), "its kind stays"),
    ("change the points", lambda qs: qs[0].update(points=5), "its points stay (1)"),
]


@pytest.mark.parametrize(("case", "change", "message"), LOCKED, ids=[c[0] for c in LOCKED])
def test_what_would_change_a_result_is_refused_once_taken(client, world, taken, case, change, message):
    in_english_admin(client, world.instructor)
    before, results = state(), result()
    settings, questions = snapshot(taken)
    change(questions)
    response = edit(client, taken, settings, questions)
    assert response.status_code == 200
    assert message in page(response)
    assert state() == before and result() == results


def test_the_pass_mark_course_and_language_stay_once_taken(client, world, taken, other_course):
    in_english_admin(client, world.admin)
    before = state()
    settings, questions = snapshot(taken)
    for change, message in (
        ({"pass_mark_percent": 80}, "with a pass mark of 50%"),
        ({"language": "en"}, "it stays in it"),
        ({"course": other_course.pk}, "it stays with its course"),
    ):
        response = edit(client, taken, {**settings, **change}, questions)
        assert response.status_code == 200 and message in page(response), change
    assert state() == before


def test_wording_settings_and_new_questions_may_change_once_taken(client, world, taken):
    in_english_admin(client, world.instructor)
    results = result()
    settings, questions = snapshot(taken)
    questions[0]["text"] = "¿Documento válido? (corregido)"
    questions[0]["explanation"] = "Revise el holograma."
    questions[0]["choices"][1]["text"] = "No, nunca"
    questions[1]["topic"] = "documentos"
    questions.append(q("¿Pregunta nueva?"))
    settings.update(
        time_limit_minutes=45, max_attempts=4, review_policy="score_only", title="Examen revisado"
    )
    response = edit(client, taken, settings, questions)
    assert response.status_code == 302, page(response)
    taken.refresh_from_db()
    assert taken.title == "Examen revisado" and taken.time_limit_minutes == 45
    assert taken.questions.count() == 3
    assert Choice.objects.get(pk=questions[0]["choices"][1]["id"]).text == "No, nunca"
    assert result() == results


def test_a_question_never_drawn_stays_editable(client, world, course, running, teaching):
    exam = make_exam(course, pool=3, questions_per_attempt=1)
    attempt = start(world, exam)
    drawn = attempt.drawn.get().question_id
    in_english_admin(client, world.instructor)
    settings, questions = snapshot(exam)
    spare = next(row for row in questions if row["id"] != drawn)
    spare["choices"][0]["is_correct"], spare["choices"][1]["is_correct"] = False, True
    spare["points"] = 4
    response = edit(client, exam, settings, questions)
    assert response.status_code == 302, page(response)
    assert Question.objects.get(pk=spare["id"]).points == 4


def test_the_answer_key_is_corrected_on_its_own_screen_and_the_attempts_rescored(client, world, taken):
    in_english_admin(client, world.instructor)
    edit_page = page(client.get(reverse("exam_builder:edit", args=[taken.pk])))
    assert reverse("exam_builder:answer_key", args=[taken.pk]) in edit_page
    second = taken.questions.order_by("position")[1]
    index = page(client.get(reverse("exam_builder:answer_key", args=[taken.pk])))
    url = reverse("exam_builder:answer_key_question", args=[taken.pk, second.pk])
    assert url in index
    response = client.post(url, {"correct": [wrong_choice(second)], "reason": ""})
    assert response.status_code == 200 and "This field is required" in page(response)
    assert result() == [(50, True)]
    response = client.post(url, {"correct": [wrong_choice(second)], "reason": "La clave estaba invertida"})
    assert response.status_code == 302
    assert result() == [(100, True)]
    audit = AssessmentAudit.objects.filter(action="regrade").get()
    assert audit.actor == world.instructor and audit.reason == "La clave estaba invertida"
    # The item analysis, where a bad question shows, links here and to the exam (visited last:
    # a page under /es/ makes Spanish the user's admin language).
    analysis = page(client.get(reverse("exams:exam_analysis", args=[taken.pk])))
    assert reverse("exam_builder:answer_key", args=[taken.pk]) in analysis
    assert reverse("exam_builder:edit", args=[taken.pk]) in analysis


def test_an_exam_taken_is_not_deleted(client, world, taken):
    in_english_admin(client, world.admin)
    edit_page = page(client.get(reverse("exam_builder:edit", args=[taken.pk])))
    assert reverse("exam_builder:delete", args=[taken.pk]) not in edit_page  # no button offered
    response = client.post(reverse("exam_builder:delete", args=[taken.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "exam_builder:edit", args=[taken.pk]
    )
    assert Exam.objects.filter(pk=taken.pk).exists()
    fresh = make_exam(taken.course, title="Borrador", published=False)
    assert client.post(reverse("exam_builder:delete", args=[fresh.pk])).status_code == 302
    assert not Exam.objects.filter(pk=fresh.pk).exists()


# --- the other language ------------------------------------------------------------------------


def test_the_english_version_is_a_copy_for_translation_in_the_same_group(client, world, course, teaching):
    spanish = make_exam(course, pool=2, questions_per_attempt=2, per_topic={})
    spanish.questions.first().choices.update(text="Opción")
    in_english_admin(client, world.instructor)
    url = reverse("exam_builder:copy_language", args=[spanish.pk])
    assert url in page(client.get(reverse("exam_builder:edit", args=[spanish.pk])))
    assert "Create the English version" in page(client.get(url))
    response = client.post(url)
    english = Exam.objects.get(language="en")
    assert response.status_code == 302 and response["Location"] == reverse(
        "exam_builder:edit", args=[english.pk]
    )
    assert english.group_key == spanish.group_key and english.course_key == spanish.course_key
    assert not english.published and english.questions_per_attempt == 2
    assert [(x.kind, x.points, x.position) for x in english.questions.all()] == [
        (x.kind, x.points, x.position) for x in spanish.questions.all()
    ]
    assert list(Choice.objects.filter(question__exam=english).values_list("text", "is_correct")) == list(
        Choice.objects.filter(question__exam=spanish).values_list("text", "is_correct")
    )
    # Once there, the edit page links to it and a second copy is refused.
    assert reverse("exam_builder:edit", args=[english.pk]) in page(
        client.get(reverse("exam_builder:edit", args=[spanish.pk]))
    )
    client.post(url)
    assert Exam.objects.filter(group_key=spanish.group_key).count() == 2


# --- extra time --------------------------------------------------------------------------------


def test_extra_time_is_granted_by_program_administrators_in_the_admin(client, world, course, running):
    exam = make_exam(course, time_limit_minutes=30)
    client.force_login(world.instructor)
    data = {"trainee": world.trainee_a.pk, "exam": exam.pk, "extra_minutes": 15, "reason": "Dislexia"}
    assert client.post(reverse("exam_accommodations:add"), data).status_code in (302, 403)
    assert not Accommodation.objects.exists()
    in_english_admin(client, world.admin)
    response = client.post(reverse("exam_accommodations:add"), {**data, "reason": ""})
    assert response.status_code == 200 and not Accommodation.objects.exists()
    response = client.post(reverse("exam_accommodations:add"), data)
    assert response.status_code == 302, page(response)
    accommodation = Accommodation.objects.get()
    assert accommodation.granted_by == world.admin and accommodation.extra_minutes == 15
    assert accommodation.exam_group_key == exam.group_key
    assert AssessmentAudit.objects.filter(action="accommodation", actor=world.admin).count() == 1
    listing = page(client.get(reverse("exam_accommodations:index")))
    assert "Dislexia" in listing and exam.title in listing
    response = client.post(
        reverse("exam_accommodations:edit", args=[accommodation.pk]), {"extra_minutes": 0, "reason": "Ya no"}
    )
    assert response.status_code == 302
    accommodation.refresh_from_db()
    assert accommodation.extra_minutes == 0
    assert client.post(reverse("exam_accommodations:delete", args=[accommodation.pk])).status_code in (
        302,
        403,
    )
    assert Accommodation.objects.exists()
