"""Expiry reminders: 90 days, 30 days and expired, each once per certificate however often the
daily task runs; only the officer's current valid certificate; the officer and their agency's
heads, each in their own language; each agency's own date; a fixed number of queries per run."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.users.models import UserProfile

from certification import services as registry
from certification.models import AgencyStaff, Certificate, CertificateReminder, Trainee
from certification.services_certificates import (
    add_months,
    certificate_issue,
    certificate_transition,
    verification_code_display,
)
from certification.services_personnel import trainee_create, trainee_set_status
from certification.services_reminders import certificate_reminders_send, reminder_kind_due
from certification.tasks_reminders import certificate_reminders_send as reminders_task

pytestmark = pytest.mark.django_db

K = CertificateReminder.Kind
# 15:00 UTC is 09:00 in Guatemala and Honduras: the same date everywhere in the world fixture.
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def credential(world):
    return registry.credential_upsert(
        code="border-interdiction",
        name_es="Interdicción fronteriza",
        name_en="Border interdiction",
        validity_months=12,
    )


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def expiring(credential, trainee, *, on: datetime.date, key: str) -> Certificate:
    """A certificate of `credential` (12 months) expiring on `on`, issued as a course would."""
    issued_on = add_months(on, -credential.validity_months)
    certificate = certificate_issue(
        trainee=trainee,
        credential=credential,
        award_key=key,
        source=Certificate.Source.COURSE,
        evidence={
            "trainee_name": trainee.full_name,
            "credential_name_es": credential.name_es,
            "credential_name_en": credential.name_en,
        },
        issued_on=issued_on,
    )
    assert certificate.expires_on == on
    return certificate


def run(now=NOW) -> int:
    """One run as the task makes it: the e-mails leave once its transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return certificate_reminders_send(now=now)


def kinds(certificate) -> dict[str, int]:
    return dict(certificate.reminders.values_list("kind", "recipients"))


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def set_language(user, language):
    UserProfile.get_for_user(user)
    UserProfile.objects.filter(user=user).update(preferred_language=language)


# --- the rule of the day ---------------------------------------------------------------------


def test_the_most_urgent_kind_due():
    assert reminder_kind_due(expires_on=TODAY + days(91), today=TODAY) is None
    assert reminder_kind_due(expires_on=TODAY + days(90), today=TODAY) == K.DAYS_90
    assert reminder_kind_due(expires_on=TODAY + days(31), today=TODAY) == K.DAYS_90
    assert reminder_kind_due(expires_on=TODAY + days(30), today=TODAY) == K.DAYS_30
    assert reminder_kind_due(expires_on=TODAY, today=TODAY) == K.DAYS_30  # still valid today
    assert reminder_kind_due(expires_on=TODAY - days(1), today=TODAY) == K.EXPIRED
    assert reminder_kind_due(expires_on=TODAY - days(30), today=TODAY) == K.EXPIRED
    assert reminder_kind_due(expires_on=TODAY - days(31), today=TODAY) is None  # old news


# --- once each -------------------------------------------------------------------------------


def test_90_30_and_expired_each_go_out_once_as_the_days_pass(world, credential, mailoutbox):
    certificate = expiring(credential, world.trainee_a, on=TODAY + days(80), key="enrollment:1")
    assert run() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["head.a@test.carsi", "officer.a@test.carsi"]
    assert kinds(certificate) == {K.DAYS_90: 2}
    assert run() == 0  # the same day again
    assert run(NOW + days(1)) == 0  # the next day: nothing new is due
    assert run(NOW + days(49)) == 0  # 31 days left
    assert len(mailoutbox) == 2

    assert run(NOW + days(50)) == 1  # 30 days left
    assert run(NOW + days(50)) == 0
    assert run(NOW + days(70)) == 0
    assert kinds(certificate) == {K.DAYS_90: 2, K.DAYS_30: 2}
    assert len(mailoutbox) == 4

    assert run(NOW + days(80)) == 0  # the last valid day
    assert run(NOW + days(81)) == 1  # expired
    assert run(NOW + days(81)) == 0
    assert run(NOW + days(95)) == 0
    assert kinds(certificate) == {K.DAYS_90: 2, K.DAYS_30: 2, K.EXPIRED: 2}
    assert len(mailoutbox) == 6
    assert "Certificado vencido" in to("officer.a@test.carsi")[-1].subject


