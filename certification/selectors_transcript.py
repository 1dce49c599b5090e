"""An officer's transcript: who they are, every course they were enrolled in (with its results),
every certificate they hold or held, and training recorded elsewhere.

Reads only: the caller has already found the officer through `access.trainees_visible_to`. What
the viewer may download (a certificate's PDF) is asked of `access.certificates_visible_to`.
A fixed number of queries whatever the officer's history (see `transcript_for`).

The courses' part is read by `courses.selectors_transcript` (imported where it is used: the
registry does not depend on the courses app at import time, as in `selectors_roster`).
"""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Certificate, Trainee
from .selectors import agency_today
from .services_certificates import verification_code_display

C = Certificate.Status

# What a checkpoint sees (`Certificate.shown_status`), as people read it.
SHOWN_STATUS_LABELS = {
    C.VALID: _("Valid"),
    "expired": _("Expired"),
    C.SUSPENDED: _("Suspended"),
    C.REVOKED: _("Revoked"),
    C.SUPERSEDED: _("Superseded"),
}


@dataclass
class CertificateLine:
    id: int
    serial: str
    award_key: str
    credential: str
    source: str
    source_label: str
    course_title: str
    institution: str  # training elsewhere: the institution that gave it
    hours: str
    started_on: datetime.date | None  # training elsewhere: its dates, when recorded
    ended_on: datetime.date | None
    issued_on: datetime.date
    expires_on: datetime.date | None
    status: str  # as shown: valid, expired, suspended, revoked, superseded
    status_label: str
    code: str  # the verification code as printed
    verify_path: str
    pdf_path: str  # "" when the viewer may not download it or it is not rendered yet

    @property
    def external(self) -> bool:
        return self.source == Certificate.Source.EXTERNAL


@dataclass
class Transcript:
    trainee: Trainee
    language: str
    today: datetime.date  # the officer's agency's day: statuses and the date generated
    courses: list = field(default_factory=list)  # courses.selectors_transcript.CourseLine
    certificates: list[CertificateLine] = field(default_factory=list)

    @property
    def external(self) -> list[CertificateLine]:
        return [c for c in self.certificates if c.external]

    @property
    def hours_completed(self) -> int:
        return sum(c.hours for c in self.courses if c.completed)

    @property
    def courses_completed(self) -> int:
        return sum(1 for c in self.courses if c.completed)


def _language() -> str:
    return "en" if (get_language() or "es").startswith("en") else "es"


def _iso_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _hours(value) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def transcript_certificates(*, trainee: Trainee, viewer, language: str, today: datetime.date):
    """Every certificate of the officer, newest first, superseded ones included (a transcript is
    the whole history), each with its status as a checkpoint sees it today. Two queries."""
    certificates = list(
        Certificate.objects.filter(trainee=trainee).select_related("credential").order_by("-issued_on", "-id")
    )
    if not certificates:
        return []
    downloadable = set(
        access.certificates_visible_to(viewer).filter(trainee=trainee).values_list("pk", flat=True)
    )
    lines = []
    for certificate in certificates:
        evidence = certificate.evidence if isinstance(certificate.evidence, dict) else {}
        credential_name = getattr(certificate.credential, f"name_{language}")
        shown = certificate.shown_status(today)
        lines.append(
            CertificateLine(
                id=certificate.pk,
                serial=certificate.serial,
                award_key=certificate.award_key,
                credential=evidence.get(f"credential_name_{language}") or credential_name,
                source=certificate.source,
                source_label=Certificate.Source(certificate.source).label,
                course_title=evidence.get(f"course_title_{language}") or "",
                institution=evidence.get("external_institution") or "",
                hours=_hours(evidence.get("hours")),
                started_on=_iso_date(evidence.get("session_start")),
                ended_on=_iso_date(evidence.get("session_end")),
                issued_on=certificate.issued_on,
                expires_on=certificate.expires_on,
                status=shown,
                status_label=SHOWN_STATUS_LABELS.get(shown, shown),
                code=verification_code_display(certificate.verification_code),
                verify_path=reverse("verify:detail", args=[certificate.verification_code]),
                pdf_path=(
                    reverse("registry:certificate_pdf", args=[certificate.pk])
                    if certificate.pdf and certificate.pk in downloadable
                    else ""
                ),
            )
        )
    return lines


def transcript_for(*, trainee: Trainee, viewer, language: str | None = None) -> Transcript:
    """The officer's transcript in `language` (default: the active one) as `viewer` may see it.
    Seven queries: certificates, the viewer's downloadable ones, and the five of the courses."""
    from courses.selectors_transcript import transcript_courses

    language = language or _language()
    today = agency_today(agency=trainee.agency)
    certificates = transcript_certificates(trainee=trainee, viewer=viewer, language=language, today=today)
    courses = transcript_courses(trainee=trainee, language=language, certificates=certificates)
    return Transcript(
        trainee=trainee, language=language, today=today, courses=courses, certificates=certificates
    )
