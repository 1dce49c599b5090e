"""Reads of certificates that do not depend on who is asking (scoping is in access.py)."""

from django.utils import timezone

from .models import Agency, Certificate
from .services_certificates import verification_code_normalize


def certificate_by_code(raw_code: str) -> Certificate | None:
    """The certificate a typed or scanned code names; None for an unknown or malformed code."""
    code = verification_code_normalize(raw_code)
    if code is None:
        return None
    return (
        Certificate.objects.select_related("credential", "agency__country", "trainee")
        .filter(verification_code=code)
        .first()
    )


def holder_name_for_verification(certificate: Certificate) -> str:
    """The officer's name as a checkpoint sees it: by default the given names and the first
    surname's initial ("María José N."); the full name where the agency chose so."""
    evidence = certificate.evidence or {}
    if certificate.agency.verification_name == Agency.NameOnVerification.FULL:
        return evidence.get("trainee_name") or certificate.trainee.full_name
    given = evidence.get("trainee_given_names") or certificate.trainee.given_names
    surname = evidence.get("trainee_first_surname") or certificate.trainee.first_surname
    return f"{given} {surname[:1]}." if surname else given


def verification_facts(certificate: Certificate) -> dict:
    """What the verification page and API tell anyone holding the code, and nothing more."""
    today = timezone.localdate()
    evidence = certificate.evidence or {}
    status = certificate.shown_status(today)
    return {
        "status": status,
        "valid": status == "valid",
        "serial": certificate.serial,
        "holder": holder_name_for_verification(certificate),
        "credential": {
            "es": evidence.get("credential_name_es") or certificate.credential.name_es,
            "en": evidence.get("credential_name_en") or certificate.credential.name_en,
        },
        "agency": {
            "acronym": certificate.agency.acronym,
            "es": certificate.agency.name_es,
            "en": certificate.agency.name_en,
        },
        "country": {
            "code": certificate.agency.country.code,
            "es": certificate.agency.country.name_es,
            "en": certificate.agency.country.name_en,
        },
        "issued_on": certificate.issued_on,
        "valid_from": certificate.valid_from,
        "expires_on": certificate.expires_on,
        "status_changed_on": (
            timezone.localdate(certificate.status_changed_at)
            if certificate.status_changed_at and status in ("suspended", "revoked", "superseded")
            else None
        ),
    }
