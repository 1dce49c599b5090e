"""Demo certificates in every state, each with its PDF: `seed_certificates()` (idempotent).

No demo class of a course that awards a credential has finished yet, so the demo's certificates
are what a program administrator records by hand: classes held before the platform existed,
transcribed from their signed records (source "manual"), and one course taken at another
academy, with its proof attached (source "external"). All of them go through
`services_certificates` (issue, transition, correct) acted by the demo administrator, with the
issue date back-dated through `certificate_issue(issued_on=...)`, so the expiry dates follow
from each credential's validity as they would in real life. The history (`CertificateEvent`)
records when each step was entered, today: these are records entered now of what happened then.

The cases, relative to the day of seeding:

- valid: trainee1's BSI-101, renewed after a refresher course (the renewal chain: the earlier
  certificate is superseded and linked as `previous`); an officer's program certificate;
- valid, expiring within 90 days and within 30 days (trainee2's training done elsewhere);
- expired (still "valid" on record: expiry is derived from the date);
- suspended and revoked, each with its reason;
- superseded by a name correction: trainee3's name was recorded without its accents and hyphen
  when the certificate was issued; the record was corrected, then the certificate.

Each case is keyed by its award key: a case whose certificate exists is left as it is (with
whatever happened to it since), so running `seed_demo` again neither duplicates nor fails. The
PDFs render after commit, like every certificate's (eagerly without a broker). Nothing here is
e-mailed: issuing, suspending and revoking send no mail (expiry reminders are the daily task's).
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import services as registry
from .evidence import evidence_snapshot
from .models import Certificate, Credential, Trainee
from .services_certificates import add_months, certificate_correct, certificate_issue, certificate_transition
from .services_personnel import trainee_update

DEMO_ADMIN_EMAIL = "admin@demo.carsi.test"
DEMO_INSTRUCTOR_NAME = "Carlos Herrera"
TRAINEE_EMAILS = ("trainee1@demo.carsi.test", "trainee2@demo.carsi.test", "trainee3@demo.carsi.test")
C = Certificate.Status
Source = Certificate.Source
DAY = datetime.timedelta(days=1)

# A credential for training done elsewhere (no demo course awards it).
EXTERNAL_CREDENTIAL = (
    "travel-document-examiner",
    "Examinador de documentos de viaje",
    "Travel document examiner",
    24,
)

BSI_TITLES = {
    "course_code": "BSI-101",
    "course_title_es": "Interdicción fronteriza",
    "course_title_en": "Border interdiction",
}
TIP_TITLES = {
    "course_code": "TIP-201",
    "course_title_es": "Investigación de la trata de personas",
    "course_title_en": "Trafficking in persons investigations",
}
PROGRAM_TITLES = {
    "course_title_es": "Programa de especialista en interdicción fronteriza",
    "course_title_en": "Border interdiction specialist program",
}
CASE_MARK = ":demo-case-"  # in the award keys: "manual:demo-case-bsi-101-expired"
PAPER_RECORD = "Clase anterior a la plataforma: registrada desde el acta firmada del curso."


def _class(code: str, start: datetime.date, days: int, place: str, *, hours: int, score: float) -> dict:
    """The evidence of a class held (before the platform) from `start` for `days` days."""
    return {
        "session_code": code,
        "session_start": start.isoformat(),
        "session_end": (start + (days - 1) * DAY).isoformat(),
        "completed_on": (start + (days - 1) * DAY).isoformat(),
        "place": place,
        "hours": hours,
        "score_percent": score,
        "instructors": [DEMO_INSTRUCTOR_NAME],
    }


def attestation_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica, no images): the scanned attestation of training done elsewhere
    stands in for a real one. Plain ASCII text: the standard font's encoding is not UTF-8."""
    text = "BT /F1 16 Tf 72 760 Td (" + _pdf_text(title) + ") Tj /F1 11 Tf"
    for line in lines:
        text += " 0 -22 Td (" + _pdf_text(line) + ") Tj"
    text += " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _pdf_text(value: str) -> str:
    ascii_text = value.encode("ascii", "replace").decode()
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