def test_the_daily_task_run_twice_sends_once(world, credential, mailoutbox):
    from django.utils import timezone

    today = timezone.localdate()
    certificate = expiring(credential, world.trainee_a, on=today + days(60), key="enrollment:1")
    for expected in (1, 0):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert reminders_task.delay().result == expected
    assert reminders_task.name == "certification.certificate_reminders_send"
    assert kinds(certificate) == {K.DAYS_90: 2}
    assert len(mailoutbox) == 2


def test_a_certificate_first_seen_within_30_days_gets_only_that_reminder(world, credential, mailoutbox):
    certificate = expiring(credential, world.trainee_a, on=TODAY + days(20), key="enrollment:1")
    assert run() == 1
    officer_mail = to("officer.a@test.carsi")
    assert len(officer_mail) == 1 and "dentro de 20 días" in officer_mail[0].body
    # The skipped 90-day reminder is done too (nobody received it), so it never goes out.
    assert kinds(certificate) == {K.DAYS_90: 0, K.DAYS_30: 2}
    assert run(NOW + days(1)) == 0
    assert run(NOW + days(21)) == 1
    assert set(kinds(certificate)) == {K.DAYS_90, K.DAYS_30, K.EXPIRED}
    assert len(mailoutbox) == 4


def test_a_certificate_first_seen_expired_gets_only_the_expired_notice(world, credential, mailoutbox):
    certificate = expiring(credential, world.trainee_a, on=TODAY - days(5), key="enrollment:1")
    assert run() == 1
    assert kinds(certificate) == {K.DAYS_90: 0, K.DAYS_30: 0, K.EXPIRED: 2}
    assert all("vencido" in m.subject or "expired" in m.subject for m in mailoutbox)
    assert run(NOW + days(1)) == 0
    assert len(mailoutbox) == 2


def test_long_expired_and_far_off_certificates_are_left_alone(world, credential, mailoutbox):
    old = expiring(credential, world.trainee_a, on=TODAY - days(200), key="enrollment:1")
    far = expiring(credential, world.trainee_b, on=TODAY + days(91), key="enrollment:2")
    assert run() == 0
    assert not CertificateReminder.objects.exists() and mailoutbox == []
    assert old.reminders.count() == far.reminders.count() == 0
    assert run(NOW + days(1)) == 1  # 90 days left for the far one now


def test_the_day_is_the_agency_s(world, credential, mailoutbox):
    """Expiring on the 10th: at 05:00 UTC on the 11th it is still the 10th in Guatemala (UTC-6)."""
    certificate = expiring(credential, world.trainee_a, on=datetime.date(2026, 3, 10), key="enrollment:1")
    assert run(datetime.datetime(2026, 3, 11, 5, 0, tzinfo=datetime.UTC)) == 1
    assert kinds(certificate) == {K.DAYS_90: 0, K.DAYS_30: 2}
    assert "hoy" in to("officer.a@test.carsi")[0].body  # expires today, where the officer is
    assert run(datetime.datetime(2026, 3, 11, 7, 0, tzinfo=datetime.UTC)) == 1
    assert K.EXPIRED in kinds(certificate)


# --- only the current certificate ------------------------------------------------------------


def test_revoked_suspended_superseded_renewed_and_lasting_certificates_get_nothing(
    world, credential, mailoutbox
):
    revoked = expiring(credential, world.trainee_a, on=TODAY + days(20), key="enrollment:1")
    certificate_transition(actor=world.admin, certificate=revoked, to_status="revoked", reason="Fraud.")
    suspended = expiring(credential, world.trainee_a2, on=TODAY + days(20), key="enrollment:2")
    certificate_transition(actor=world.admin, certificate=suspended, to_status="suspended", reason="Review.")
    # Renewed: the new certificate supersedes the old one and lasts a year.
    renewed = expiring(credential, world.trainee_b, on=TODAY + days(10), key="enrollment:3")
    renewal = expiring(credential, world.trainee_b, on=TODAY + days(365), key="enrollment:4")
    renewed.refresh_from_db()
    assert renewed.status == Certificate.Status.SUPERSEDED and renewal.previous == renewed
    forever = registry.credential_upsert(code="ethics", name_es="Ética", name_en="Ethics")
    certificate_issue(
        trainee=world.trainee_b,
        credential=forever,
        award_key="enrollment:5",
        source=Certificate.Source.COURSE,
        evidence={"trainee_name": world.trainee_b.full_name},
        issued_on=TODAY - days(3000),
    )
    assert run() == 0
    assert run(NOW + days(40)) == 0
    assert mailoutbox == [] and not CertificateReminder.objects.exists()


