"""Issuing certificates and changing their status. A certificate is issued once per award (the
`award_key`), with a serial taken under a row lock (unique and gap-free per country and year)
and an unguessable verification code; it never changes afterwards except for its status, which
`certificate_transition` alone moves. The PDF is rendered by a Celery task after commit."""

import calendar
import datetime
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry, Certificate, CertificateEvent, Credential, SerialCounter, Trainee
from .roles import is_program_admin
from .selectors import agency_today
from .services_audit import audit_record, audit_target

C = Certificate.Status

# Unambiguous when read aloud or typed from paper: no 0/O, 1/I/L, no U (V), no S (5).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRTVWXYZ"
CODE_LENGTH = 12  # 29**12 ≈ 3.5e17 codes: unguessable behind a rate limit
MAX_TYPED_CODE = 40

CERTIFICATE_MOVES: dict[str, set[str]] = {
    C.VALID: {C.SUSPENDED, C.REVOKED, C.SUPERSEDED},
    C.SUSPENDED: {C.VALID, C.REVOKED, C.SUPERSEDED},
    C.REVOKED: set(),
    C.SUPERSEDED: set(),
}
ACTIONS = {C.SUSPENDED: "suspended", C.VALID: "reinstated", C.REVOKED: "revoked", C.SUPERSEDED: "superseded"}


def verification_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_code_display(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verification_code_normalize(raw: str) -> str | None:
    """A code as typed by hand: case, spaces and hyphens forgiven. None when it cannot be a code
    (wrong length, characters outside the alphabet, or absurdly long input)."""
    if not isinstance(raw, str) or len(raw) > MAX_TYPED_CODE:
        return None
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def serial_next(*, country_code: str, year: int) -> str:
    """CARSI-GT-2026-000123: the next number of that country and year, under a row lock, so
    concurrent issuing never repeats or skips one. Call inside the issuing transaction."""
    counter = SerialCounter.objects.select_for_update().filter(country_code=country_code, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                SerialCounter.objects.create(country_code=country_code, year=year)
        except IntegrityError:
            pass  # another transaction created it first: lock theirs
        counter = SerialCounter.objects.select_for_update().get(country_code=country_code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CARSI-{country_code}-{year}-{counter.last:06d}"


def _event(certificate, *, action, actor, reason="", from_status="", to_status=""):
    CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        actor=actor,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
    )


def _render_after_commit(certificate: Certificate) -> None:
    from .tasks import certificate_pdf_render

    certificate_pdf_render.delay_on_commit(certificate.pk)


def _ends_sooner(expires_on: datetime.date | None, other: datetime.date | None) -> bool:
    """Does a validity ending on `expires_on` end before one ending on `other` (None: never)?"""
    if expires_on is None:
        return False
    return other is None or expires_on < other


@transaction.atomic
def certificate_issue(
    *,
    trainee: Trainee,
    credential: Credential,
    award_key: str,
    source: str,
    evidence: dict,
    actor=None,
    reason: str = "",
    course_key: uuid.UUID | None = None,
    issued_on: datetime.date | None = None,
    evidence_document=None,
) -> Certificate:
    """Issues the certificate of one award, once: issuing the same award again returns the
    existing certificate. `actor` None is the system (a completed course or program); a person
    issuing manually or recording training done elsewhere must be a program administrator and
    give a reason (and, for training elsewhere, a document). A newer certificate of the same
    credential supersedes the officer's current one (a renewal), linked as its `previous`."""
    if source not in Certificate.Source.values:
        raise ValidationError(_("Unknown certificate source."))
    if source in (Certificate.Source.MANUAL, Certificate.Source.EXTERNAL):
        if actor is None or not is_program_admin(actor):
            raise PermissionDenied(_("Only program administrators issue certificates by hand."))
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Give a reason.")})
        if source == Certificate.Source.EXTERNAL and not evidence_document:
            raise ValidationError({"evidence_document": _("Attach the document that proves the training.")})
    elif actor is not None:
        raise PermissionDenied(_("Course and program certificates are issued by the completion rules."))
    # One issuer at a time per officer: a second call for the same award waits, then finds it.
    trainee = Trainee.objects.select_for_update().select_related("agency__country").get(pk=trainee.pk)
    existing = Certificate.objects.filter(award_key=award_key).first()
    if existing is not None:
        return existing
    if not credential.is_active:
        raise ValidationError(_("The credential %(code)s is no longer awarded.") % {"code": credential.code})
    today = agency_today(agency=trainee.agency)
    issued_on = issued_on or today
    if issued_on > today:
        raise ValidationError({"issued_on": _("The issue date cannot be in the future.")})
    expires_on = add_months(issued_on, credential.validity_months) if credential.validity_months else None
    previous = (
        Certificate.objects.filter(trainee=trainee, credential=credential, status__in=(C.VALID, C.SUSPENDED))
        .order_by("-issued_on", "-id")
        .first()
    )
    # Recording old training must not cut a longer certificate short. (A course completed again
    # always renews, even if the credential's validity has since been shortened.)
    by_hand = source in (Certificate.Source.MANUAL, Certificate.Source.EXTERNAL)
    if by_hand and previous is not None and _ends_sooner(expires_on, previous.expires_on):
        raise ValidationError(
            {
                "issued_on": _(
                    "%(name)s already holds certificate %(serial)s of this credential, valid longer: "
                    "this one would replace it and expire earlier."
                )
                % {"name": trainee.full_name, "serial": previous.serial}
            }
        )
    certificate = Certificate(
        serial=serial_next(country_code=trainee.agency.country.code, year=issued_on.year),
        verification_code=verification_code_new(),
        award_key=award_key,
        source=source,
        trainee=trainee,
        agency=trainee.agency,
        credential=credential,
        course_key=course_key,
        issued_on=issued_on,
        valid_from=issued_on,
        expires_on=expires_on,
        evidence=evidence,
        previous=previous,
        issued_by=actor,
        issue_reason=(reason or "").strip(),
    )
    if evidence_document:
        certificate.evidence_document = evidence_document
    certificate.full_clean(exclude=["pdf"])
    certificate.save()
    _event(certificate, action="issued", actor=actor, reason=certificate.issue_reason, to_status=C.VALID)
    previous_before = _audit_previous(previous)  # as it was, before it is superseded
    if previous is not None:
        certificate_transition(
            actor=None,
            certificate=previous,
            to_status=C.SUPERSEDED,
            reason=_("Renewed by %(serial)s.") % {"serial": certificate.serial},
        )
    # Audited: every renewal (it supersedes a certificate, whoever issues the new one) and every
    # certificate issued by a person; one entry each. A course's first award is the system's.
    if previous is not None or actor is not None:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CERTIFICATE_RENEW if previous else AuditEntry.Action.CERTIFICATE_ISSUE,
            agency=trainee.agency,
            target=_audit_target(certificate, trainee),
            details={
                "certificate": certificate.pk,
                "credential": credential.code,
                "source": source,
                "issued_on": issued_on.isoformat(),
                "expires_on": expires_on.isoformat() if expires_on else None,
                "previous": previous_before,
                "reason": certificate.issue_reason,
            },
        )
    _render_after_commit(certificate)
    return certificate


def _audit_target(certificate: Certificate, trainee: Trainee) -> str:
    return audit_target(certificate.serial, trainee.full_name)


def _audit_previous(previous: Certificate | None) -> dict | None:
    if previous is None:
        return None
    return {
        "certificate": previous.pk,
        "serial": previous.serial,
        "status": previous.status,
        "expires_on": previous.expires_on.isoformat() if previous.expires_on else None,
    }


@transaction.atomic
def certificate_transition(
    *, actor, certificate: Certificate, to_status: str, reason: str = ""
) -> Certificate:
    """THE way a certificate's status changes: suspend, reinstate, revoke (people: program
    administrators, with a reason) or supersede (the system, on renewal or correction).
    Idempotent: moving to the current status does nothing."""
    if to_status not in CERTIFICATE_MOVES:
        raise ValidationError(_("Unknown certificate status."))
    if actor is not None and not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators change a certificate's status."))
    reason = (reason or "").strip()
    current = (
        Certificate.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=certificate.pk)
    )
    if current.status == to_status:
        certificate.status = current.status
        return certificate
    if to_status not in CERTIFICATE_MOVES[current.status]:
        raise ValidationError(
            _("A certificate cannot go from “%(from)s” to “%(to)s”.")
            % {"from": C(current.status).label, "to": C(to_status).label}
        )
    if to_status != C.VALID and not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    from_status = current.status
    current.status = to_status
    current.status_reason = "" if to_status == C.VALID else reason
    current.status_changed_at = timezone.now()
    current.save(update_fields=["status", "status_reason", "status_changed_at"])
    if to_status != C.SUPERSEDED:  # superseding is audited with the renewal or correction
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CERTIFICATE_STATUS,
            agency_id=current.agency_id,
            target=_audit_target(current, current.trainee),
            details={"certificate": current.pk, "before": from_status, "after": to_status, "reason": reason},
        )
    _event(
        current,
        action=ACTIONS[to_status],
        actor=actor,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
    )
    for field in ("status", "status_reason", "status_changed_at"):
        setattr(certificate, field, getattr(current, field))
    return certificate