@dataclass
class _Demo:
    admin: object
    today: datetime.date
    credentials: dict

    def issue(self, key: str, trainee: Trainee, credential: str, issued_on: datetime.date, **kwargs):
        credential = self.credentials[credential]
        source = kwargs.pop("source", Source.MANUAL)
        return certificate_issue(
            trainee=trainee,
            credential=credential,
            award_key=f"{source}{CASE_MARK}{key}",
            source=source,
            evidence=evidence_snapshot(trainee=trainee, credential=credential, award=kwargs.pop("award")),
            actor=self.admin,
            reason=kwargs.pop("reason", PAPER_RECORD),
            issued_on=issued_on,
            **kwargs,
        )


def existing(key: str, source: str = Source.MANUAL) -> Certificate | None:
    return Certificate.objects.filter(award_key=f"{source}{CASE_MARK}{key}").first()


def case_certificates() -> QuerySet:
    """The certificates of these cases (a correction's award key extends the one it corrects)."""
    return Certificate.objects.filter(award_key__contains=CASE_MARK)


def _officer(country: str, acronym: str) -> Trainee | None:
    """An active officer of the agency, from the end of its roster (the demo classes take theirs
    from the start), not one of the demo trainee accounts."""
    return (
        Trainee.objects.filter(
            agency__country__code=country, agency__acronym=acronym, status=Trainee.Status.ACTIVE
        )
        .exclude(user__email__in=TRAINEE_EMAILS)
        .select_related("agency__country")
        .order_by("-badge_number", "-id")
        .first()
    )


def _trainees() -> dict[str, Trainee]:
    trainees = Trainee.objects.filter(user__email__in=TRAINEE_EMAILS).select_related(
        "agency__country", "user"
    )
    return {t.user.email: t for t in trainees}


# --- the cases ---------------------------------------------------------------------------------


def renewal_chain(demo: _Demo, trainee: Trainee) -> Certificate:
    """trainee1's BSI-101 of three years ago, renewed six weeks ago by a refresher course, a month
    before it would have expired: the new certificate supersedes it and links it as `previous`."""
    renewed = existing("bsi-101-renewed")
    if renewed is not None:
        return renewed
    first_on = add_months(demo.today + 30 * DAY, -36)
    demo.issue(
        "bsi-101-first",
        trainee,
        "bsi-101",
        first_on,
        award={
            **BSI_TITLES,
            **_class(
                "BSI-2023-03",
                first_on - 11 * DAY,
                10,
                "Academia de la Policía Nacional Civil, Ciudad de Guatemala",
                hours=40,
                score=88,
            ),
        },
    )
    renewed_on = demo.today - 45 * DAY
    return demo.issue(
        "bsi-101-renewed",
        trainee,
        "bsi-101",
        renewed_on,
        reason="Curso de actualización BSI-101 aprobado; registrado desde el acta firmada.",
        award={
            **BSI_TITLES,
            **_class("BSI-R-2026-02", renewed_on - 2 * DAY, 3, "Ciudad de Guatemala", hours=16, score=92),
        },
    )


