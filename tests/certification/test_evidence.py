"""The evidence snapshot of a certificate is built in one place (`certification.evidence`): the
person, agency, country, credential and signatories as they stood at issue, in the keys
`certificate_pdf` reads, plus what each issuing path knows about the award. The manual issue
form and the demo seeds store exactly that person part."""

import datetime
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification import access
from certification import services as registry
from certification.demo_roster import _Certificates
from certification.evidence import evidence_snapshot, signatories_snapshot
from certification.forms_certificate_issue import CertificateIssueForm
from certification.models import CredentialSignatory, Trainee

pytestmark = pytest.mark.django_db

PERSON_KEYS = {
    "trainee_name",
    "trainee_given_names",
    "trainee_first_surname",
    "agency_acronym",
    "agency_name_es",
    "agency_name_en",
    "country_code",
    "country_name_es",
    "country_name_en",
    "credential_code",
    "credential_name_es",
    "credential_name_en",
    "english_first",
    "signatories",
}


def signatory(credential, position, name, signature=None):
    entry = CredentialSignatory(
        credential=credential,
        position=position,
        name=name,
        title_es=f"Cargo de {name}",
        title_en=f"Title of {name}",
    )
    if signature:
        image = io.BytesIO()
        Image.new("RGB", (120, 40), "white").save(image, "PNG")
        entry.signature.save(signature, ContentFile(image.getvalue()), save=False)
    entry.full_clean()
    entry.save()
    return entry


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def credential(world):
    # bsi-101: a credential the demo roster knows how to draw.
    credential = registry.credential_upsert(
        code="bsi-101", name_es="Interdicción fronteriza", name_en="Border interdiction", validity_months=24
    )
    # Created out of order: the snapshot lists them by position.
    signatory(credential, 2, "Second Signer")
    signatory(credential, 1, "First Signer", signature="first.png")
    return credential


def test_the_snapshot_holds_the_person_and_credential_as_at_issue(world, credential):
    trainee = Trainee.objects.select_related("agency__country").get(pk=world.trainee_a.pk)
    evidence = evidence_snapshot(trainee=trainee, credential=credential)
    assert set(evidence) == PERSON_KEYS
    assert evidence["trainee_name"] == "María José Núñez Peña"
    assert (evidence["trainee_given_names"], evidence["trainee_first_surname"]) == ("María José", "Núñez")
    assert (evidence["agency_acronym"], evidence["agency_name_es"]) == ("PNC", "Policía Nacional Civil")
    assert evidence["agency_name_en"] == "National Civil Police"
    assert evidence["country_code"] == "GT"
    assert evidence["country_name_es"] == world.gt.name_es and evidence["country_name_en"] == world.gt.name_en
    assert evidence["credential_code"] == "bsi-101"
    assert evidence["credential_name_es"] == "Interdicción fronteriza"
    assert evidence["credential_name_en"] == "Border interdiction"
    assert evidence["english_first"] is world.agency_a.english_first
    first, second = evidence["signatories"]
    assert first["name"] == "First Signer" and first["signature"].endswith(".png")
    assert first["title_es"] == "Cargo de First Signer" and first["title_en"] == "Title of First Signer"
    assert second == {
        "name": "Second Signer",
        "title_es": "Cargo de Second Signer",
        "title_en": "Title of Second Signer",
        "signature": "",
    }


def test_the_award_adds_keys_and_given_signatories_are_not_read_again(
    world, credential, django_assert_num_queries
):
    trainee = Trainee.objects.select_related("agency__country").get(pk=world.trainee_a.pk)
    signatories = signatories_snapshot(credential)
    with django_assert_num_queries(0):
        evidence = evidence_snapshot(
            trainee=trainee,
            credential=credential,
            award={"course_code": "BSI-101", "hours": 40, "trainee_name": "As printed"},
            signatories=signatories,
        )
    assert evidence["course_code"] == "BSI-101" and evidence["hours"] == 40
    assert evidence["trainee_name"] == "As printed"  # the award may override
    assert evidence["signatories"] == signatories


def test_the_manual_issue_form_stores_the_snapshot_and_the_outside_training(world, credential):
    data = {
        "agency": world.agency_a.pk,
        "identifier": "PNC-2",
        "credential": credential.pk,
        "source": "external",
        "reason": "Training at another academy.",
        "institution": "ILEA San Salvador",
        "course_name": "Detección de documentos fraudulentos",
        "hours": "7.5",
        "course_start": "2025-06-02",
        "course_end": "2025-06-06",
        "token": str(uuid.uuid4()),
    }
    files = {"evidence_document": SimpleUploadedFile("record.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n")}
    form = CertificateIssueForm(
        data,
        files,
        trainees=access.trainees_visible_to(world.admin),
        agencies=access.agencies_visible_to(world.admin),
    )
    assert form.is_valid(), form.errors
    evidence = form.evidence()
    person = evidence_snapshot(trainee=world.trainee_a2, credential=credential)
    assert {key: evidence[key] for key in PERSON_KEYS} == person
    assert {key: value for key, value in evidence.items() if key not in PERSON_KEYS} == {
        "external_institution": "ILEA San Salvador",
        "external_course_name": "Detección de documentos fraudulentos",
        "course_title_es": "Detección de documentos fraudulentos",
        "course_title_en": "Detección de documentos fraudulentos",
        "hours": 7.5,
        "place": "ILEA San Salvador",
        "session_start": "2025-06-02",
        "session_end": "2025-06-06",
    }
    # Issued by hand without outside training: the person part only.
    data.update(source="manual", token=str(uuid.uuid4()))
    form = CertificateIssueForm(
        data,
        {},
        trainees=access.trainees_visible_to(world.admin),
        agencies=access.agencies_visible_to(world.admin),
    )
    assert form.is_valid(), form.errors
    assert form.evidence() == person


def test_the_demo_roster_draws_the_same_snapshot_reading_signatories_once(
    world, credential, django_assert_num_queries
):
    officers = list(Trainee.objects.filter(agency=world.agency_a).select_related("agency__country"))
    seeder = _Certificates(world.agency_a, world.admin, {"bsi-101": credential}, datetime.date(2026, 3, 1))
    with django_assert_num_queries(0):  # the signatories were read when the seeder was made
        drawn = [seeder.evidence(officer, credential, datetime.date(2026, 3, 1)) for officer in officers]
    for officer, evidence in zip(officers, drawn, strict=True):
        assert {key: evidence[key] for key in PERSON_KEYS} == evidence_snapshot(
            trainee=officer, credential=credential
        )
        assert evidence["course_code"] == "BSI-101" and evidence["hours"] == 40
        assert evidence["session_end"] < "2026-03-01"
