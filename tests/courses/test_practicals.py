"""Practical evaluations: score sheets, recording a trainee's result on the phone page, overrides
with an audit trail, completion waiting for required sheets. Every refusal changes nothing; an
evaluator never evaluates themself and must teach the session; foreign objects are 404; the
session's page takes a fixed number of queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from certification.models import Trainee
from certification.services_personnel import trainee_create
from courses import services
from courses import services_enrollment as svc
from courses.models import (
    ClassSession,
    Enrollment,
    PracticalAudit,
    PracticalItemScore,
    PracticalResult,
    ScoreSheet,
)
from courses.selectors_practical import practicals_missing
from courses.services_practical import practical_override, practical_record, scoresheet_create
from tests.courses.test_class_screens import running
from tests.courses.test_enrollment_flow import course, in_english, make_session, session

SHARED_FIXTURES = (course, in_english, make_session, session, running)

pytestmark = pytest.mark.django_db

S = Enrollment.Status


def snapshot():
    return (
        list(
            PracticalResult.objects.order_by("pk").values_list(
                "pk", "passed", "total_points", "override_passed"
            )
        ),
        list(PracticalItemScore.objects.order_by("pk").values_list("pk", "passed", "points")),
        PracticalAudit.objects.count(),
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        ScoreSheet.objects.count(),
    )


@pytest.fixture
def checklist(world, course):
    """A required checklist: three items, the second critical; at least two items passed."""
    services.course_assign_instructor(course=course, user=world.instructor)
    return scoresheet_create(
        actor=world.instructor,
        course=course,
        title_es="Registro de vehículo",
        title_en="Vehicle search",
        kind="checklist",
        pass_threshold=2,
        published=True,
        items=[
            {"text_es": "Asegura la zona", "text_en": "Secures the area"},
            {"text_es": "Revisa el chasis", "text_en": "Checks the chassis", "critical": True},
            {"text_es": "Documenta el hallazgo", "text_en": "Documents the find"},
        ],
    )


@pytest.fixture
def points(world, course):
    """A required points sheet: 10 + 20 points, pass at 18, the first item critical."""
    return scoresheet_create(
        actor=world.admin,
        course=course,
        title_es="Calificación de tiro",
        title_en="Firearms qualification",
        kind="points",
        pass_threshold="18",
        published=True,
        items=[
            {"text_es": "Seguridad", "text_en": "Safety", "max_points": 10, "critical": True},
            {"text_es": "Precisión", "text_en": "Accuracy", "max_points": "20"},
        ],
    )


def ids(sheet):
    return [item.pk for item in sheet.items.order_by("position")]


def all_modules_done(world, course):
    for module in course.modules():
        svc.module_complete(user=world.officer_user_a, module=module)


# --- score sheets ----------------------------------------------------------------------------------


def test_sheets_are_written_by_the_course_instructors_and_administrators(world, course, other_instructor):
    with pytest.raises(PermissionDenied):
        scoresheet_create(
            actor=other_instructor,
            course=course,
            title_es="x",
            title_en="x",
            kind="checklist",
            items=[{"text_es": "a", "text_en": "a"}],
        )
    assert ScoreSheet.objects.count() == 0


@pytest.mark.parametrize(
    "kind, threshold, items, field",
    [
        ("points", None, [{"text_es": "a", "text_en": "a", "max_points": 5}], "pass_threshold"),
        ("points", 9, [{"text_es": "a", "text_en": "a", "max_points": 5}], "pass_threshold"),
        ("points", 3, [{"text_es": "a", "text_en": "a", "max_points": "x"}], "items"),
        ("checklist", 3, [{"text_es": "a", "text_en": "a"}], "pass_threshold"),
        ("checklist", None, [{"text_es": "a", "text_en": ""}], "items"),
        ("checklist", None, [], "items"),
    ],
)
def test_a_bad_sheet_is_refused_whole(world, course, kind, threshold, items, field):
    with pytest.raises(ValidationError) as error:
        scoresheet_create(
            actor=world.admin,
            course=course,
            title_es="Hoja",
            title_en="Sheet",
            kind=kind,
            pass_threshold=threshold,
            items=items,
        )
    assert field in error.value.message_dict
    assert ScoreSheet.objects.count() == 0


def test_the_authoring_page_creates_a_sheet_with_its_items(client, world, course):
    services.course_assign_instructor(course=course, user=world.instructor)
    client.force_login(world.instructor)
    url = reverse("practicals:sheet_new", args=[course.pk])
    assert client.get(url).status_code == 200
    form = {
        "title_es": "Examen de documentos",
        "title_en": "Document examination",
        "kind": "points",
        "pass_threshold": "7",
        "is_required": "on",
        "published": "on",
        "items-TOTAL_FORMS": "8",
        "items-INITIAL_FORMS": "0",
        "items-0-text_es": "Detecta la alteración",
        "items-0-text_en": "Detects the alteration",
        "items-0-max_points": "6",
        "items-0-critical": "on",
        "items-1-text_es": "Informa",
        "items-1-text_en": "Reports",
        "items-1-max_points": "4",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get()
    assert (sheet.kind, sheet.pass_threshold, sheet.course_key) == ("points", 7, course.translation_key)
    assert [(i.text_en, i.max_points, i.critical) for i in sheet.items.all()] == [
        ("Detects the alteration", 6, True),
        ("Reports", 4, False),
    ]
    bad = client.post(url, {**form, "pass_threshold": "11"})  # above the 10 points possible
    assert bad.status_code == 200 and ScoreSheet.objects.count() == 1


def test_the_authoring_page_is_404_for_others(client, world, course, other_instructor):
    for user in (other_instructor, world.head_a, world.officer_user_a):
        client.force_login(user)
        assert client.get(reverse("practicals:sheet_new", args=[course.pk])).status_code == 404


# --- recording -------------------------------------------------------------------------------------


def test_a_checklist_is_passed_with_every_critical_item_and_the_threshold(world, running, checklist):
    session, a, _b = running
    first, critical, third = ids(checklist)
    result = practical_record(
        evaluator=world.instructor,
        enrollment=a,
        sheet=checklist,
        scores={first: True, critical: False, third: True},
        notes="Olvidó el chasis.",
    )
    assert (result.passed, result.items_passed) == (False, 2)  # the critical item failed
    again = practical_record(
        evaluator=world.instructor,
        enrollment=a,
        sheet=checklist,
        scores={first: "0", critical: "1", third: "on"},
    )
    assert again.pk == result.pk and (again.passed, again.items_passed) == (True, 2)
    assert PracticalResult.objects.count() == 1 and PracticalItemScore.objects.count() == 3
    assert list(PracticalAudit.objects.values_list("action", flat=True)) == ["record", "rescore"]
    rescore = PracticalAudit.objects.last()
    assert rescore.before["passed"] is False and rescore.after["passed"] is True
    assert rescore.before["notes"] == "Olvidó el chasis."


def test_a_points_sheet_needs_the_threshold_and_no_critical_item_at_zero(world, running, points):
    session, a, b = running
    safety, accuracy = ids(points)
    assert practical_record(
        evaluator=world.instructor, enrollment=a, sheet=points, scores={safety: "8.5", accuracy: "9.5"}
    ).passed
    result = practical_record(
        evaluator=world.instructor, enrollment=b, sheet=points, scores={safety: 0, accuracy: Decimal("20")}
    )
    assert result.total_points == 20 and not result.passed


@pytest.mark.parametrize(
    "bad_scores, message",
    [
        (lambda s, c: {s: "abc", c: "5"}, "is not a number"),
        (lambda s, c: {s: "1e400", c: "5"}, "is not a number"),
        (lambda s, c: {s: "NaN", c: "5"}, "is not a number"),
        (lambda s, c: {s: True, c: "5"}, "is not a number"),
        (lambda s, c: {s: "5.123", c: "5"}, "at most two decimals"),
        (lambda s, c: {s: "-1", c: "5"}, "cannot be negative"),
        (lambda s, c: {s: "11", c: "5"}, "more than its 10.00 points"),
        (lambda s, c: {s: "5"}, "was not scored"),
        (lambda s, c: {s: "5", c: "5", 999999: "1"}, "999999 is not on this score sheet"),
    ],
)
def test_bad_scores_are_refused_and_nothing_changes(world, running, points, bad_scores, message):
    session, a, _b = running
    safety, accuracy = ids(points)
    practical_record(
        evaluator=world.instructor, enrollment=a, sheet=points, scores={safety: 10, accuracy: 10}
    )
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        practical_record(
            evaluator=world.instructor, enrollment=a, sheet=points, scores=bad_scores(safety, accuracy)
        )
    assert any(message in m for m in error.value.messages), error.value.messages
    assert snapshot() == before


def test_an_item_of_another_sheet_is_refused(world, running, points, checklist):
    session, a, _b = running
    before = snapshot()
    with pytest.raises(ValidationError, match="is not on this score sheet"):
        practical_record(
            evaluator=world.instructor,
            enrollment=a,
            sheet=points,
            scores={**dict.fromkeys(ids(points), 5), ids(checklist)[0]: 5},
        )
    assert snapshot() == before


def test_every_problem_is_reported_at_once(world, running, points):
    session, a, _b = running
    safety, accuracy = ids(points)
    with pytest.raises(ValidationError) as error:
        practical_record(evaluator=world.instructor, enrollment=a, sheet=points, scores={safety: "x", 42: 1})
    assert len(error.value.messages) == 3  # not a number, unknown item, accuracy not scored


def test_nobody_evaluates_themself(world, running, checklist):
    session, a, _b = running
    session.instructors.add(world.officer_user_a)  # the officer also teaches this session
    before = snapshot()
    with pytest.raises(PermissionDenied, match="themself"):
        practical_record(
            evaluator=world.officer_user_a,
            enrollment=a,
            sheet=checklist,
            scores=dict.fromkeys(ids(checklist), True),
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["other_instructor", "admin", "course_instructor"])
def test_only_an_instructor_of_the_session_records(world, running, checklist, other_instructor, course, who):
    session, a, _b = running
    evaluator = {"other_instructor": other_instructor, "admin": world.admin}.get(who, other_instructor)
    if who == "course_instructor":  # teaches the course, not this session
        services.course_assign_instructor(course=course, user=other_instructor)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        practical_record(
            evaluator=evaluator, enrollment=a, sheet=checklist, scores=dict.fromkeys(ids(checklist), True)
        )
    assert snapshot() == before


def test_no_result_before_the_session_starts_nor_for_a_withdrawn_trainee(
    world, running, checklist, make_session
):
    session, a, b = running
    svc.enrollment_withdraw(actor=world.head_b, enrollment=b, reason="Trasladado.")
    planned = make_session(status=ClassSession.Status.OPEN)
    planned.instructors.add(world.instructor)
    (c,) = svc.enrollment_nominate(actor=world.head_a, session=planned, trainees=[world.trainee_a2])
    before = snapshot()
    for enrollment, message in ((b, "not taking the course"), (c, "session that has started")):
        with pytest.raises(ValidationError, match=message):
            practical_record(
                evaluator=world.instructor,
                enrollment=enrollment,
                sheet=checklist,
                scores=dict.fromkeys(ids(checklist), True),
            )
    assert snapshot() == before


def test_an_unpublished_sheet_or_one_of_another_course_is_refused(world, running, make_course):
    session, a, _b = running
    other = make_course(code="DOC-110", title="Documentos", modules=0)
    for sheet in (
        scoresheet_create(
            actor=world.admin,
            course=other,
            title_es="x",
            title_en="x",
            kind="checklist",
            published=True,
            items=[{"text_es": "a", "text_en": "a"}],
        ),
        scoresheet_create(
            actor=world.admin,
            course=a.course,
            title_es="y",
            title_en="y",
            kind="checklist",
            published=False,
            items=[{"text_es": "a", "text_en": "a"}],
        ),
    ):
        before = snapshot()
        with pytest.raises(ValidationError, match="not one of the course's published sheets"):
            practical_record(
                evaluator=world.instructor, enrollment=a, sheet=sheet, scores={ids(sheet)[0]: True}
            )
        assert snapshot() == before


# --- completion and overrides -------------------------------------------------------------------------


def test_completion_waits_for_a_required_sheet_and_a_pass_completes(
    world, course, running, checklist, points
):
    session, a, _b = running
    all_modules_done(world, course)
    a.refresh_from_db()
    assert a.status == S.ENROLLED
    assert svc.completion_check(enrollment=a) == ["practicals"]
    assert practicals_missing(enrollment=a) == {checklist.pk, points.pk}
    practical_record(
        evaluator=world.instructor, enrollment=a, sheet=checklist, scores=dict.fromkeys(ids(checklist), True)
    )
    a.refresh_from_db()
    assert a.status == S.ENROLLED  # the points sheet is still missing
    safety, accuracy = ids(points)
    practical_record(evaluator=world.instructor, enrollment=a, sheet=points, scores={safety: 10, accuracy: 5})
    a.refresh_from_db()
    assert a.status == S.ENROLLED  # 15 < 18: failed
    practical_record(evaluator=world.instructor, enrollment=a, sheet=points, scores={safety: 10, accuracy: 9})
    a.refresh_from_db()
    assert a.status == S.COMPLETED and svc.completion_check(enrollment=a) == []


def test_an_optional_sheet_does_not_hold_completion(world, course, running):
    session, a, _b = running
    scoresheet_create(
        actor=world.admin,
        course=course,
        title_es="x",
        title_en="x",
        kind="checklist",
        published=True,
        is_required=False,
        items=[{"text_es": "a", "text_en": "a"}],
    )
    assert "practicals" not in svc.completion_check(enrollment=a)


def test_an_override_is_audited_and_counts_toward_completion(
    world, course, running, checklist, other_instructor
):
    session, a, _b = running
    all_modules_done(world, course)
    first, critical, third = ids(checklist)
    result = practical_record(
        evaluator=world.instructor,
        enrollment=a,
        sheet=checklist,
        scores={first: True, critical: False, third: True},
    )
    before = snapshot()
    with pytest.raises(ValidationError):
        practical_override(actor=world.instructor, result=result, passed=True, reason="  ")
    with pytest.raises(PermissionDenied):
        practical_override(actor=other_instructor, result=result, passed=True, reason="Lo vi pasar.")
    assert snapshot() == before
    practical_override(
        actor=world.admin,
        result=result,
        passed=True,
        reason="The chassis was checked; the sheet was misread.",
    )
    result.refresh_from_db()
    a.refresh_from_db()
    assert result.result_passed and not result.passed and a.status == S.COMPLETED
    entry = PracticalAudit.objects.filter(action="override").get()
    assert entry.actor == world.admin and entry.created_at
    assert entry.before["override_passed"] is None and entry.after["override_passed"] is True
    assert entry.reason == "The chassis was checked; the sheet was misread."


# --- screens ---------------------------------------------------------------------------------------


def score_url(session, sheet, enrollment, lang="en"):
    with translation.override(lang):
        return reverse("practicals:score", args=[session.pk, sheet.pk, enrollment.pk])


@pytest.mark.parametrize(
    "lang, title, item",
    [("es", "Registro de vehículo", "Revisa el chasis"), ("en", "Vehicle search", "Checks the chassis")],
)
def test_the_phone_page_in_both_languages(client, world, running, checklist, lang, title, item):
    session, a, _b = running
    client.force_login(world.instructor)
    url = score_url(session, checklist, a, lang)
    assert url.startswith(f"/{lang}/")
    html = client.get(url).content.decode()
    assert title in html and item in html and 'data-testid="practical-form"' in html
    assert 'name="viewport"' in html  # made for a phone
    listing = client.get(reverse("practicals:session", args=[session.pk])).content.decode()
    assert "Núñez" in listing and "Castillo-Ríos" in listing


def test_scoring_through_the_page(client, world, running, checklist):
    session, a, _b = running
    first, critical, third = ids(checklist)
    client.force_login(world.instructor)
    response = client.post(
        score_url(session, checklist, a), {f"item-{first}": "1", f"item-{critical}": "1", "notes": "Bien."}
    )
    assert response.status_code == 302
    result = PracticalResult.objects.get()
    assert result.passed and result.items_passed == 2 and result.notes == "Bien."
    assert result.scores.get(item_id=third).passed is False  # unticked: failed


def test_a_non_numeric_score_via_the_page_is_refused_with_a_clear_message(client, world, running, points):
    session, a, _b = running
    safety, accuracy = ids(points)
    client.force_login(world.instructor)
    before = snapshot()
    response = client.post(score_url(session, points, a), {f"item-{safety}": "diez", f"item-{accuracy}": "9"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "“diez” is not a number" in html
    assert 'value="diez"' in html  # what was typed stays in the form
    assert snapshot() == before
    tampered = client.post(score_url(session, points, a), {"item-x": "1", f"item-{accuracy}": "9"})
    assert tampered.status_code == 400 and snapshot() == before


def test_override_through_the_page(client, world, running, checklist):
    session, a, _b = running
    result = practical_record(
        evaluator=world.instructor, enrollment=a, sheet=checklist, scores=dict.fromkeys(ids(checklist), False)
    )
    client.force_login(world.admin)
    url = score_url(session, checklist, a)
    html = client.get(url).content.decode()
    assert 'data-testid="override-form"' in html and 'data-testid="practical-form"' not in html
    assert client.post(url, {"action": "override", "result": "passed", "reason": ""}).status_code == 200
    result.refresh_from_db()
    assert result.override_passed is None
    assert (
        client.post(url, {"action": "override", "result": "passed", "reason": "Repetido."}).status_code == 302
    )
    result.refresh_from_db()
    assert result.override_passed is True and result.overridden_by == world.admin


def test_scoping_404s(client, world, running, checklist, other_instructor, make_session, make_course):
    session, a, b = running
    elsewhere = make_session(status=ClassSession.Status.OPEN)
    (c,) = svc.enrollment_nominate(actor=world.head_a, session=elsewhere, trainees=[world.trainee_a2])
    other = make_course(code="DOC-110", title="Documentos", modules=0)
    foreign_sheet = scoresheet_create(
        actor=world.admin,
        course=other,
        title_es="x",
        title_en="x",
        kind="checklist",
        published=True,
        items=[{"text_es": "a", "text_en": "a"}],
    )
    data = dict.fromkeys((f"item-{i}" for i in ids(checklist)), "1")
    for user in (other_instructor, world.head_a, world.officer_user_a):
        client.force_login(user)
        assert client.get(reverse("practicals:session", args=[session.pk])).status_code == 404
        assert client.get(score_url(session, checklist, a)).status_code == 404
        assert client.post(score_url(session, checklist, a), data).status_code == 404
    client.force_login(world.instructor)
    assert client.get(score_url(session, checklist, c)).status_code == 404  # another session's trainee
    assert client.get(score_url(session, foreign_sheet, a)).status_code == 404  # another course's sheet
    assert client.post(score_url(session, checklist, c), data).status_code == 404
    assert not PracticalResult.objects.exists()


def test_the_session_page_takes_a_fixed_number_of_queries(client, world, course, running, checklist, points):
    session, a, _b = running
    practical_record(
        evaluator=world.instructor, enrollment=a, sheet=checklist, scores=dict.fromkeys(ids(checklist), True)
    )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("practicals:session", args=[session.pk])).status_code == 200
        return len(queries)

    client.force_login(world.instructor)
    count()  # the first request fills per-process caches
    small = count()
    safety, accuracy = ids(points)
    for i in range(18):
        trainee = trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"P{i:07d}",
            given_names="Ana",
            first_surname=f"Pérez{i}",
            sex="F",
        )
        enrollment = Enrollment.objects.create(
            trainee=trainee,
            course=course,
            course_key=course.translation_key,
            session=session,
            status=S.ENROLLED,
        )
        practical_record(
            evaluator=world.instructor, enrollment=enrollment, sheet=points, scores={safety: 10, accuracy: i}
        )
    assert Enrollment.objects.filter(session=session).count() == 20
    assert count() == small


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_give_one_result_and_one_completion(world, course, running, checklist):
    """Two instructors' phones save the same trainee's sheet at the same moment: the enrollment's
    row lock serialises them, so there is one result (the later one), both are in the history,
    and the enrollment is completed once. Runs on PostgreSQL (DATABASE_URL=postgres://...)."""
    import threading

    from django.db import connections

    from courses.models import EnrollmentTransition

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (run with DATABASE_URL=postgres://...)")
    session, a, _b = running
    all_modules_done(world, course)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index):
        try:
            barrier.wait()
            with translation.override("en"):
                outcomes[index] = practical_record(
                    evaluator=world.instructor,
                    enrollment=a,
                    sheet=checklist,
                    scores=dict.fromkeys(ids(checklist), True),
                    notes=f"phone {index}",
                )
        except Exception as error:  # noqa: BLE001  (the outcome is what the test checks)
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, PracticalResult) for o in outcomes), outcomes
    assert PracticalResult.objects.count() == 1 and PracticalItemScore.objects.count() == 3
    assert sorted(PracticalAudit.objects.values_list("action", flat=True)) == ["record", "rescore"]
    assert EnrollmentTransition.objects.filter(enrollment=a, to_status=S.COMPLETED).count() == 1
