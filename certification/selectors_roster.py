"""The certification roster: for an agency's active officers, each credential's status.

A cell's status, for one officer and one credential, looks at the officer's *current*
certificates of it (any not superseded: a renewal or a correction supersedes the one before) and
the courses awarding it that the officer is taking, in this order of precedence:

    valid       a valid certificate that expires more than 90 days from today, or never
    expiring    a valid certificate that expires within 90 days (today included: it is valid
                through its expiry date)
    suspended   a suspended certificate
    revoked     a revoked certificate
    in_training approved or enrolled in a course that awards it
    expired     a valid certificate whose date has passed
    none        nothing

The same order is written twice on purpose, once in Python for the rows shown (`cell_status`)
and once as SQL for filtering (`_status_q`): a test checks that they agree. Every function here
takes a constant number of queries whatever the agency's size.
"""

import calendar
import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Certificate, Credential, CredentialRequirement, Trainee

EXPIRING_DAYS = 90
C = Certificate.Status

STATUSES = (
    ("valid", _("Valid")),
    ("expiring", _("Expiring within 90 days")),
    ("suspended", _("Suspended")),
    ("revoked", _("Revoked")),
    ("in_training", _("In training")),
    ("expired", _("Expired")),
    ("none", _("None")),
)
STATUS_LABELS = dict(STATUSES)
HELD = ("valid", "expiring")  # what meets a requirement
SORTS = ("name", "-name", "unit", "-unit", "rank", "-rank", "badge", "-badge")
SORT_FIELDS = {
    "name": ("first_surname", "second_surname", "given_names", "id"),
    "unit": ("unit__name", "first_surname", "given_names", "id"),
    "rank": ("rank", "first_surname", "given_names", "id"),
    "badge": ("badge_number", "id"),
}


@dataclass(frozen=True)
class RosterFilters:
    unit_id: int | None = None
    rank: str = ""
    credential_id: int | None = None
    status: str = ""
    expiring_before: datetime.date | None = None
    q: str = ""
    sort: str = "name"

    def described(self, *, units: dict, credentials: dict) -> list[tuple[str, str]]:
        """(label, value) pairs of the filters in use, for exports and reports."""
        shown = []
        if self.unit_id:
            shown.append((str(_("Unit")), str(units.get(self.unit_id, self.unit_id))))
        if self.rank:
            shown.append((str(_("Rank")), self.rank))
        if self.credential_id:
            shown.append((str(_("Credential")), str(credentials.get(self.credential_id, self.credential_id))))
        if self.status:
            shown.append((str(_("Status")), str(STATUS_LABELS[self.status])))
        if self.expiring_before:
            shown.append((str(_("Expiring before")), self.expiring_before.isoformat()))
        if self.q:
            shown.append((str(_("Search")), self.q))
        return shown


@dataclass
class Cell:
    status: str
    certificate: Certificate | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def expires_on(self) -> datetime.date | None:
        return self.certificate.expires_on if self.certificate else None


@dataclass
class RosterRow:
    officer: Trainee
    required_ids: frozenset = frozenset()
    cells: list[Cell] = field(default_factory=list)  # in the order of the roster's credentials
    by_credential: dict[int, Cell] = field(default_factory=dict)

    @property
    def missing_required(self) -> int:
        """Required credentials the officer does not hold (among the roster's columns)."""
        return sum(
            1 for cid in self.required_ids if self.by_credential.get(cid, Cell("none")).status not in HELD
        )


# --- building blocks ------------------------------------------------------------------------


def current_certificates() -> QuerySet[Certificate]:
    return Certificate.objects.exclude(status=C.SUPERSEDED)


def _course_keys_by_credential() -> dict[int, set]:
    """Which courses (by translation key) award which credential. One query."""
    from courses.models import CoursePage

    keys: dict[int, set] = {}
    for credential_id, key in CoursePage.objects.filter(credential__isnull=False).values_list(
        "credential_id", "translation_key"
    ):
        keys.setdefault(credential_id, set()).add(key)
    return keys


def _training_enrollments():
    from courses.models import Enrollment

    return Enrollment.objects.filter(status__in=(Enrollment.Status.APPROVED, Enrollment.Status.ENROLLED))


