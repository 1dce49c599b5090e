"""The Registry and Certification menus of the Wagtail admin: program administrators use them;
certificates and vetting records cannot be changed or deleted there (their services decide)."""

import pytest
from django.urls import reverse

from certification import services as registry
from certification.models import Certificate, VettingRecord
from certification.services_certificates import certificate_issue
from certification.services_vetting import vetting_record_add

pytestmark = pytest.mark.django_db

LISTS = [
    "registry_countries:index",
    "registry_agencies:index",
    "registry_units:index",
    "registry_staff_roles:index",
    "registry_vetting:index",
    "certification_credentials:index",
    "certification_signatories:index",
    "certification_certificates:index",
]


@pytest.fixture
def certificate(world):
    credential = registry.credential_upsert(code="bsi", name_es="Interdicción", name_en="Interdiction")
    return certificate_issue(
        trainee=world.trainee_a,
        credential=credential,
        award_key="admin-test",
        source="course",
        evidence={"trainee_name": world.trainee_a.full_name},
    )


def test_program_administrators_use_every_list(client, world, certificate):
    client.force_login(world.admin)
    for name in LISTS:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    page = client.get(reverse("certification_certificates:index")).content.decode()
    assert certificate.serial in page


@pytest.mark.parametrize("role", ["head_a", "instructor", "officer_user_a"])
def test_nobody_else_reaches_them(client, world, role):
    client.force_login(getattr(world, role))
    for name in LISTS:
        assert client.get(reverse(name)).status_code in (302, 403), name


def test_certificates_and_vetting_are_not_edited_in_the_admin(client, world, certificate):
    record = vetting_record_add(
        actor=world.admin, trainee=world.trainee_a, status="pending", decided_on=None, valid_until=None
    )
    client.force_login(world.admin)
    for url in (
        reverse("certification_certificates:edit", args=[certificate.pk]),
        reverse("certification_certificates:delete", args=[certificate.pk]),
        reverse("registry_vetting:edit", args=[record.pk]),
        reverse("registry_vetting:delete", args=[record.pk]),
    ):
        response = client.post(url, {"status": "revoked"})
        assert response.status_code in (302, 403), url
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert VettingRecord.objects.filter(pk=record.pk).exists()
    assert client.get(reverse("certification_certificates:inspect", args=[certificate.pk])).status_code == 200