@transaction.atomic
def certificate_correct(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """After the officer's record is corrected (a misspelt name), issues a corrected certificate
    with the same dates and evidence but the name as now recorded; the old one is superseded."""
    if not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators correct certificates."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    old = (
        Certificate.objects.select_for_update()
        .select_related("trainee__agency__country")
        .get(pk=certificate.pk)
    )
    if old.status not in (C.VALID, C.SUSPENDED):
        raise ValidationError(_("Only a valid or suspended certificate can be corrected."))
    evidence = dict(old.evidence)
    evidence["trainee_name"] = old.trainee.full_name
    evidence["trainee_given_names"] = old.trainee.given_names  # the verification page's name
    evidence["trainee_first_surname"] = old.trainee.first_surname
    corrected = Certificate(
        serial=serial_next(country_code=old.trainee.agency.country.code, year=timezone.localdate().year),
        verification_code=verification_code_new(),
        award_key=f"{old.award_key}#corrected-{uuid.uuid4().hex[:12]}",
        source=old.source,
        trainee=old.trainee,
        agency=old.agency,
        credential=old.credential,
        course_key=old.course_key,
        issued_on=old.issued_on,
        valid_from=old.valid_from,
        expires_on=old.expires_on,
        evidence=evidence,
        previous=old,
        issued_by=actor,
        issue_reason=reason.strip(),
    )
    corrected.save()
    _event(corrected, action="corrected", actor=actor, reason=reason.strip(), to_status=C.VALID)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CERTIFICATE_CORRECT,
        agency_id=old.agency_id,
        target=_audit_target(corrected, old.trainee),
        details={
            "certificate": corrected.pk,
            "previous": _audit_previous(old),
            "name": {"before": old.evidence.get("trainee_name", ""), "after": old.trainee.full_name},
            "reason": reason.strip(),
        },
    )
    certificate_transition(
        actor=actor,
        certificate=old,
        to_status=C.SUPERSEDED,
        reason=_("Corrected by %(serial)s: %(reason)s")
        % {"serial": corrected.serial, "reason": reason.strip()},
    )
    _render_after_commit(corrected)
    return corrected
