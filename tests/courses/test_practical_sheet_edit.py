"""Editing and publishing a score sheet after it was written: the same rules as writing one,
and once a trainee is scored on it only its wording and publication change."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from courses.models import ScoreSheet, ScoreSheetItem
from courses.services_practical import practical_record, scoresheet_update
from tests.courses.test_class_screens import running
from tests.courses.test_enrollment_flow import course, in_english, make_session, session
from tests.courses.test_practicals import checklist, ids, points

SHARED_FIXTURES = (course, in_english, make_session, session, running, checklist, points)

pytestmark = pytest.mark.django_db


def fields(sheet, **changes):
    base = {
        "title_es": sheet.title_es,
        "title_en": sheet.title_en,
        "instructions_es": sheet.instructions_es,
        "instructions_en": sheet.instructions_en,
        "kind": sheet.kind,
        "pass_threshold": sheet.pass_threshold,
        "is_required": sheet.is_required,
        "published": sheet.published,
        "items": [
            {"text_es": i.text_es, "text_en": i.text_en, "max_points": i.max_points, "critical": i.critical}
            for i in sheet.items.order_by("position")
        ],
    }
    return {**base, **changes}


def state(sheet):
    sheet.refresh_from_db()
    return (
        sheet.title_en,
        sheet.kind,
        sheet.pass_threshold,
        sheet.published,
        list(sheet.items.order_by("position").values_list("pk", "text_en", "max_points", "critical")),
    )


def test_an_unscored_sheet_is_rewritten_whole(world, points):
    items = [
        {"text_es": "Seguridad", "text_en": "Safety", "max_points": 10, "critical": True},
        {"text_es": "Precisión", "text_en": "Accuracy", "max_points": 20},
        {"text_es": "Tiempo", "text_en": "Time", "max_points": 5},
    ]
    sheet = scoresheet_update(
        actor=world.admin, sheet=points, **fields(points, items=items, pass_threshold="25", published=False)
    )
    assert (sheet.pass_threshold, sheet.published) == (Decimal("25"), False)
    assert [(i.text_en, i.max_points) for i in sheet.items.order_by("position")] == [
        ("Safety", 10),
        ("Accuracy", 20),
        ("Time", 5),
    ]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"pass_threshold": "31"}, "pass_threshold"),  # above the 30 points possible
        ({"items": []}, "items"),
        ({"title_en": " "}, "title_en"),
        ({"kind": "checklist"}, "items"),  # checklist items have no points
    ],
)
def test_a_bad_edit_changes_nothing(world, points, changes, field):
    before = state(points)
    with pytest.raises(ValidationError) as error:
        scoresheet_update(actor=world.admin, sheet=points, **fields(points, **changes))
    assert field in error.value.message_dict
    assert state(points) == before


def test_only_the_course_authors_edit(world, checklist, other_instructor):
    before = state(checklist)
    with pytest.raises(PermissionDenied):
        scoresheet_update(actor=other_instructor, sheet=checklist, **fields(checklist, title_en="Mine"))
    assert state(checklist) == before
    scoresheet_update(
        actor=world.instructor, sheet=checklist, **fields(checklist, title_en="Vehicle search 2")
    )
    assert state(checklist)[0] == "Vehicle search 2"


def test_once_scored_only_the_wording_and_publication_change(world, running, checklist):
    _session, a, _b = running
    first, critical, third = ids(checklist)
    result = practical_record(
        evaluator=world.instructor,
        enrollment=a,
        sheet=checklist,
        scores={first: True, critical: True, third: False},
    )
    before = state(checklist)
    with pytest.raises(ValidationError):  # a points sheet's items need points: refused either way
        scoresheet_update(actor=world.instructor, sheet=checklist, **fields(checklist, kind="points"))
    scoring_changes = [
        {"pass_threshold": 3},
        {"items": fields(checklist)["items"][:2]},
        {"items": [{**item, "critical": False} for item in fields(checklist)["items"]]},
    ]
    for changes in scoring_changes:
        with pytest.raises(ValidationError, match="only its wording"):
            scoresheet_update(actor=world.instructor, sheet=checklist, **fields(checklist, **changes))
        assert state(checklist) == before
    reworded = [{**item, "text_en": item["text_en"] + "!"} for item in fields(checklist)["items"]]
    scoresheet_update(
        actor=world.instructor, sheet=checklist, **fields(checklist, items=reworded, published=False)
    )
    after = state(checklist)
    assert after[3] is False
    assert [row[0] for row in after[4]] == [row[0] for row in before[4]]  # the same items, reworded
    assert [row[1] for row in after[4]] == ["Secures the area!", "Checks the chassis!", "Documents the find!"]
    result.refresh_from_db()
    assert result.passed is True and result.scores.count() == 3


def form_data(sheet, **changes):
    data = {
        "title_es": sheet.title_es,
        "title_en": sheet.title_en,
        "kind": sheet.kind,
        "pass_threshold": "" if sheet.pass_threshold is None else str(sheet.pass_threshold),
        "is_required": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
    }
    for n, item in enumerate(sheet.items.order_by("position")):
        data[f"items-{n}-text_es"] = item.text_es
        data[f"items-{n}-text_en"] = item.text_en
        if item.max_points is not None:
            data[f"items-{n}-max_points"] = str(item.max_points)
        if item.critical:
            data[f"items-{n}-critical"] = "on"
    data.update(changes)
    return data


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_edit_page_publishes_a_sheet(client, world, course, checklist, language):
    ScoreSheet.objects.filter(pk=checklist.pk).update(published=False)
    client.force_login(world.instructor)
    with translation.override(language):
        url = reverse("practicals:sheet_edit", args=[checklist.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert ("Publicado" if language == "es" else "Published") in page.content.decode()
    response = client.post(url, form_data(checklist, published="on"))
    assert response.status_code == 302, response.context["form"].errors
    checklist.refresh_from_db()
    assert checklist.published is True
    bad = client.post(url, form_data(checklist, **{"items-0-text_en": ""}))
    assert bad.status_code == 400
    assert ScoreSheetItem.objects.get(pk=ids(checklist)[0]).text_en == "Secures the area"


def test_the_edit_page_is_404_for_others(client, world, checklist, other_instructor):
    url = reverse("practicals:sheet_edit", args=[checklist.pk])
    for user in (other_instructor, world.head_a, world.officer_user_a):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(checklist, title_en="x")).status_code == 404
    checklist.refresh_from_db()
    assert checklist.title_en == "Vehicle search"
    client.force_login(world.admin)
    assert client.get(url).status_code == 200