def cell_status(certificates: list[Certificate], *, in_training: bool, today: datetime.date) -> Cell:
    """One officer's status in one credential, from their current certificates of it."""
    horizon = today + datetime.timedelta(days=EXPIRING_DAYS)
    best: dict[str, Certificate] = {}
    for certificate in certificates:
        if certificate.status == C.VALID:
            if certificate.expires_on is None or certificate.expires_on > horizon:
                kind = "valid"
            elif certificate.expires_on >= today:
                kind = "expiring"
            else:
                kind = "expired"
        else:
            kind = certificate.status
        # Of two certificates in the same state, the one that lasts longer speaks.
        held = best.get(kind)
        if held is None or (held.expires_on or datetime.date.max) < (
            certificate.expires_on or datetime.date.max
        ):
            best[kind] = certificate
    for kind in ("valid", "expiring", "suspended", "revoked"):
        if kind in best:
            return Cell(kind, best[kind])
    if in_training:
        return Cell("in_training", best.get("expired"))
    if "expired" in best:
        return Cell("expired", best["expired"])
    return Cell("none")


def _certificate_q(status: str, today: datetime.date) -> Q:
    horizon = today + datetime.timedelta(days=EXPIRING_DAYS)
    return {
        "valid": Q(status=C.VALID) & (Q(expires_on__isnull=True) | Q(expires_on__gt=horizon)),
        "expiring": Q(status=C.VALID, expires_on__gte=today, expires_on__lte=horizon),
        "suspended": Q(status=C.SUSPENDED),
        "revoked": Q(status=C.REVOKED),
        "expired": Q(status=C.VALID, expires_on__lt=today),
    }[status]


def _status_q(status: str, *, credential_id: int | None, today: datetime.date, course_keys: dict) -> Q:
    """Officers whose cell has `status` (for one credential), or who have any certificate or
    training in that state (no credential chosen)."""

    def has(kind: str) -> Exists:
        certificates = current_certificates().filter(_certificate_q(kind, today), trainee=OuterRef("pk"))
        if credential_id:
            certificates = certificates.filter(credential_id=credential_id)
        return Exists(certificates)

    keys = (
        course_keys.get(credential_id, set())
        if credential_id
        else {k for ks in course_keys.values() for k in ks}
    )
    training = Exists(_training_enrollments().filter(trainee=OuterRef("pk"), course_key__in=keys))
    if not credential_id:
        if status == "in_training":
            return Q(training)
        if status == "none":
            return ~Q(Exists(current_certificates().filter(trainee=OuterRef("pk")))) & ~Q(training)
        return Q(has(status))
    order = ["valid", "expiring", "suspended", "revoked"]
    if status in order:
        q = Q(has(status))
        for before in order[: order.index(status)]:
            q &= ~Q(has(before))
        return q
    none_held = Q()
    for kind in order:
        none_held &= ~Q(has(kind))
    if status == "in_training":
        return none_held & Q(training)
    if status == "expired":
        return none_held & ~Q(training) & Q(has("expired"))
    return none_held & ~Q(training) & ~Q(has("expired"))


# --- the roster ---------------------------------------------------------------------------


def roster_credentials(*, agency) -> list[Credential]:
    """The roster's columns: the credentials the agency requires and those its officers hold
    or have held, by code. One query."""
    required = CredentialRequirement.objects.filter(agency=agency).values("credential_id")
    # Exists stops at the first certificate of each credential instead of reading them all.
    held = Exists(Certificate.objects.filter(credential=OuterRef("pk"), trainee__agency=agency))
    return list(Credential.objects.filter(Q(pk__in=required) | Q(held)).order_by("code"))


def requirements_by_unit(*, agency) -> dict[int | None, set[int]]:
    """{unit id or None (every unit): credential ids}. One query."""
    rules: dict[int | None, set[int]] = {}
    for unit_id, credential_id in CredentialRequirement.objects.filter(agency=agency).values_list(
        "unit_id", "credential_id"
    ):
        rules.setdefault(unit_id, set()).add(credential_id)
    return rules


def required_for(rules: dict, unit_id: int | None) -> frozenset:
    return frozenset(rules.get(None, set()) | rules.get(unit_id, set()))


