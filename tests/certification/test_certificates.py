"""Certificates: issued once per award with unique serials, renewal and correction chains, the
status transitions (suspend, reinstate, revoke) and public verification (page, QR link, JSON),
with the privacy rule, unknown and malformed codes, and the rate limit."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from certification import services as registry
from certification.models import Agency, Certificate, CertificateEvent, SerialCounter
from certification.services_certificates import (
    CODE_LENGTH,
    add_months,
    certificate_correct,
    certificate_issue,
    certificate_transition,
    verification_code_display,
    verification_code_normalize,
)
from certification.services_personnel import trainee_update

pytestmark = pytest.mark.django_db

C = Certificate.Status
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()  # the rate limit counts per address in the cache
    yield
    cache.clear()


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=24,
    )


def evidence_for(trainee, credential):
    return {
        "trainee_name": trainee.full_name,
        "trainee_given_names": trainee.given_names,
        "trainee_first_surname": trainee.first_surname,
        "credential_name_es": credential.name_es,
        "credential_name_en": credential.name_en,
        "hours": 40,
    }


def issue(world, credential, trainee=None, key="enrollment:1", **kwargs):
    trainee = trainee or world.trainee_a
    kwargs.setdefault("source", Certificate.Source.COURSE)
    return certificate_issue(
        trainee=trainee,
        credential=credential,
        award_key=key,
        evidence=evidence_for(trainee, credential),
        **kwargs,
    )


def snapshot():
    return (
        list(Certificate.objects.order_by("pk").values_list("pk", "status", "serial")),
        CertificateEvent.objects.count(),
        list(SerialCounter.objects.values_list("country_code", "year", "last")),
    )


# --- issuing -------------------------------------------------------------------------------------


def test_an_award_is_issued_once_with_a_readable_serial(world, credential):
    first = issue(world, credential)
    again = issue(world, credential)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1
    assert first.serial == f"CARSI-GT-{first.issued_on.year}-000001"
    assert len(first.verification_code) == CODE_LENGTH
    assert first.expires_on == add_months(first.issued_on, 24)
    assert first.events.get().action == "issued"
    second = issue(world, credential, trainee=world.trainee_b, key="enrollment:2")
    assert second.serial == f"CARSI-HN-{second.issued_on.year}-000001"  # per country
    third = issue(world, credential, trainee=world.trainee_a2, key="enrollment:3")
    assert third.serial.endswith("-000002")


def test_months_are_added_by_the_calendar():
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 24) == datetime.date(2028, 11, 30)


def test_a_credential_without_validity_never_expires(world):
    forever = registry.credential_upsert(code="ethics", name_es="Ética", name_en="Ethics")
    assert issue(world, forever).expires_on is None


def test_a_renewal_links_to_and_supersedes_the_previous_certificate(world, credential):
    old = issue(world, credential, key="enrollment:1")
    new = issue(world, credential, key="enrollment:2")
    old.refresh_from_db()
    assert new.previous == old
    assert old.status == C.SUPERSEDED and new.serial in old.status_reason
    assert new.status == C.VALID


def test_manual_issue_is_for_administrators_with_a_reason(world, credential):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        issue(world, credential, key="manual:1", source=Certificate.Source.MANUAL, actor=world.head_a)
    with pytest.raises(ValidationError):
        issue(world, credential, key="manual:1", source=Certificate.Source.MANUAL, actor=world.admin)
    with pytest.raises(ValidationError):  # training elsewhere needs its document
        issue(
            world,
            credential,
            key="external:1",
            source=Certificate.Source.EXTERNAL,
            actor=world.admin,
            reason="x",
        )
    with pytest.raises(PermissionDenied):  # course certificates come from the completion rules
        issue(world, credential, actor=world.admin)
    assert snapshot() == before
    manual = issue(
        world,
        credential,
        key="manual:1",
        source=Certificate.Source.MANUAL,
        actor=world.admin,
        reason="Verified.",
    )
    assert manual.issued_by == world.admin and manual.issue_reason == "Verified."
    external = issue(
        world,
        credential,
        trainee=world.trainee_b,
        key="external:1",
        source=Certificate.Source.EXTERNAL,
        actor=world.admin,
        reason="Course taken at ILEA San Salvador.",
        evidence_document=SimpleUploadedFile(
            "ilea.pdf", b"%PDF-1.4 evidence", content_type="application/pdf"
        ),
    )
    assert external.evidence_document.name


def test_an_inactive_credential_is_not_awarded(world, credential):
    credential.is_active = False
    credential.save()
    before = snapshot()
    with pytest.raises(ValidationError):
        issue(world, credential)
    assert snapshot() == before


# --- status ----------------------------------------------------------------------------------------


def test_suspend_reinstate_and_revoke_with_reasons(world, credential):
    certificate = issue(world, credential)
    with pytest.raises(ValidationError):
        certificate_transition(actor=world.admin, certificate=certificate, to_status=C.SUSPENDED)
    with pytest.raises(PermissionDenied):
        certificate_transition(actor=world.head_a, certificate=certificate, to_status=C.REVOKED, reason="x")
    certificate_transition(
        actor=world.admin, certificate=certificate, to_status=C.SUSPENDED, reason="Under investigation."
    )
    certificate_transition(actor=world.admin, certificate=certificate, to_status=C.VALID)
    certificate_transition(
        actor=world.admin, certificate=certificate, to_status=C.REVOKED, reason="Obtained by fraud."
    )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (C.REVOKED, "Obtained by fraud.")
    with pytest.raises(ValidationError):  # revocation is final
        certificate_transition(actor=world.admin, certificate=certificate, to_status=C.VALID)
    actions = list(certificate.events.values_list("action", "actor", "reason"))
    assert actions == [
        ("issued", None, ""),
        ("suspended", world.admin.pk, "Under investigation."),
        ("reinstated", world.admin.pk, ""),
        ("revoked", world.admin.pk, "Obtained by fraud."),
    ]


def test_a_correction_issues_a_new_certificate_with_the_corrected_name(world, credential):
    old = issue(world, credential)
    trainee_update(actor=world.admin, trainee=world.trainee_a, first_surname="Núñez-Alvarado")
    corrected = certificate_correct(actor=world.admin, certificate=old, reason="Surname misspelt.")
    old.refresh_from_db()
    assert corrected.previous == old and old.status == C.SUPERSEDED
    assert "Núñez-Alvarado" in corrected.evidence["trainee_name"]
    assert (corrected.issued_on, corrected.expires_on) == (old.issued_on, old.expires_on)
    assert corrected.evidence["trainee_first_surname"] == "Núñez-Alvarado"
    assert corrected.serial != old.serial and corrected.verification_code != old.verification_code


# --- codes -----------------------------------------------------------------------------------------


def test_codes_typed_by_hand_are_forgiven_case_and_spaces(world, credential):
    code = issue(world, credential).verification_code
    typed = " " + verification_code_display(code).lower().replace("-", " ") + " "
    assert verification_code_normalize(typed) == code
    for bad in ("", "ABCD", "0000-1111-OOOO", "<script>", "A" * 10_000, "ÑÑÑÑ-ÑÑÑÑ-ÑÑÑÑ"):
        assert verification_code_normalize(bad) is None


# --- verification ----------------------------------------------------------------------------------


def verify(client, code, language="es"):
    with translation.override(language):
        url = reverse("verify:detail", args=[code])
    return client.get(url)


def test_verification_shows_a_valid_certificate_without_login(client, world, credential):
    certificate = issue(world, credential)
    response = verify(client, verification_code_display(certificate.verification_code), "en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="verify-status"' in html and "Valid" in html
    assert "María José N." in html and "Peña" not in html  # the privacy rule
    assert "Border interdiction" in html and "PNC" in html and certificate.serial in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_agencies_may_show_the_full_name(client, world, credential):
    Agency.objects.filter(pk=world.agency_a.pk).update(verification_name=Agency.NameOnVerification.FULL)
    certificate = issue(world, credential)
    assert "María José Núñez Peña" in verify(client, certificate.verification_code).content.decode()


@pytest.mark.parametrize(
    "change,shown",
    [
        ("suspend", "Suspended since"),
        ("revoke", "Revoked on"),
        ("expire", "Expired on"),
    ],
)
def test_verification_shows_each_status_at_once(client, world, credential, change, shown):
    certificate = issue(world, credential)
    if change == "expire":
        Certificate.objects.filter(pk=certificate.pk).update(
            issued_on=TODAY - datetime.timedelta(days=800),
            valid_from=TODAY - datetime.timedelta(days=800),
            expires_on=TODAY - datetime.timedelta(days=70),
        )
    else:
        to = C.SUSPENDED if change == "suspend" else C.REVOKED
        certificate_transition(actor=world.admin, certificate=certificate, to_status=to, reason="Reason.")
    html = verify(client, certificate.verification_code, "en").content.decode()
    assert shown in html
    api = client.get(reverse("api:verify", args=[certificate.verification_code])).json()
    assert api["status"] == {"suspend": "suspended", "revoke": "revoked", "expire": "expired"}[change]
    assert api["valid"] is False


def test_the_json_answer(client, world, credential):
    certificate = issue(world, credential)
    data = client.get(reverse("api:verify", args=[certificate.verification_code.lower()])).json()
    assert data["status"] == "valid" and data["valid"] is True
    assert data["holder"] == "María José N."
    assert data["credential"] == {"es": "Interdicción fronteriza", "en": "Border interdiction"}
    assert data["country"]["code"] == "GT" and data["serial"] == certificate.serial
    assert data["expires_on"] == certificate.expires_on.isoformat()
    assert "id_number" not in str(data) and "2547" not in str(data)


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "x" * 10_000, "%3Cscript%3E", "A" * 41, "%00"])
def test_unknown_and_malformed_codes_reveal_nothing(client, world, credential, code):
    issue(world, credential)
    page = client.get(f"/es/verify/{code}/")
    assert page.status_code == 404
    assert b"CARSI-GT" not in page.content
    api = client.get(f"/api/v1/verify/{code}/")
    assert api.status_code == 404 and api.json() == {"status": "unknown"}


def test_the_form_takes_a_typed_code(client, world, credential):
    certificate = issue(world, credential)
    typed = verification_code_display(certificate.verification_code).lower().replace("-", " ")
    response = client.get(reverse("verify:form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{verification_code_display(certificate.verification_code)}/")
    bad = client.get(reverse("verify:form"), {"code": "not a code!"})
    assert bad.status_code == 400 and b"not a certificate code" in bad.content
    with translation.override("es"):
        spanish = client.get(reverse("verify:form"), {"code": "zz"})
    assert "no es un código".encode() in spanish.content


def test_verification_is_rate_limited(client, world, credential):
    certificate = issue(world, credential)
    url = reverse("api:verify", args=[certificate.verification_code])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    limited = client.get(reverse("verify:detail", args=[certificate.verification_code]))
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "no-store" in limited["Cache-Control"]  # a refusal is never cached for others


def test_behind_the_proxy_each_address_has_its_own_limit(client, world, credential, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"  # RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP in the env
    certificate = issue(world, credential)
    url = reverse("api:verify", args=[certificate.verification_code])
    assert [client.get(url, HTTP_X_REAL_IP="203.0.113.7").status_code for _ in range(31)][-1] == 429
    assert client.get(url, HTTP_X_REAL_IP="203.0.113.8").status_code == 200  # another visitor
    # Not through the proxy (no header), or a header that is no address: the connection's own
    # address is counted, and the page answers (it used to be a server error).
    assert client.get(url).status_code == 200
    assert client.get(url, HTTP_X_REAL_IP="not an address").status_code == 200
    assert client.get(reverse("verify:form")).status_code == 200


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_repeats_a_serial(world, credential):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (run with DATABASE_URL=postgres://...)")
    from certification.models import Trainee
    from certification.services_personnel import trainee_create

    trainees = [
        trainee_create(
            actor=None,
            agency=world.agency_a,
            id_country=world.gt,
            id_type=Trainee.IdType.PASSPORT,
            id_number=f"P{i:07d}",
            given_names="Ana",
            first_surname=f"Pérez{i}",
        )
        for i in range(8)
    ]
    barrier = threading.Barrier(len(trainees))
    errors = []

    def run(index, trainee):
        try:
            barrier.wait()
            issue(world, credential, trainee=trainee, key=f"enrollment:{index}")
            issue(world, credential, trainee=trainee, key=f"enrollment:{index}")  # a duplicate delivery
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(trainees)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    year = TODAY.year
    assert serials == [f"CARSI-GT-{year}-{n:06d}" for n in range(1, 9)]


def test_a_corrected_name_shows_on_verification(client, world, credential):
    old = issue(world, credential)
    trainee_update(actor=world.admin, trainee=world.trainee_a, given_names="María Josefa")
    corrected = certificate_correct(actor=world.admin, certificate=old, reason="Given name misspelt.")
    assert "María Josefa N." in verify(client, corrected.verification_code, "en").content.decode()
    assert "Replaced by a newer certificate" in verify(client, old.verification_code, "en").content.decode()


def test_a_certificate_whose_pdf_was_never_rendered_is_rendered_on_first_download(client, world):
    """The PDF task may be queued still, or lost with the broker: the download renders it once,
    and the second download serves the same stored file."""
    import hashlib

    from certification import services as registry
    from certification.services_certificates import certificate_issue

    credential = registry.credential_upsert(
        code="od", name_es="Demanda", name_en="Demand", validity_months=12
    )
    certificate = certificate_issue(  # inside the test's transaction: no rendering after commit
        trainee=world.trainee_a,
        credential=credential,
        award_key="on-demand:1",
        source="course",
        evidence={"trainee_name": world.trainee_a.full_name, "credential_name_es": "Demanda"},
    )
    assert not certificate.pdf
    client.force_login(world.head_a)
    url = reverse("registry:certificate_pdf", args=[certificate.pk])
    first = b"".join(client.get(url).streaming_content)
    certificate.refresh_from_db()
    assert first.startswith(b"%PDF") and hashlib.sha256(first).hexdigest() == certificate.pdf_sha256
    assert b"".join(client.get(url).streaming_content) == first
    client.force_login(world.head_b)
    assert client.get(url).status_code == 404
