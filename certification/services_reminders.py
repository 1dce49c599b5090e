"""Certificate expiry reminders: the officer and the heads of their agency are told, each in
their language, when a certificate will expire within 90 days, within 30 days, and when it has
expired; once each.

Decisions:

- "Today" is each officer's agency's own date (its time zone), like every other deadline of the
  registry: a certificate expiring on the 14th is "expired" from the agency's midnight of the
  15th, not from UTC's. Candidates are read with a UTC window one day wider on each side, then
  each is judged by its agency's date.
- Only the officer's current certificate is a subject: status valid (suspended, revoked and
  superseded ones get nothing), an active officer (separated or transferred out of the program
  leave the roster), and no other valid certificate of the same credential that lasts longer
  (no expiry, or a later one): someone already renewed is not nagged.
- Only the most urgent kind due goes out. A certificate first seen within 30 days (issued with
  a short validity, or the beat was down) gets the 30-day reminder only; one first seen expired
  gets the expired notice only. The skipped, less urgent kinds are recorded as done too, so they
  never go out later.
- An expired notice is news for EXPIRED_LOOKBACK_DAYS: a certificate that expired long before
  (before reminders existed) is left alone rather than announced years late.
- The `CertificateReminder` rows are written first, inside the transaction, with the candidate
  certificates locked: the unique constraint (certificate, kind) and the locks make "once each"
  hold when two runs overlap. The e-mails go after commit. When every message of a reminder
  fails (the mail server is down), its rows are removed so the next day's run tries again.
- One run reads everything in a fixed number of queries, whatever the number of certificates.
"""

import datetime
import logging
import smtplib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import AgencyStaff, Certificate, CertificateReminder, Trainee
from .services_certificates import verification_code_display

logger = logging.getLogger(__name__)

Kind = CertificateReminder.Kind
C = Certificate.Status

URGENCY = (Kind.DAYS_90, Kind.DAYS_30, Kind.EXPIRED)  # least to most urgent
DAYS_BEFORE = {Kind.DAYS_90: 90, Kind.DAYS_30: 30}
EXPIRED_LOOKBACK_DAYS = 30
EMAIL_LANGUAGES = ("es", "en")
RUN_ATTEMPTS = 3  # an overlapping run that wrote the same rows first: read again and carry on


def reminder_kind_due(*, expires_on: datetime.date, today: datetime.date) -> str | None:
    """The most urgent reminder a certificate expiring on `expires_on` is due on `today`."""
    days_left = (expires_on - today).days
    if days_left < 0:
        return Kind.EXPIRED if -days_left <= EXPIRED_LOOKBACK_DAYS else None
    if days_left <= DAYS_BEFORE[Kind.DAYS_30]:
        return Kind.DAYS_30
    if days_left <= DAYS_BEFORE[Kind.DAYS_90]:
        return Kind.DAYS_90
    return None


def _local_dates(now: datetime.datetime):
    """today(time_zone): the date in that zone at `now`, computed once per zone."""
    cache: dict[str, datetime.date] = {}

    def today(time_zone: str) -> datetime.date:
        if time_zone not in cache:
            cache[time_zone] = timezone.localtime(now, zoneinfo.ZoneInfo(time_zone)).date()
        return cache[time_zone]

    return today


