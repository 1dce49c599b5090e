"""Demo personnel: units, officers with realistic names and vetting in every status.
Deterministic (seeded per agency) and idempotent: officers are matched by national ID."""

import datetime
import random

from django.utils import timezone

from certification.models import Agency, Trainee, VettingRecord
from certification.services import unit_upsert
from certification.services_personnel import trainee_create
from certification.services_vetting import vetting_record_add

from . import demo_data

ID_FORMATS = {
    "BZ": lambda n: f"{n % 10**9:09d}",
    "CR": lambda n: f"{1 + n % 7}-{n % 10**4:04d}-{(n // 7) % 10**4:04d}",
    "SV": lambda n: f"{n % 10**8:08d}-{n % 10}",
    "GT": lambda n: f"{1000 + n % 9000} {n % 10**5:05d} {101 + n % 2000:04d}",
    "HN": lambda n: f"0801-{1970 + n % 35}-{n % 10**5:05d}",
    "NI": lambda n: f"001-{n % 10**6:06d}-{n % 10**4:04d}{'ABCDEFGHJK'[n % 10]}",
    "PA": lambda n: f"{1 + n % 9}-{100 + n % 900}-{n % 10**4}",
}

# How the officers of each agency are spread over vetting outcomes (cycled).
VETTING_PLAN = [
    "approved",
    "approved",
    "approved",
    "approved_expiring",
    "approved_expired",
    "pending",
    "pending",
    "none",
    "denied",
    "suspended",
]


def seed_agency_personnel(agency: Agency, *, count: int = demo_data.OFFICERS_PER_AGENCY) -> int:
    """Creates the agency's units and `count` officers (if missing). Returns officers created."""
    units = [unit_upsert(agency=agency, name=name) for name in demo_data.UNITS[agency.kind]]
    if agency.trainees.count() >= count:
        return 0
    rng = random.Random(f"{agency.country.code}-{agency.acronym}")  # noqa: S311 - demo data
    ranks = demo_data.RANKS[agency.kind]
    today = timezone.localdate()
    created = 0
    for index in range(count):
        female = rng.random() < 0.35
        given = rng.choice(demo_data.GIVEN_NAMES_F if female else demo_data.GIVEN_NAMES_M)
        first, second = rng.sample(demo_data.SURNAMES, 2)
        number = rng.randrange(10**6, 10**9)
        id_number = ID_FORMATS[agency.country.code](number)
        if Trainee.objects.filter(id_country=agency.country, id_number__iexact=id_number).exists():
            continue
        trainee = trainee_create(
            actor=None,
            agency=agency,
            id_country=agency.country,
            id_type=Trainee.IdType.NATIONAL_ID,
            id_number=id_number,
            given_names=given,
            first_surname=first,
            second_surname="" if index % 11 == 0 else second,
            sex="F" if female else "M",
            badge_number=f"{agency.acronym}-{1000 + index:04d}",
            rank=rng.choice(ranks),
            unit=units[index % len(units)],
            date_of_birth=datetime.date(1970 + number % 30, 1 + number % 12, 1 + number % 28),
        )
        _seed_vetting(trainee, VETTING_PLAN[index % len(VETTING_PLAN)], today, index)
        created += 1
    return created


def _seed_vetting(trainee: Trainee, plan: str, today: datetime.date, index: int) -> None:
    reference = f"{trainee.agency.country.code}-{today.year}-{index + 1:05d}"
    if plan == "none":
        return
    if plan == "pending":
        vetting_record_add(actor=None, trainee=trainee, status="pending", case_reference=reference)
        return
    decided = {
        "approved": today - datetime.timedelta(days=60 + index),
        "approved_expiring": today - datetime.timedelta(days=340),
        "approved_expired": today - datetime.timedelta(days=400),
    }.get(plan, today - datetime.timedelta(days=30))
    status = plan.split("_")[0]
    vetting_record_add(actor=None, trainee=trainee, status="pending", case_reference=reference)
    vetting_record_add(
        actor=None,
        trainee=trainee,
        status=status,
        decided_on=decided,
        case_reference=reference,
        notes="" if status == "approved" else "Demo",
    )


def seed_unit_vetting(agency: Agency) -> None:
    """One unit of the agency is denied, so its officers cannot attend US-funded classes."""
    unit = agency.units.order_by("name").last()
    if unit and not unit.vetting_records.exists():
        vetting_record_add(
            actor=None,
            unit=unit,
            status=VettingRecord.Status.DENIED,
            decided_on=timezone.localdate() - datetime.timedelta(days=90),
            case_reference=f"UNIT-{agency.country.code}-{agency.acronym}",
        )


def demo_country(code: str):
    """The demo country `code`, with its names and national ID format (created if missing)."""
    from certification.services import country_upsert

    _code, name_es, name_en, _tz = next(c for c in demo_data.COUNTRIES if c[0] == code)
    id_name, id_pattern, id_separator, id_example = demo_data.NATIONAL_IDS[code]
    return country_upsert(
        code=code,
        name_es=name_es,
        name_en=name_en,
        national_id_name=id_name,
        national_id_pattern=id_pattern,
        national_id_separator=id_separator,
        national_id_example=id_example,
    )