def name_correction(demo: _Demo, trainee: Trainee) -> Certificate:
    """trainee3's BSI-101 was issued when the agency's roster had her name without accents or
    hyphen; the record was corrected, then the certificate (the old one is superseded)."""
    old = existing("bsi-101-misspelt")
    if old is not None:
        return old.successors.order_by("pk").first() or old
    given, surname = trainee.given_names, trainee.first_surname
    plain = {"given_names": _plain(given), "first_surname": _plain(surname).replace("-", " ")}
    trainee_update(actor=None, trainee=trainee, reason="Listado de personal de la institución.", **plain)
    trainee.refresh_from_db()
    issued_on = add_months(demo.today, -14)
    old = demo.issue(
        "bsi-101-misspelt",
        trainee,
        "bsi-101",
        issued_on,
        award={
            **BSI_TITLES,
            **_class(
                "BSI-2025-05",
                issued_on - 12 * DAY,
                10,
                "Instituto Superior Policial, Ciudad de Panamá",
                hours=40,
                score=85,
            ),
        },
    )
    trainee_update(
        actor=None,
        trainee=trainee,
        reason="Nombre corregido según la cédula: tildes y guion.",
        given_names=given,
        first_surname=surname,
    )
    return certificate_correct(
        actor=demo.admin,
        certificate=old,
        reason="El nombre se imprimió sin tildes ni guion; corregido según la cédula.",
    )


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def expiring(demo: _Demo, officer: Trainee, *, days: int) -> Certificate:
    """An officer's BSI-101 that expires `days` from today (within the 90-day reminder window)."""
    key = f"bsi-101-expiring-{days}"
    issued_on = add_months(demo.today + days * DAY, -36)
    return existing(key) or demo.issue(
        key,
        officer,
        "bsi-101",
        issued_on,
        award={
            **BSI_TITLES,
            **_class(
                "BSI-2023-07",
                issued_on - 11 * DAY,
                10,
                "Academia de la Policía Nacional Civil, Ciudad de Guatemala",
                hours=40,
                score=81,
            ),
        },
    )


def external_expiring(demo: _Demo, trainee: Trainee) -> Certificate:
    """trainee2's travel document examiner course at ILEA San Salvador, two years ago: it
    expires within 30 days. Training done elsewhere, with the academy's attestation attached."""
    key = "ilea-document-examiner"
    found = existing(key, Source.EXTERNAL)
    if found is not None:
        return found
    issued_on = add_months(demo.today + 20 * DAY, -24)
    start = issued_on - 18 * DAY
    institution = "International Law Enforcement Academy (ILEA), San Salvador"
    course = "Advanced Travel Document Examination"
    attestation = attestation_pdf(
        "ILEA San Salvador - Certificate of completion",
        [
            f"{_plain(trainee.full_name)} ({trainee.agency.acronym}, {trainee.agency.country.code})",
            f"completed the course {course},",
            f"{start.isoformat()} to {(start + 4 * DAY).isoformat()}, 40 hours.",
        ],
    )
    return demo.issue(
        key,
        trainee,
        EXTERNAL_CREDENTIAL[0],
        issued_on,
        source=Source.EXTERNAL,
        reason="Curso aprobado en ILEA San Salvador; constancia de la academia adjunta.",
        evidence_document=ContentFile(attestation, name="constancia-ilea.pdf"),
        award={
            "external_institution": institution,
            "external_course_name": course,
            "course_title_es": course,
            "course_title_en": course,
            "hours": 40,
            "place": institution,
            "session_start": start.isoformat(),
            "session_end": (start + 4 * DAY).isoformat(),
        },
    )


def expired(demo: _Demo, officer: Trainee) -> Certificate:
    """An officer's BSI-101 that expired 40 days ago, never renewed."""
    issued_on = add_months(demo.today - 40 * DAY, -36)
    return existing("bsi-101-expired") or demo.issue(
        "bsi-101-expired",
        officer,
        "bsi-101",
        issued_on,
        award={
            **BSI_TITLES,
            **_class("BSI-2023-02", issued_on - 11 * DAY, 10, "San Salvador", hours=40, score=79),
        },
    )


def suspended(demo: _Demo, officer: Trainee) -> Certificate:
    """An officer's TIP-201, suspended while an internal investigation runs."""
    found = existing("tip-201-suspended")
    if found is not None:
        return found
    issued_on = add_months(demo.today, -10)
    certificate = demo.issue(
        "tip-201-suspended",
        officer,
        "tip-201",
        issued_on,
        award={
            **TIP_TITLES,
            **_class("TIP-2026-01", issued_on - 4 * DAY, 5, "Tegucigalpa", hours=32, score=90),
        },
    )
    return certificate_transition(
        actor=demo.admin,
        certificate=certificate,
        to_status=C.SUSPENDED,
        reason="Suspendido mientras la Inspectoría General investiga una denuncia (expediente IG-2026-0412).",
    )