def roster_officers(*, agency, filters: RosterFilters, today: datetime.date) -> QuerySet[Trainee]:
    """The agency's active officers that pass the filters, sorted. Not evaluated."""
    from .text import fold

    officers = Trainee.objects.filter(agency=agency, status=Trainee.Status.ACTIVE).select_related("unit")
    if filters.unit_id:
        officers = officers.filter(unit_id=filters.unit_id)
    if filters.rank:
        officers = officers.filter(rank=filters.rank)
    for term in fold(filters.q).split()[:6]:
        officers = officers.filter(search_text__contains=term)
    if filters.status or filters.expiring_before:
        course_keys = _course_keys_by_credential()
        if filters.status:
            officers = officers.filter(
                _status_q(
                    filters.status, credential_id=filters.credential_id, today=today, course_keys=course_keys
                )
            )
        if filters.expiring_before:
            expiring = current_certificates().filter(
                trainee=OuterRef("pk"),
                status=C.VALID,
                expires_on__gte=today,
                expires_on__lte=filters.expiring_before,
            )
            if filters.credential_id:
                expiring = expiring.filter(credential_id=filters.credential_id)
            officers = officers.filter(Exists(expiring))
    field_name = filters.sort.lstrip("-")
    order = SORT_FIELDS.get(field_name, SORT_FIELDS["name"])
    if filters.sort.startswith("-"):
        order = tuple(f"-{f}" for f in order)
    return officers.order_by(*order)


def roster_rows(
    *, officers: list[Trainee], credentials: list[Credential], rules: dict, today: datetime.date
) -> list[RosterRow]:
    """The cells of a page (or a chunk) of officers: two queries whatever its size."""
    ids = [officer.pk for officer in officers]
    certificates: dict[tuple[int, int], list[Certificate]] = {}
    for certificate in (
        current_certificates()
        .filter(trainee_id__in=ids, credential__in=credentials)
        .only("id", "trainee_id", "credential_id", "status", "expires_on", "serial")
    ):
        certificates.setdefault((certificate.trainee_id, certificate.credential_id), []).append(certificate)
    course_keys = _course_keys_by_credential()
    credential_of_key = {key: cid for cid, keys in course_keys.items() for key in keys}
    training = {
        (trainee_id, credential_of_key[key])
        for trainee_id, key in _training_enrollments()
        .filter(trainee_id__in=ids, course_key__in=list(credential_of_key))
        .values_list("trainee_id", "course_key")
    }
    rows = []
    for officer in officers:
        row = RosterRow(officer=officer, required_ids=required_for(rules, officer.unit_id))
        for credential in credentials:
            cell = cell_status(
                certificates.get((officer.pk, credential.pk), []),
                in_training=(officer.pk, credential.pk) in training,
                today=today,
            )
            row.cells.append(cell)
            row.by_credential[credential.pk] = cell
        rows.append(row)
    return rows


def roster_iter(
    *, agency, filters: RosterFilters, today: datetime.date, chunk: int = 500
) -> Iterator[tuple[list[Credential], RosterRow]]:
    """Every row of the filtered roster, a chunk at a time (exports): the officers are read
    through a cursor and each chunk's cells in two queries, so memory stays flat however many."""
    credentials = roster_credentials(agency=agency)
    rules = requirements_by_unit(agency=agency)
    officers = roster_officers(agency=agency, filters=filters, today=today).iterator(chunk_size=chunk)
    while part := list(itertools.islice(officers, chunk)):
        for row in roster_rows(officers=part, credentials=credentials, rules=rules, today=today):
            yield credentials, row


def quarter_end(today: datetime.date) -> datetime.date:
    month = ((today.month - 1) // 3 + 1) * 3
    return datetime.date(today.year, month, calendar.monthrange(today.year, month)[1])


def roster_summary(*, agency, today: datetime.date) -> dict:
    """The figures on top of the roster, each one query: active officers; officers with a
    requirement and how many of them hold every required credential (valid or expiring); officers
    with a certificate expiring between today and the end of the quarter; officers with an
    expired certificate not renewed."""
    officers = Trainee.objects.filter(agency=agency, status=Trainee.Status.ACTIVE)
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
    end = quarter_end(today)
    expiring = current_certificates().filter(
        trainee_id=OuterRef("pk"), status=C.VALID, expires_on__gte=today, expires_on__lte=end
    )
    expired = current_certificates().filter(trainee_id=OuterRef("pk"), status=C.VALID, expires_on__lt=today)
    figures = officers.aggregate(
        total=Count("pk"),
        with_requirements=Count("pk", filter=Q(Exists(applicable))),
        complete=Count("pk", filter=Q(Exists(applicable)) & ~Q(Exists(unmet))),
        expiring_quarter=Count("pk", filter=Q(Exists(expiring))),
        expired=Count("pk", filter=Q(Exists(expired))),
    )
    figures["quarter_end"] = end
    return figures
