"""An agency's coverage at a glance (the pictures on its Coverage page), and the registry's
program-wide figure of certificates issued per month.

Every figure counts the way the certification roster does, so a bar and the roster filtered to
it give the same number: the statuses come from `selectors_roster.cell_status` over the same
current certificates and training, and "holds every required credential" is the roster
summary's rule, grouped by unit. Each function takes a fixed number of queries whatever the
agency's size (group-bys, or one pass over the agency's current certificates).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from .models import Certificate, Credential, CredentialRequirement, Trainee
from .selectors_roster import (
    STATUSES,
    _course_keys_by_credential,
    _training_enrollments,
    cell_status,
    current_certificates,
)

C = Certificate.Status


def month_starts(first: datetime.date, months: int) -> list[datetime.date]:
    """`months` first days of months, from the month of `first` on."""
    year, month = first.year, first.month
    starts = []
    for _step in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def months_back(today: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the last `months` months, the current one included, oldest first."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return month_starts(datetime.date(year, month, 1), months)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# --- officers by status, per credential ------------------------------------------------------


@dataclass
class CredentialStatusCounts:
    credential: Credential
    counts: dict[str, int] = field(default_factory=dict)  # every key of STATUSES

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def coverage_by_status(
    *, agency, credentials: list[Credential], today: datetime.date
) -> list[CredentialStatusCounts]:
    """For each credential (the roster's columns), how many active officers are in each status.

    One pass over the agency's current certificates of these credentials, classified by the
    roster's own `cell_status`; officers with nothing are "none". Four queries."""
    officers = Trainee.objects.filter(agency=agency, status=Trainee.Status.ACTIVE)
    total = officers.count()
    wanted = [credential.pk for credential in credentials]
    held: dict[tuple[int, int], list] = {}
    for trainee_id, credential_id, status, expires_on in (
        current_certificates()
        .filter(trainee__in=officers, credential_id__in=wanted)
        .order_by()
        .values_list("trainee_id", "credential_id", "status", "expires_on")
    ):
        # cell_status reads only these two attributes.
        held.setdefault((trainee_id, credential_id), []).append(
            SimpleNamespace(status=status, expires_on=expires_on)
        )
    course_keys = _course_keys_by_credential()
    credential_of_key = {key: cid for cid, keys in course_keys.items() for key in keys if cid in wanted}
    training = {
        (trainee_id, credential_of_key[key])
        for trainee_id, key in _training_enrollments()
        .filter(trainee__in=officers, course_key__in=list(credential_of_key))
        .order_by()
        .values_list("trainee_id", "course_key")
    }
    counted: dict[int, Counter] = {pk: Counter() for pk in wanted}
    for pair in held.keys() | training:
        cell = cell_status(held.get(pair, []), in_training=pair in training, today=today)
        counted[pair[1]][cell.status] += 1
    result = []
    for credential in credentials:
        counter = counted[credential.pk]
        counts = {key: counter.get(key, 0) for key, _label in STATUSES}
        counts["none"] = total - sum(v for k, v in counts.items() if k != "none")
        result.append(CredentialStatusCounts(credential=credential, counts=counts))
    return result


# --- expirations over the next twelve months -----------------------------------------------------


def expirations_by_month(
    *, agency, today: datetime.date, months: int = 12
) -> list[tuple[datetime.date, int]]:
    """(first day of the month, certificates expiring in it) for this month and the next ones:
    valid current certificates of the agency's active officers expiring from today on. This
    month counts from today (what expired earlier this month is already expired). One query."""
    starts = month_starts(today, months)
    end = month_starts(starts[-1], 2)[1]  # the first day after the last month
    found = {
        _as_date(row["month"]): row["n"]
        for row in current_certificates()
        .filter(
            trainee__agency=agency,
            trainee__status=Trainee.Status.ACTIVE,
            status=C.VALID,
            expires_on__gte=today,
            expires_on__lt=end,
        )
        .order_by()
        .annotate(month=TruncMonth("expires_on"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    return [(start, found.get(start, 0)) for start in starts]


# --- progress toward required credentials, per unit -----------------------------------------------


@dataclass
class UnitProgress:
    unit_id: int | None
    name: str
    officers: int  # active officers of the unit
    with_requirements: int  # ... to whom a requirement applies
    complete: int  # ... who hold every credential required of them (valid, not expired)

    @property
    def percent(self) -> float | None:
        return 100 * self.complete / self.with_requirements if self.with_requirements else None


def unit_progress(*, agency, today: datetime.date) -> list[UnitProgress]:
    """Per unit (officers without a unit last), the roster summary's figures: officers with a
    requirement and those holding every required credential. One grouped query."""
    applicable = CredentialRequirement.objects.filter(agency=agency).filter(
        Q(unit__isnull=True) | Q(unit_id=OuterRef("unit_id"))
    )
    unmet = applicable.filter(
        ~Exists(
            current_certificates().filter(
                Q(expires_on__isnull=True) | Q(expires_on__gte=today),
                trainee_id=OuterRef(OuterRef("pk")),
                credential_id=OuterRef("credential_id"),
                status=C.VALID,
            )
        )
    )
    rows = (
        Trainee.objects.filter(agency=agency, status=Trainee.Status.ACTIVE)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(
            officers=Count("pk"),
            with_requirements=Count("pk", filter=Q(Exists(applicable))),
            complete=Count("pk", filter=Q(Exists(applicable)) & ~Q(Exists(unmet))),
        )
    )
    progress = [
        UnitProgress(
            unit_id=row["unit_id"],
            name=row["unit__name"] or str(_("No unit")),
            officers=row["officers"],
            with_requirements=row["with_requirements"],
            complete=row["complete"],
        )
        for row in rows
    ]
    return sorted(progress, key=lambda p: (p.unit_id is None, p.name.casefold()))


# --- program-wide: certificates issued per month ---------------------------------------------------


def certificates_issued_by_month(
    *, today: datetime.date, months: int = 12
) -> list[tuple[datetime.date, int]]:
    """(first day of the month, certificates issued in it) for the last `months` months, this
    one included. Every certificate counts, renewals and corrections too (each was issued).
    One query."""
    starts = months_back(today, months)
    found = {
        _as_date(row["month"]): row["n"]
        for row in Certificate.objects.filter(issued_on__gte=starts[0], issued_on__lte=today)
        .order_by()
        .annotate(month=TruncMonth("issued_on"))
        .values("month")
        .annotate(n=Count("pk"))
    }
    return [(start, found.get(start, 0)) for start in starts]
