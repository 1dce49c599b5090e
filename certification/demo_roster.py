"""A demo roster that looks real: Guatemala's PNC with several hundred officers. `seed_roster()`
(idempotent, deterministic).

What it adds to the PNC (on top of the officers `home.demo_registry` gives every agency):

- two more units (five in all) and ROSTER_OFFICERS active officers spread over them, with
  Guatemalan names, DPI numbers, ranks (mostly agents) and badges PNC-2000 onwards, created in
  bulk through `services_personnel.trainee_create_many` (the import's service: same checks, same
  search text, one history entry each). They have no vetting record yet: vetting is not what the
  roster shows, and the officers of `demo_registry` already cover every vetting status;
- the agency's required credentials, set by its head through `services_audit.requirement_add`:
  border interdiction for every officer, and per unit document fraud (the airport and the port),
  trafficking investigations (criminal investigation) and the specialist program (borders);
- certificates of those credentials in every state, relative to the day of seeding: valid,
  expiring within 90 days, expired, suspended, revoked, superseded by a renewal (the chain
  linked through `previous`), and officers with none (recruits without any certificate, and gaps
  in the required ones). "In training" comes from the demo classes (`courses.demo_enrollment`:
  PNC officers enrolled in the border interdiction class under way).

The certificates are classes held before the platform, transcribed from their signed records by
the demo administrator (source "manual"), as in `demo_certificates`. There are several hundred,
so they are written in bulk rather than one `certificate_issue` each, whose PDF would render
after commit (eagerly without a broker: minutes of seeding). Each still gets what the service
gives: a serial from `serial_next` (the per-country counter, under its row lock, so they stay
unique and in sequence with every other certificate), an unguessable verification code, the
evidence snapshot, an "issued" event and one audit entry (issued, or renewed); the old certificate
of a renewal, and the suspended and revoked ones, change status through `certificate_transition`
itself. They have no PDF yet (`pdf_sha256` empty): the periodic sweep
(`tasks.certificates_pdf_sweep`) renders certificates left without one, a batch per run.

Idempotent: the officers are keyed by badge, the certificates by their award key prefix
(`manual:demo-roster-`); once written, a second run adds nothing.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .demo_certificates import BSI_TITLES, PROGRAM_TITLES, TIP_TITLES
from .evidence import evidence_snapshot, signatories_snapshot
from .models import (
    Agency,
    AgencyStaff,
    AuditEntry,
    Certificate,
    CertificateEvent,
    Credential,
    Trainee,
    Unit,
)
from .services import unit_upsert
from .services_audit import audit_record, audit_target, requirement_add
from .services_certificates import add_months, certificate_transition, serial_next, verification_code_new
from .services_personnel import trainee_create_many

COUNTRY, ACRONYM = "GT", "PNC"
ROSTER_OFFICERS = 400
FIRST_BADGE = 2000  # demo_registry's officers are PNC-1000 onwards
AWARD_PREFIX = "manual:demo-roster-"
DEMO_ADMIN_EMAIL = "admin@demo.carsi.test"
C = Certificate.Status
DAY = datetime.timedelta(days=1)

# Units: demo_registry's three police units and two more, with each one's share of officers.
# (The new names sort before "Unidad de Fronteras", the unit whose vetting demo_registry denies
# as the last by name.)
UNITS = [
    ("Unidad de Fronteras", 30),
    ("Aeropuerto Internacional", 20),
    ("División de Investigación Criminal", 20),
    ("División Portuaria", 15),
    ("División Antinarcóticos", 15),
]
# What each unit's officers need besides border interdiction, which every officer needs.
EVERY_OFFICER = "bsi-101"
UNIT_REQUIREMENTS = {
    "Aeropuerto Internacional": "travel-document-examiner",
    "División Portuaria": "travel-document-examiner",
    "División de Investigación Criminal": "tip-201",
    "Unidad de Fronteras": "border-interdiction-specialist",
}
RANKS = [("Agente", 62), ("Subinspector", 20), ("Inspector", 13), ("Comisario", 5)]

GIVEN_NAMES_F = [
    "Ana Gabriela",
    "Brenda Lisseth",
    "Mildred",
    "Heidy Marisol",
    "Ilsy Johana",
    "Glenda",
    "Evelyn",
    "Cindy Paola",
    "Yesenia",
    "Floridalma",
    "Marta Julia",
    "Delmy",
    "Sandra Patricia",
    "Rosa Amalia",
    "Lilian Eugenia",
    "Ixchel",
    "Nayeli",
    "Blanca Estela",
    "Vilma Aracely",
    "María Fernanda",
    "Sucely",
    "Astrid Yojana",
]
GIVEN_NAMES_M = [
    "Byron Estuardo",
    "Otto René",
    "Édgar Leonel",
    "Mynor",
    "Selvin",
    "Erick Geovanni",
    "Marco Tulio",
    "Julio César",
    "Carlos Enrique",
    "Élmer Obdulio",
    "Fredy Alexander",
    "Wilson",
    "Baudilio",
    "Hugo Leonel",
    "Jorge Mario",
    "Sergio Adolfo",
    "Pedro Pablo",
    "Rony",
    "Esvin Josué",
    "Abner",
    "Gerson Iván",
    "Juan José",
    "Elder",
    "Lester",
    "Wálter Antonio",
    "Cristian Omar",
]
SURNAMES = [
    # K'iche', Kaqchikel and Q'eqchi' surnames, common in the PNC's ranks...
    "Ajanel",
    "Batz",
    "Caal",
    "Chiquín",
    "Choc",
    "Chub",
    "Cojtí",
    "Coyoy",
    "Cúmez",
    "Cux",
    "Ixcot",
    "Maquín",
    "Pop",
    "Quemé",
    "Sic",
    "Sotz",
    "Tiul",
    "Tuyuc",
    "Tzoc",
    "Tzul",
    "Xicará",
    "Xol",
    "Yax",
    # ...and Spanish ones.
    "Arriaza",
    "Barrios",
    "Castañeda",
    "Cifuentes",
    "De León",
    "Estrada",
    "Fuentes",
    "García",
    "Girón",
    "Godoy",
    "Gómez",
    "Hernández",
    "Juárez",
    "Lemus",
    "López",
    "Marroquín",
    "Mazariegos",
    "Méndez",
    "Monterroso",
    "Morales",
    "Orozco",
    "Paz",
    "Pérez",
    "Ramírez",
    "Recinos",
    "Samayoa",
    "Sosa",
    "Véliz",
    "Villagrán",
]

# How the cell of one officer and one credential turns out (weights). "renewed": a certificate
# superseded by its renewal, which is valid.
FATES = [
    ("valid", 46),
    ("expiring", 12),
    ("expired", 10),
    ("renewed", 8),
    ("suspended", 4),
    ("revoked", 3),
    ("none", 17),
]
RECRUITS = 0.12  # share of officers with no certificate at all (recently joined)
EXTRA = 0.06  # chance of a credential the officer's unit does not require

# The evidence of a class held before the platform, per credential: titles, hours, class length.
AWARDS = {
    "bsi-101": ({**BSI_TITLES}, 40, 10),
    "tip-201": ({**TIP_TITLES}, 32, 5),
    "travel-document-examiner": (
        {
            "course_code": "DOC-110",
            "course_title_es": "Detección de documentos fraudulentos",
            "course_title_en": "Document fraud detection",
        },
        32,
        5,
    ),
    "border-interdiction-specialist": (
        {**PROGRAM_TITLES, "courses": ["BSI-101", "DOC-110", "VEH-120"]},
        112,
        0,
    ),
}
PLACES = [
    "Academia de la Policía Nacional Civil, Ciudad de Guatemala",
    "Escuela de Formación de Oficiales de Policía, Ciudad de Guatemala",
    "Academia Nacional de Seguridad Pública, San Salvador",
    "ILEA San Salvador",
    "Instituto Técnico Policial, Tegucigalpa",
]
PAPER_RECORD = "Clase anterior a la plataforma: registrada desde el acta firmada del curso."
SUSPEND_REASONS = [
    "Suspendido mientras la Inspectoría General investiga una denuncia.",
    "Suspendido: el oficial está en licencia prolongada y debe repetir la evaluación práctica.",
]
REVOKE_REASONS = [
    "Revocado: la Oficina de Responsabilidad Profesional comprobó irregularidades en la evaluación.",
    "Revocado: el acta del curso no corresponde al oficial (error de transcripción comprobado).",
]


def seed_roster(*, admin_email: str = DEMO_ADMIN_EMAIL) -> dict[str, int]:
    """Idempotent: the PNC's units, officers, required credentials and certificates (see the
    module's docstring). Expects the demo registry, credentials and `seed_certificates` (the
    travel document credential). Returns what it created, by kind."""
    agency = Agency.objects.filter(country__code=COUNTRY, acronym=ACRONYM).select_related("country").first()
    admin = get_user_model().objects.filter(email__iexact=admin_email).first()
    codes = {EVERY_OFFICER, *UNIT_REQUIREMENTS.values()}
    credentials = {c.code: c for c in Credential.objects.filter(code__in=codes, is_active=True)}
    if agency is None or admin is None or len(credentials) < len(codes):
        return {}
    with transaction.atomic():
        units = {name: unit_upsert(agency=agency, name=name) for name, _share in UNITS}
        head = (
            AgencyStaff.objects.filter(agency=agency, role=AgencyStaff.Role.HEAD)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        setter = head.user if head else admin
        requirement_add(actor=setter, agency=agency, credential=credentials[EVERY_OFFICER])
        for unit_name, code in UNIT_REQUIREMENTS.items():
            requirement_add(actor=setter, agency=agency, credential=credentials[code], unit=units[unit_name])
        officers, created = _officers(agency, units)
        certificates = 0
        if not Certificate.objects.filter(award_key__startswith=AWARD_PREFIX).exists():
            certificates = _Certificates(agency, admin, credentials, timezone.localdate()).seed(officers)
    return {"officers": created, "certificates": certificates}


# --- officers -----------------------------------------------------------------------------------


def _badge(index: int) -> str:
    return f"{ACRONYM}-{FIRST_BADGE + index}"


def _officers(agency: Agency, units: dict[str, Unit]) -> tuple[list[Trainee], int]:
    """The roster's officers by badge, created if missing. (They, and the numbers drawn for them,
    depend only on the seed: the same officers on every machine.)"""
    badges = [_badge(i) for i in range(ROSTER_OFFICERS)]
    existing = Trainee.objects.filter(agency=agency, badge_number__in=badges)
    if existing.exists():
        return list(existing.select_related("unit", "agency__country").order_by("badge_number")), 0
    rng = random.Random(f"{COUNTRY}-{ACRONYM}-roster")  # noqa: S311 - demo data
    taken = set(Trainee.objects.filter(id_country=agency.country).values_list("id_number", flat=True))
    unit_names = [name for name, _share in UNITS]
    shares = [share for _name, share in UNITS]
    ranks, rank_weights = zip(*RANKS, strict=True)
    rows = []
    for badge in badges:
        female = rng.random() < 0.3
        first, second = rng.sample(SURNAMES, 2)
        while True:  # DPI: 4 + 5 digits, then the department and municipality of registration
            dpi = f"{rng.randrange(1000, 10000)} {rng.randrange(10**5):05d} {rng.randint(1, 22):02d}"
            dpi += f"{rng.randint(1, 17):02d}"
            if dpi not in taken:
                taken.add(dpi)
                break
        rows.append(
            {
                "id_country": agency.country,
                "id_type": Trainee.IdType.NATIONAL_ID,
                "id_number": dpi,
                "given_names": rng.choice(GIVEN_NAMES_F if female else GIVEN_NAMES_M),
                "first_surname": first,
                "second_surname": "" if rng.random() < 0.05 else second,
                "sex": "F" if female else "M",
                "badge_number": badge,
                "rank": rng.choices(ranks, rank_weights)[0],
                "unit": units[rng.choices(unit_names, shares)[0]],
                "date_of_birth": datetime.date(
                    rng.randint(1972, 2003), rng.randint(1, 12), rng.randint(1, 28)
                ),
            }
        )
    created = trainee_create_many(actor=None, agency=agency, rows=rows)
    officers = Trainee.objects.filter(pk__in=[t.pk for t in created])
    officers = officers.select_related("unit", "agency__country")
    return list(officers.order_by("badge_number")), len(created)


# --- certificates ---------------------------------------------------------------------------


@dataclass
class _Planned:
    certificate: Certificate
    fate: str  # valid, expiring, expired, suspended, revoked, superseded (old of a renewal), renewal
    renews: "_Planned | None" = None


class _Certificates:
    def __init__(self, agency: Agency, admin, credentials: dict[str, Credential], today: datetime.date):
        self.agency, self.admin, self.credentials, self.today = agency, admin, credentials, today
        self.rng = random.Random(f"{COUNTRY}-{ACRONYM}-roster-certificates")  # noqa: S311 - demo data
        # The signatories, once per credential (each certificate's snapshot names them).
        self.signatories = {code: signatories_snapshot(c) for code, c in credentials.items()}

    def seed(self, officers: list[Trainee]) -> int:
        planned: list[_Planned] = []
        for officer in officers:
            if self.rng.random() < RECRUITS:
                continue
            codes = [EVERY_OFFICER]
            unit_code = UNIT_REQUIREMENTS.get(officer.unit.name if officer.unit else "")
            if unit_code:
                codes.append(unit_code)
            for code in sorted(self.credentials):
                if code not in codes and self.rng.random() < EXTRA:
                    codes.append(code)
            for code in codes:
                planned += self.plan(officer, code)
        if not planned:
            return 0
        # Serials in the order of the issue dates (each year's numbers follow the counter on from
        # the certificates already issued), taken like every certificate's.
        for item in sorted(planned, key=lambda p: (p.certificate.issued_on, p.certificate.award_key)):
            certificate = item.certificate
            certificate.serial = serial_next(country_code=COUNTRY, year=certificate.issued_on.year)
            certificate.full_clean(
                exclude=["pdf", "trainee", "agency", "credential", "previous", "issued_by"],
                validate_unique=False,
                validate_constraints=False,
            )
        first = [p for p in planned if p.renews is None]
        renewals = [p for p in planned if p.renews is not None]
        Certificate.objects.bulk_create([p.certificate for p in first], batch_size=500)
        for item in renewals:
            item.certificate.previous = item.renews.certificate
        Certificate.objects.bulk_create([p.certificate for p in renewals], batch_size=500)
        CertificateEvent.objects.bulk_create(
            [
                CertificateEvent(
                    certificate=p.certificate,
                    action="issued",
                    actor=self.admin,
                    reason=p.certificate.issue_reason,
                    to_status=C.VALID,
                )
                for p in planned
            ],
            batch_size=500,
        )
        for item in planned:
            self.audit(item)
        self.transitions(planned)
        return len(planned)

    def plan(self, officer: Trainee, code: str) -> list[_Planned]:
        rng, today = self.rng, self.today
        credential = self.credentials[code]
        months = credential.validity_months
        span = months * 30  # days a certificate of it lasts, roughly
        fate = rng.choices([f for f, _w in FATES], [w for _f, w in FATES])[0]
        key = f"{AWARD_PREFIX}{officer.badge_number}-{code}"
        if fate == "none":
            return []
        if fate == "valid":
            issued_on = add_months(today + rng.randint(95, span - 5) * DAY, -months)
        elif fate == "expiring":
            issued_on = add_months(today + rng.randint(3, 87) * DAY, -months)
        elif fate == "expired":
            issued_on = add_months(today - rng.randint(5, 500) * DAY, -months)
        elif fate in ("suspended", "revoked"):
            issued_on = today - rng.randint(30, span - 100) * DAY
        else:  # renewed: the new one issued in the last years, 10 to 60 days before the old expired
            renewed_on = today - rng.randint(20, span - 100) * DAY
            old_on = add_months(renewed_on + rng.randint(10, 60) * DAY, -months)
            old = _Planned(self.certificate(officer, credential, key, old_on), "superseded")
            renewal = self.certificate(officer, credential, f"{key}-renewed", renewed_on)
            renewal.issue_reason = "Curso de actualización aprobado; registrado desde el acta firmada."
            return [old, _Planned(renewal, "renewal", renews=old)]
        return [_Planned(self.certificate(officer, credential, key, issued_on), fate)]

    def certificate(self, officer: Trainee, credential: Credential, key: str, issued_on) -> Certificate:
        return Certificate(
            verification_code=verification_code_new(),
            award_key=key,
            source=Certificate.Source.MANUAL,
            trainee=officer,
            agency=self.agency,
            credential=credential,
            issued_on=issued_on,
            valid_from=issued_on,
            expires_on=add_months(issued_on, credential.validity_months)
            if credential.validity_months
            else None,
            evidence=self.evidence(officer, credential, issued_on),
            issued_by=self.admin,
            issue_reason=PAPER_RECORD,
        )

    def evidence(self, officer: Trainee, credential: Credential, issued_on: datetime.date) -> dict:
        """The snapshot `demo_certificates` draws (the manual issue form's keys)."""
        titles, hours, days = AWARDS[credential.code]
        evidence = evidence_snapshot(
            trainee=officer,
            credential=credential,
            award={**titles, "hours": hours},
            signatories=self.signatories[credential.code],
        )
        if days:  # a class (a program has no class of its own)
            end = issued_on - self.rng.randint(1, 10) * DAY
            start = end - (days - 1) * DAY
            evidence.update(
                {
                    "session_code": f"{titles['course_code']}-{start.year}-{start.month:02d}",
                    "session_start": start.isoformat(),
                    "session_end": end.isoformat(),
                    "completed_on": end.isoformat(),
                    "place": self.rng.choice(PLACES),
                    "score_percent": self.rng.randint(70, 98),
                    "instructors": ["Carlos Herrera"],
                }
            )
        return evidence

    def audit(self, item: _Planned) -> None:
        """One entry per certificate, as `certificate_issue` writes for one issued by hand."""
        certificate, previous = item.certificate, item.renews.certificate if item.renews else None
        audit_record(
            actor=self.admin,
            action=AuditEntry.Action.CERTIFICATE_RENEW if previous else AuditEntry.Action.CERTIFICATE_ISSUE,
            agency=self.agency,
            target=audit_target(certificate.serial, certificate.trainee.full_name),
            details={
                "certificate": certificate.pk,
                "credential": certificate.credential.code,
                "source": certificate.source,
                "issued_on": certificate.issued_on.isoformat(),
                "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
                "previous": (
                    {
                        "certificate": previous.pk,
                        "serial": previous.serial,
                        "status": C.VALID,
                        "expires_on": previous.expires_on.isoformat() if previous.expires_on else None,
                    }
                    if previous
                    else None
                ),
                "reason": certificate.issue_reason,
            },
        )

    def transitions(self, planned: list[_Planned]) -> None:
        """Renewals supersede the old certificate (the system); the administrator suspends and
        revokes, with a reason. Through the one transition function: events and audit entries."""
        for item in planned:
            if item.renews is not None:
                certificate_transition(
                    actor=None,
                    certificate=item.renews.certificate,
                    to_status=C.SUPERSEDED,
                    reason=_("Renewed by %(serial)s.") % {"serial": item.certificate.serial},
                )
        for item in planned:
            if item.fate in ("suspended", "revoked"):
                reasons = SUSPEND_REASONS if item.fate == "suspended" else REVOKE_REASONS
                certificate_transition(
                    actor=self.admin,
                    certificate=item.certificate,
                    to_status=C.SUSPENDED if item.fate == "suspended" else C.REVOKED,
                    reason=self.rng.choice(reasons),
                )