def _window(now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The expiry dates any time zone can need today: the UTC date's window, a day wider."""
    utc_today = now.astimezone(datetime.UTC).date()
    return (
        utc_today - datetime.timedelta(days=EXPIRED_LOOKBACK_DAYS + 1),
        utc_today + datetime.timedelta(days=DAYS_BEFORE[Kind.DAYS_90] + 1),
    )


def _candidates(lowest: datetime.date, highest: datetime.date) -> list[Certificate]:
    """Valid certificates of active officers expiring within the window, that are the officer's
    current one and have not had their last notice yet. Locked until the run commits."""
    lasts_longer = (
        Certificate.objects.filter(
            trainee_id=OuterRef("trainee_id"), credential_id=OuterRef("credential_id"), status=C.VALID
        )
        .exclude(pk=OuterRef("pk"))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    )
    finished = CertificateReminder.objects.filter(certificate_id=OuterRef("pk"), kind=Kind.EXPIRED)
    return list(
        Certificate.objects.select_for_update(of=("self",))
        .filter(
            status=C.VALID,
            trainee__status=Trainee.Status.ACTIVE,
            expires_on__gte=lowest,
            expires_on__lte=highest,
        )
        .exclude(Exists(lasts_longer))
        .exclude(Exists(finished))
        .select_related("trainee__user", "trainee__agency__country", "credential")
        .order_by("expires_on", "pk")
    )


def _languages(user_ids) -> dict[int, str]:
    """Each user's preferred language, as `selectors.language_for_user` reads it, for everyone
    at once (one query instead of one per person)."""
    from wagtail.users.models import UserProfile

    rows = UserProfile.objects.filter(user_id__in=set(user_ids)).values_list("user_id", "preferred_language")
    return {user_id: language for user_id, language in rows if language in EMAIL_LANGUAGES}


@dataclass
class _Reminder:
    certificate: Certificate
    kind: str
    recorded: list[str]
    messages: list[EmailMessage] = field(default_factory=list)


def _absolute(path: str) -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _message(*, reminder: _Reminder, address: str, language: str, to_trainee: bool, today) -> EmailMessage:
    certificate = reminder.certificate
    evidence = certificate.evidence if isinstance(certificate.evidence, dict) else {}
    with translation.override(language):
        context = {
            "kind": reminder.kind,
            "to_trainee": to_trainee,
            "trainee": certificate.trainee,
            "agency": certificate.trainee.agency,
            "credential_name": evidence.get(f"credential_name_{language}")
            or getattr(certificate.credential, f"name_{language}"),
            "serial": certificate.serial,
            "expires_on": certificate.expires_on,
            "days_left": (certificate.expires_on - today).days,
            "verification_url": _absolute(
                reverse("verify:detail", args=[verification_code_display(certificate.verification_code)])
            ),
            "certificate_url": _absolute(reverse("registry:certificate_detail", args=[certificate.pk])),
        }
        subject = render_to_string(f"certification/email/{language}/reminder_subject.txt", context)
        body = render_to_string(f"certification/email/{language}/reminder_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", to=[address])


def _attach_messages(reminders: list[_Reminder], *, today_for) -> None:
    """The officer (their e-mail, else their login's) in their language, else their agency's
    (English for an English-first agency, Spanish otherwise); the heads of the officer's
    current agency likewise. One address gets one message."""
    agency_ids = {r.certificate.trainee.agency_id for r in reminders}
    heads = defaultdict(list)
    for staff in (
        AgencyStaff.objects.filter(agency_id__in=agency_ids, role=AgencyStaff.Role.HEAD, user__is_active=True)
        .select_related("user")
        .order_by("id")
    ):
        if staff.user.email:
            heads[staff.agency_id].append(staff.user)
    user_ids = [u.pk for users in heads.values() for u in users]
    user_ids += [r.certificate.trainee.user_id for r in reminders if r.certificate.trainee.user_id]
    preferred = _languages(user_ids)
    for reminder in reminders:
        trainee = reminder.certificate.trainee
        fallback = "en" if trainee.agency.english_first else "es"
        today = today_for(trainee.agency.time_zone)
        people = []
        address = trainee.email or (trainee.user.email if trainee.user_id and trainee.user.is_active else "")
        if address:
            people.append((address, preferred.get(trainee.user_id, fallback), True))
        people += [(head.email, preferred.get(head.pk, fallback), False) for head in heads[trainee.agency_id]]
        seen = set()
        for address, language, to_trainee in people:
            if address.lower() in seen:
                continue
            seen.add(address.lower())
            reminder.messages.append(
                _message(
                    reminder=reminder, address=address, language=language, to_trainee=to_trainee, today=today
                )
            )


def _record(now: datetime.datetime) -> list[_Reminder]:
    """Decides and records, in one transaction, the reminders due now. Returns them with their
    messages ready (sent after commit)."""
    today_for = _local_dates(now)
    lowest, highest = _window(now)
    certificates = _candidates(lowest, highest)
    if not certificates:
        return []
    already = defaultdict(set)
    for certificate_id, kind in CertificateReminder.objects.filter(
        certificate__status=C.VALID, certificate__expires_on__gte=lowest, certificate__expires_on__lte=highest
    ).values_list("certificate_id", "kind"):
        already[certificate_id].add(kind)
    reminders = []
    for certificate in certificates:
        kind = reminder_kind_due(
            expires_on=certificate.expires_on, today=today_for(certificate.trainee.agency.time_zone)
        )
        if kind is None or kind in already[certificate.pk]:
            continue
        upto = URGENCY[: URGENCY.index(kind) + 1]
        recorded = [k for k in upto if k not in already[certificate.pk]]
        reminders.append(_Reminder(certificate=certificate, kind=kind, recorded=recorded))
    if not reminders:
        return []
    _attach_messages(reminders, today_for=today_for)
    CertificateReminder.objects.bulk_create(
        [
            CertificateReminder(
                certificate=r.certificate, kind=k, recipients=len(r.messages) if k == r.kind else 0
            )
            for r in reminders
            for k in r.recorded
        ]
    )
    return reminders


def _send(reminders: list[_Reminder]) -> None:
    """After commit. A reminder none of whose messages could be delivered is forgotten, so the
    next run sends it; one delivered to anyone stays sent."""
    connection = get_connection()
    undelivered = []
    for reminder in reminders:
        delivered = 0
        for message in reminder.messages:
            message.connection = connection
            try:
                message.send()
            except (smtplib.SMTPException, OSError):
                logger.exception(
                    "reminder %s of %s to %s failed", reminder.kind, reminder.certificate, message.to
                )
            else:
                delivered += 1
        if reminder.messages and not delivered:
            undelivered.append(Q(certificate_id=reminder.certificate.pk, kind__in=reminder.recorded))
    if undelivered:
        query = undelivered[0]
        for condition in undelivered[1:]:
            query |= condition
        CertificateReminder.objects.filter(query).delete()


def certificate_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Sends the expiry reminders due now (the daily beat task). Idempotent: a reminder already
    recorded is never sent again, however often it runs. Returns how many reminders (not
    messages) went out."""
    now = now or timezone.now()
    for attempt in range(RUN_ATTEMPTS):
        try:
            with transaction.atomic():
                reminders = _record(now)
                transaction.on_commit(lambda reminders=reminders: _send(reminders))
        except IntegrityError:
            # Another run recorded some of the same reminders between our read and our write
            # (possible where rows are not locked, as on SQLite): nothing of ours was kept.
            if attempt == RUN_ATTEMPTS - 1:
                raise
            continue
        return len(reminders)
    return 0
