import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Trainee, TraineeEvent, VettingRecord
from certification.services_personnel import trainee_create
from certification.services_vetting import vetting_record_add

pytestmark = pytest.mark.django_db


def list_url(world, **params):
    from urllib.parse import urlencode

    return reverse("registry:personnel_list", args=[world.agency_a.id]) + (
        "?" + urlencode(params) if params else ""
    )


def names(response):
    return [t.full_name for t in response.context["page"]]


def test_agency_index_sends_a_head_to_their_agency(client, world):
    client.force_login(world.head_a)
    response = client.get(reverse("registry:agency_index"))
    assert response.status_code == 302
    assert response["Location"] == list_url(world)


def test_list_shows_only_the_agencys_active_officers(client, world):
    client.force_login(world.head_a)
    response = client.get(list_url(world))
    assert sorted(names(response)) == ["María José Núñez Peña", "Óscar O'Connor"]
    assert "Castillo-Ríos" not in response.content.decode()


@pytest.mark.parametrize("query", ["nunez", "NÚÑEZ", "maria jose", "2547", "PNC-1"])
def test_search_ignores_accents_and_case(client, world, query):
    client.force_login(world.head_a)
    assert names(client.get(list_url(world, q=query))) == ["María José Núñez Peña"]


def test_filters_by_unit_status_and_vetting(client, world):
    vetting_record_add(
        actor=world.admin,
        trainee=world.trainee_a,
        status="approved",
        decided_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    vetting_record_add(actor=world.admin, trainee=world.trainee_a2, status="pending")
    client.force_login(world.head_a)
    assert names(client.get(list_url(world, vetting="expired"))) == ["María José Núñez Peña"]
    assert names(client.get(list_url(world, vetting="pending"))) == ["Óscar O'Connor"]
    assert names(client.get(list_url(world, vetting="valid"))) == []
    assert len(names(client.get(list_url(world, unit=world.unit_a.id)))) == 2
    # A unit of another agency is not a valid choice: the filter is ignored, nothing leaks.
    response = client.get(list_url(world, unit=world.unit_b.id))
    assert response.status_code == 200
    assert "Castillo-Ríos" not in response.content.decode()


def test_separated_officers_leave_the_active_list_but_keep_their_record(client, world):
    client.force_login(world.head_a)
    response = client.post(
        reverse("registry:personnel_status", args=[world.trainee_a2.id]),
        {"status": "separated", "effective_on": timezone.localdate().isoformat(), "reason": "Retired"},
    )
    assert response.status_code == 302
    assert names(client.get(list_url(world))) == ["María José Núñez Peña"]
    assert names(client.get(list_url(world, status="separated"))) == ["Óscar O'Connor"]
    event = TraineeEvent.objects.get(trainee=world.trainee_a2, kind="separated")
    assert (event.actor, event.reason) == (world.head_a, "Retired")


def test_list_query_count_does_not_grow_with_the_agency(client, world, django_assert_max_num_queries):
    client.force_login(world.head_a)
    client.get(list_url(world))  # warm the session's time zone
    with django_assert_max_num_queries(12) as small:
        client.get(list_url(world))
    for n in range(40):
        trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type="national_id",
            id_number=f"3000 {n:05d} 0101",
            given_names=f"Officer {n}",
            first_surname="Gómez",
            unit=world.unit_a,
        )
        if n % 3 == 0:
            vetting_record_add(actor=None, trainee=Trainee.objects.latest("id"), status="pending")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(list_url(world))
    assert len(response.context["page"]) == 42
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize(("language", "text"), [("es", "Agregar un oficial"), ("en", "Add an officer")])
def test_list_in_both_languages(client, world, language, text):
    client.force_login(world.head_a)
    response = client.get(f"/{language}/agency/{world.agency_a.id}/personnel/")
    assert text in response.content.decode()