def revoked(demo: _Demo, officer: Trainee) -> Certificate:
    """An officer's BSI-101, revoked: someone else sat the practical evaluation for them."""
    found = existing("bsi-101-revoked")
    if found is not None:
        return found
    issued_on = add_months(demo.today, -7)
    certificate = demo.issue(
        "bsi-101-revoked",
        officer,
        "bsi-101",
        issued_on,
        award={
            **BSI_TITLES,
            **_class(
                "BSI-2026-03",
                issued_on - 11 * DAY,
                10,
                "Escuela Nacional de Policía, San José",
                hours=40,
                score=84,
            ),
        },
    )
    return certificate_transition(
        actor=demo.admin,
        certificate=certificate,
        to_status=C.REVOKED,
        reason=(
            "Revocado: se comprobó que otra persona rindió la evaluación práctica en su lugar "
            "(expediente DI-2026-077)."
        ),
    )


def program(demo: _Demo, officer: Trainee) -> Certificate:
    """An officer's border interdiction specialist program, completed before the platform."""
    issued_on = add_months(demo.today, -5)
    return existing("program-specialist") or demo.issue(
        "program-specialist",
        officer,
        "border-interdiction-specialist",
        issued_on,
        reason="Programa completado antes de la plataforma (BSI-101, DOC-110 y VEH-120), según las actas.",
        award={**PROGRAM_TITLES, "hours": 112, "courses": ["BSI-101", "DOC-110", "VEH-120"]},
    )


@transaction.atomic
def seed_certificates(*, admin_email: str = DEMO_ADMIN_EMAIL) -> dict[str, Certificate]:
    """Idempotent: the demo certificates (see the module's docstring). Expects the demo registry
    and credentials (`seed_courses`). Returns the certificate of each case, by its status as a
    checkpoint sees it, for the command to print codes to try."""
    admin = get_user_model().objects.filter(email__iexact=admin_email).first()
    codes = ("bsi-101", "tip-201", "border-interdiction-specialist")
    credentials = {c.code: c for c in Credential.objects.filter(code__in=codes)}
    if admin is None or len(credentials) < len(codes):
        return {}
    code, name_es, name_en, months = EXTERNAL_CREDENTIAL
    credentials[code] = registry.credential_upsert(
        code=code, name_es=name_es, name_en=name_en, validity_months=months
    )
    demo = _Demo(admin=admin, today=timezone.localdate(), credentials=credentials)
    trainees = _trainees()
    t1, t2, t3 = (trainees.get(email) for email in TRAINEE_EMAILS)
    shown: dict[str, Certificate] = {}
    if t1 is not None:
        shown["valid (trainee1, renewed)"] = renewal_chain(demo, t1)
    if t3 is not None:
        shown["valid (trainee3, corrected)"] = name_correction(demo, t3)
        shown["superseded by the correction"] = existing("bsi-101-misspelt")
    if t2 is not None:
        shown["expires within 30 days (trainee2)"] = external_expiring(demo, t2)
    cases = [
        ("expires within 90 days", ("GT", "PNC"), lambda o: expiring(demo, o, days=75)),
        ("expired", ("SV", "PNC"), lambda o: expired(demo, o)),
        ("suspended", ("HN", "PN"), lambda o: suspended(demo, o)),
        ("revoked", ("CR", "FP"), lambda o: revoked(demo, o)),
        ("valid (program)", ("GT", "IGM"), lambda o: program(demo, o)),
    ]
    for label, agency, case in cases:
        officer = _officer(*agency)
        if officer is not None:
            shown[label] = case(officer)
    return shown
