"""The evidence snapshot a certificate stores: who it was issued to, their agency and country,
the credential and its signatories, exactly as they stood at issue, plus what the issuing path
knows about the award (course, class, hours, score; or the other institution's course).

Every path that issues builds it here: a completed course or program
(`courses.services_awards`), the manual issue form (`forms_certificate_issue`) and the demo
seeds (`demo_certificates`, `demo_roster`). The keys are the ones `certificate_pdf` reads
(`EVIDENCE_KEYS`) and issued certificates keep: do not rename them.
"""

from collections.abc import Mapping

from .models import Credential, Trainee


def signatories_snapshot(credential: Credential) -> list[dict]:
    """The credential's signatories in signing order, with the storage name of each signature
    image (the file the PDF draws)."""
    return [
        {
            "name": s.name,
            "title_es": s.title_es,
            "title_en": s.title_en,
            "signature": s.signature.name if s.signature else "",
        }
        for s in credential.signatories.order_by("position")
    ]


def evidence_snapshot(
    *,
    trainee: Trainee,
    credential: Credential,
    award: Mapping | None = None,
    signatories: list[dict] | None = None,
) -> dict:
    """The frozen snapshot of `trainee` (with their agency and its country) receiving
    `credential`, updated with `award`: the keys the issuing path adds (they may override).

    `signatories` is `signatories_snapshot(credential)`, read here unless given (a caller that
    issues many certificates of one credential reads it once)."""
    agency = trainee.agency
    country = agency.country
    evidence = {
        "trainee_name": trainee.full_name,
        "trainee_given_names": trainee.given_names,
        "trainee_first_surname": trainee.first_surname,
        "agency_acronym": agency.acronym,
        "agency_name_es": agency.name_es,
        "agency_name_en": agency.name_en,
        "country_code": country.code,
        "country_name_es": country.name_es,
        "country_name_en": country.name_en,
        "credential_code": credential.code,
        "credential_name_es": credential.name_es,
        "credential_name_en": credential.name_en,
        "english_first": agency.english_first,
        "signatories": signatories_snapshot(credential) if signatories is None else signatories,
    }
    evidence.update(award or {})
    return evidence