def test_add_an_officer_keeps_the_name_exactly_and_stores_the_canonical_id(client, world):
    client.force_login(world.head_a)
    response = client.post(
        reverse("registry:personnel_create", args=[world.agency_a.id]),
        {
            "id_country": world.gt.id,
            "id_type": "national_id",
            "id_number": "2999-12345-0101",
            "given_names": "  Ana  Lucía ",
            "first_surname": "Ixcot",
            "second_surname": "D'Aubuisson",
            "unit": world.unit_a.id,
            "sex": "F",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    trainee = Trainee.objects.get(first_surname="Ixcot")
    assert (trainee.given_names, trainee.second_surname, trainee.id_number) == (
        "Ana Lucía",
        "D'Aubuisson",
        "2999 12345 0101",
    )
    assert trainee.agency == world.agency_a
    assert TraineeEvent.objects.filter(trainee=trainee, kind="created", actor=world.head_a).exists()


@pytest.mark.parametrize(
    ("id_number", "badge", "field", "message"),
    [
        ("12345", "", "id_number", "is not a valid DPI"),
        ("2547-81234-0101", "", "id_number", "already registered"),  # the same DPI, written differently
        ("2999 00000 0101", "PNC-1", "badge_number", "already has this badge"),  # badge taken in this agency
    ],
)
def test_invalid_or_duplicate_officers_get_field_errors_and_nothing_is_written(
    client, world, id_number, badge, field, message
):
    client.force_login(world.head_a)
    before = (Trainee.objects.count(), TraineeEvent.objects.count())
    response = client.post(
        reverse("registry:personnel_create", args=[world.agency_a.id]),
        {
            "id_country": world.gt.id,
            "id_type": "national_id",
            "id_number": id_number,
            "badge_number": badge,
            "given_names": "Ana",
            "first_surname": "Ixcot",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert (Trainee.objects.count(), TraineeEvent.objects.count()) == before


def test_a_unit_of_another_agency_is_refused(client, world):
    client.force_login(world.head_a)
    response = client.post(
        reverse("registry:personnel_edit", args=[world.trainee_a.id]),
        {"given_names": "María José", "first_surname": "Núñez", "unit": world.unit_b.id},
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    world.trainee_a.refresh_from_db()
    assert world.trainee_a.unit == world.unit_a


def test_edit_records_what_changed(client, world):
    client.force_login(world.coordinator_a)
    response = client.post(
        reverse("registry:personnel_edit", args=[world.trainee_a.id]),
        {
            "given_names": "María José",
            "first_surname": "Núñez",
            "second_surname": "Peña",
            "rank": "Inspectora",
            "badge_number": "PNC-1",
            "unit": world.unit_a.id,
            "sex": "F",
        },
    )
    assert response.status_code == 302
    event = TraineeEvent.objects.get(trainee=world.trainee_a, kind="updated")
    assert event.changes == {"rank": ["", "Inspectora"]}


def test_transfer_moves_the_officer_and_keeps_the_history(client, world):
    client.force_login(world.head_a)
    response = client.post(
        reverse("registry:personnel_transfer", args=[world.trainee_a2.id]),
        {
            "to_agency": world.agency_b.id,
            "to_unit": world.unit_b.id,
            "effective_on": timezone.localdate().isoformat(),
            "reason": "Reassigned",
        },
    )
    assert response.status_code == 302
    world.trainee_a2.refresh_from_db()
    assert (world.trainee_a2.agency, world.trainee_a2.unit) == (world.agency_b, world.unit_b)
    assert world.trainee_a2.events.filter(kind="transferred", from_agency=world.agency_a).exists()
    # Agency A no longer sees the officer; agency B now does.
    assert client.get(reverse("registry:personnel_detail", args=[world.trainee_a2.id])).status_code == 404
    client.force_login(world.head_b)
    assert client.get(reverse("registry:personnel_detail", args=[world.trainee_a2.id])).status_code == 200


def test_transfer_with_a_unit_of_another_agency_is_refused(client, world):
    client.force_login(world.head_a)
    response = client.post(
        reverse("registry:personnel_transfer", args=[world.trainee_a2.id]),
        {
            "to_agency": world.agency_b.id,
            "to_unit": world.unit_a.id,
            "effective_on": timezone.localdate().isoformat(),
            "reason": "Reassigned",
        },
    )
    assert response.status_code == 200
    world.trainee_a2.refresh_from_db()
    assert world.trainee_a2.agency == world.agency_a


def test_administrator_records_a_vetting_decision(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("registry:personnel_vetting", args=[world.trainee_b.id]),
        {"status": "approved", "decided_on": timezone.localdate().isoformat(), "case_reference": "HN-2026-1"},
    )
    assert response.status_code == 302
    record = VettingRecord.objects.get(trainee=world.trainee_b)
    assert (record.status, record.recorded_by, record.case_reference) == (
        "approved",
        world.admin,
        "HN-2026-1",
    )
    detail = client.get(reverse("registry:personnel_detail", args=[world.trainee_b.id])).content.decode()
    assert "HN-2026-1" in detail


def test_agency_heads_cannot_record_vetting(client, world):
    client.force_login(world.head_a)
    url = reverse("registry:personnel_vetting", args=[world.trainee_a.id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "approved", "decided_on": "2026-01-01"}).status_code == 404
    assert not VettingRecord.objects.exists()