def test_an_older_certificate_beside_a_longer_valid_one_is_not_reminded(world, credential, mailoutbox):
    old = expiring(credential, world.trainee_a, on=TODAY + days(20), key="enrollment:1")
    newer = expiring(credential, world.trainee_a, on=TODAY + days(200), key="enrollment:2")
    # Records from before renewals superseded their predecessors: both still valid.
    Certificate.objects.filter(pk=old.pk).update(status=Certificate.Status.VALID, status_reason="")
    assert run() == 0
    assert old.reminders.count() == 0
    assert run(NOW + days(120)) == 1  # the newer one, 80 days left
    assert kinds(newer) == {K.DAYS_90: 2}


def test_a_separated_officer_gets_nothing(world, credential, mailoutbox):
    expiring(credential, world.trainee_a, on=TODAY + days(20), key="enrollment:1")
    trainee_set_status(
        actor=world.admin,
        trainee=world.trainee_a,
        status=Trainee.Status.SEPARATED,
        effective_on=datetime.date(2025, 1, 1),
        reason="Retired.",
    )
    assert run() == 0 and mailoutbox == []


# --- who, and in which language --------------------------------------------------------------


def test_officer_and_head_each_read_their_own_language(world, credential, mailoutbox):
    set_language(world.head_a, "en")  # the head uses the site in English; the officer in Spanish
    certificate = expiring(credential, world.trainee_a, on=TODAY + days(45), key="enrollment:1")
    expiring(credential, world.trainee_b, on=TODAY + days(200), key="enrollment:2")  # not due
    assert run() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["head.a@test.carsi", "officer.a@test.carsi"]
    code = verification_code_display(certificate.verification_code)

    (officer,) = to("officer.a@test.carsi")
    assert officer.subject == "[CARSI] Certificado por vencer el 16 de abril de 2026: Interdicción fronteriza"
    assert officer.body.startswith("Estimada María José Núñez Peña:")
    assert "Su certificado «Interdicción fronteriza»" in officer.body
    assert f"(serie {certificate.serial}) vence el 16 de abril de 2026, dentro de 45 días." in officer.body
    assert f"http://testserver/es/verify/{code}/" in officer.body
    assert f"http://testserver/es/agency/certificates/{certificate.pk}/" in officer.body
    assert "expires" not in officer.body and "Border" not in officer.body

    (head,) = to("head.a@test.carsi")
    assert head.subject == (
        "[CARSI] Certificate expiring on April 16, 2026: Border interdiction – María José Núñez Peña"
    )
    assert head.body.startswith("Regarding: María José Núñez Peña (PNC (GT))")
    assert f'"Border interdiction" (serial {certificate.serial}) expires on April 16, 2026' in head.body
    assert f"http://testserver/en/verify/{code}/" in head.body
    assert "vence" not in head.body and "Interdicción" not in head.body


def test_an_officer_without_a_login_reads_the_agency_s_language(world, credential, mailoutbox):
    """No login, no preference: Spanish, or English at an English-first agency."""
    world.agency_b.english_first = True
    world.agency_b.save(update_fields=["english_first"])
    Trainee.objects.filter(pk=world.trainee_b.pk).update(email="jose@pn.test")
    Trainee.objects.filter(pk=world.trainee_a2.pk).update(email="oscar@pnc.test")
    expiring(credential, world.trainee_b, on=TODAY + days(60), key="enrollment:1")
    expiring(credential, world.trainee_a2, on=TODAY + days(60), key="enrollment:2")
    assert run() == 2
    (jose,) = to("jose@pn.test")
    assert jose.body.startswith("Dear José Ángel Castillo-Ríos,") and "Border interdiction" in jose.body
    (oscar,) = to("oscar@pnc.test")
    assert oscar.body.startswith("Estimado Óscar O'Connor:")  # not escaped: a plain-text e-mail
    # Each head hears about their own officers only; the coordinator is not a head.
    assert len(to("head.b@test.carsi")) == 1 and "José Ángel" in to("head.b@test.carsi")[0].body
    assert len(to("head.a@test.carsi")) == 1 and "Óscar" in to("head.a@test.carsi")[0].body
    assert to("coord.a@test.carsi") == []


def test_an_officer_without_e_mail_still_reaches_the_heads(world, credential, mailoutbox):
    certificate = expiring(credential, world.trainee_a2, on=TODAY + days(60), key="enrollment:1")
    second_head = registry.user_ensure(email="head2.a@test.carsi", password=world.password)
    registry.agency_staff_assign(user=second_head, agency=world.agency_a, role=AgencyStaff.Role.HEAD)
    assert run() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["head.a@test.carsi", "head2.a@test.carsi"]
    assert all(m.body.startswith("Asunto: Óscar O'Connor (PNC (GT))") for m in mailoutbox)
    assert kinds(certificate) == {K.DAYS_90: 2}


def test_nobody_to_tell_is_recorded_and_not_retried(world, credential, mailoutbox):
    AgencyStaff.objects.filter(agency=world.agency_a).delete()
    certificate = expiring(credential, world.trainee_a2, on=TODAY + days(60), key="enrollment:1")
    assert run() == 1
    assert mailoutbox == [] and kinds(certificate) == {K.DAYS_90: 0}
    assert run(NOW + days(1)) == 0


def test_one_address_gets_one_message(world, credential, mailoutbox):
    """A head who is also the officer (same e-mail) is told once, as the officer."""
    Trainee.objects.filter(pk=world.trainee_a2.pk).update(email="HEAD.A@test.carsi")
    expiring(credential, world.trainee_a2, on=TODAY + days(60), key="enrollment:1")
    run()
    assert len(mailoutbox) == 1 and mailoutbox[0].body.startswith("Estimado Óscar")


# --- failures and load -----------------------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_reminder_nobody_received_is_sent_the_next_day(world, credential, settings, mailoutbox):
    certificate = expiring(credential, world.trainee_a, on=TODAY + days(60), key="enrollment:1")
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert run() == 1
    assert kinds(certificate) == {}  # nothing delivered: forgotten, to be tried again
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(NOW + days(1)) == 1
    assert kinds(certificate) == {K.DAYS_90: 2} and len(mailoutbox) == 2


def _officers(world, count):
    people = []
    for i in range(count):
        agency, country = (world.agency_a, world.gt) if i % 2 else (world.agency_b, world.hn)
        people.append(
            trainee_create(
                actor=None,
                agency=agency,
                id_country=country,
                id_type=Trainee.IdType.PASSPORT,
                id_number=f"P{i:07d}",
                given_names="Ana",
                first_surname=f"Pérez{i}",
                email=f"ana{i}@test.carsi",
            )
        )
    return people


def test_a_run_takes_the_same_number_of_queries_for_2_or_8_certificates(world, credential, mailoutbox):
    officers = _officers(world, 10)
    for i, officer in enumerate(officers[:2]):
        expiring(credential, officer, on=TODAY + days(20 + i), key=f"enrollment:{i}")
    with CaptureQueriesContext(connection) as few:
        assert run() == 2
    for i, officer in enumerate(officers[2:], start=2):
        expiring(credential, officer, on=TODAY + days(20 + i), key=f"enrollment:{i}")
    with CaptureQueriesContext(connection) as many:
        assert run() == 8
    assert len(mailoutbox) == 4 + 16
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
    assert len(few.captured_queries) <= 7, [q["sql"][:90] for q in few.captured_queries]


# --- overlapping runs (PostgreSQL) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_send_each_reminder_once(world, credential):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (run with DATABASE_URL=postgres://...)")
    officers = _officers(world, 6)
    for i, officer in enumerate(officers):
        expiring(credential, officer, on=TODAY + days(10 * i - 5), key=f"enrollment:{i}")
    mail.outbox = []
    barrier = threading.Barrier(4)
    results, errors = [], []

    def overlap():
        try:
            barrier.wait()
            results.append(run())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=overlap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 0, 0, 6]
    assert CertificateReminder.objects.filter(recipients__gt=0).count() == 6
    assert len(mail.outbox) == 12  # each officer and their head, once
