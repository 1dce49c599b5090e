"""Human-rights vetting with the embassy, by spreadsheet: the officers awaiting a decision go
out (everything a submission needs); the decisions come back, validated whole, recorded all
or nothing through vetting_record_add. Program administrators only."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import can_record_vetting
from .import_jobs import PROGRESS_EVERY, RowError, import_job_create, row_error
from .models import ImportJob, Trainee, VettingRecord
from .personnel_exchange import Identities, column_aliases, column_headers, column_label, existing_trainees
from .selectors import LATEST_FIRST
from .services_vetting import default_valid_until, vetting_record_add
from .tabular import Table, map_columns, normalize_word, parse_date, row_cells

AWAITING_COLUMNS = (
    "id_country",
    "id_type",
    "id_number",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "agency",
    "unit",
    "rank",
    "badge_number",
    "case_reference",
    # Left for the decision, so the same sheet comes back as the results file.
    "status",
    "decided_on",
    "valid_until",
    "notes",
)
RESULT_COLUMNS = (
    "id_country",
    "id_type",
    "id_number",
    "status",
    "decided_on",
    "valid_until",
    "case_reference",
    "notes",
)
REQUIRED_RESULT_COLUMNS = ("id_country", "id_number", "status", "decided_on", "case_reference")

STATUS_ALIASES = {
    "pending": VettingRecord.Status.PENDING,
    "pendiente": VettingRecord.Status.PENDING,
    "en tramite": VettingRecord.Status.PENDING,
    "approved": VettingRecord.Status.APPROVED,
    "aprobado": VettingRecord.Status.APPROVED,
    "aprobada": VettingRecord.Status.APPROVED,
    "denied": VettingRecord.Status.DENIED,
    "denegado": VettingRecord.Status.DENIED,
    "denegada": VettingRecord.Status.DENIED,
    "rechazado": VettingRecord.Status.DENIED,
    "rechazada": VettingRecord.Status.DENIED,
    "suspended": VettingRecord.Status.SUSPENDED,
    "suspendido": VettingRecord.Status.SUSPENDED,
    "suspendida": VettingRecord.Status.SUSPENDED,
}


def _check_actor(actor) -> None:
    if not can_record_vetting(actor):
        raise PermissionDenied(_("Only program administrators exchange vetting files."))


def _with_current_vetting(trainees: QuerySet[Trainee]) -> QuerySet[Trainee]:
    latest = VettingRecord.objects.filter(trainee=OuterRef("pk")).order_by(*LATEST_FIRST)
    return trainees.annotate(
        current_vetting_id=Subquery(latest.values("id")[:1]),
        current_vetting_status=Subquery(latest.values("status")[:1]),
        current_case_reference=Subquery(latest.values("case_reference")[:1]),
    )


# --- Export ---------------------------------------------------------------------------------


def vetting_awaiting(*, actor) -> QuerySet[Trainee]:
    """The officers whose current vetting is pending. PermissionDenied unless an administrator."""
    _check_actor(actor)
    return Trainee.objects.all()


def vetting_awaiting_rows(queryset: QuerySet[Trainee], *, language: str | None = None) -> Iterator[list]:
    """The header, then one row per officer of `queryset` whose current vetting is pending:
    what an embassy submission needs, plus empty decision columns to fill in and import."""
    yield column_headers(AWAITING_COLUMNS, language)
    trainees = (
        _with_current_vetting(queryset)
        .filter(current_vetting_status=VettingRecord.Status.PENDING)
        .select_related("id_country", "agency__country", "unit")
        .order_by("agency__country__code", "agency__acronym", "first_surname", "given_names", "id")
    )
    for trainee in trainees.iterator(chunk_size=2000):
        agency = trainee.agency
        yield [
            trainee.id_country.code,
            trainee.id_type,
            trainee.id_number,
            trainee.given_names,
            trainee.first_surname,
            trainee.second_surname,
            trainee.sex,
            trainee.date_of_birth,
            f"{agency.name} ({agency.acronym}, {agency.country.code})",
            trainee.unit.name if trainee.unit else "",
            trainee.rank,
            trainee.badge_number,
            trainee.current_case_reference or "",
            VettingRecord.Status.PENDING.value,
            None,
            None,
            "",
        ]


# --- Import ---------------------------------------------------------------------------------


def vetting_import_start(*, actor, uploaded_file) -> ImportJob:
    """Checks who uploads and the file, saves the job and enqueues its import on commit."""
    _check_actor(actor)
    return import_job_create(
        kind=ImportJob.Kind.VETTING, actor=actor, agency=None, uploaded_file=uploaded_file
    )


@dataclass
class Decision:
    row: int
    key: tuple[int, str, str]
    status: str
    decided_on: datetime.date | None
    valid_until: datetime.date | None
    case_reference: str
    notes: str
    trainee: Trainee | None = None


class VettingImport:
    def __init__(self, *, actor):
        self.actor = actor
        self.plan: list[Decision] = []

    def validate(self, table: Table, *, progress: Callable[[int], None] = lambda n: None) -> list[dict]:
        labels = {key: column_label(key) for key in RESULT_COLUMNS}
        positions, problems = map_columns(
            table.headers,
            aliases=column_aliases(RESULT_COLUMNS),
            required=REQUIRED_RESULT_COLUMNS,
            labels=labels,
        )
        if problems:
            return [row_error(table.header_row, problem) for problem in problems]
        identities = Identities()
        errors, parsed = [], []
        for count, (number, cells) in enumerate(table.rows, start=1):
            decision, row_errors = self._parse_row(number, cells, positions, identities)
            errors.extend(row_error(number, message, column) for column, message in row_errors)
            if decision is not None:
                parsed.append(decision)
            if count % PROGRESS_EVERY == 0:
                progress(count)
        errors.extend(self._match(parsed))
        if not errors:
            self.plan = parsed
        return errors

    def _parse_row(self, number, cells, positions, identities):
        values, formulas = row_cells(cells, positions)
        errors: list[tuple[str, str]] = [
            (key, _("This cell holds a formula; only plain values can be imported.")) for key in formulas
        ]
        if errors:
            return None, errors
        identity = identities.resolve(values, errors)
        raw_status = values.get("status", "")
        status = STATUS_ALIASES.get(normalize_word(raw_status))
        if status is None:
            errors.append(
                (
                    "status",
                    _("Unknown vetting status %(value)s: write pending, approved, denied or suspended.")
                    % {"value": raw_status or "—"},
                )
            )
        dates = {}
        for key in ("decided_on", "valid_until"):
            try:
                dates[key] = parse_date(values.get(key))
            except ValueError:
                errors.append(
                    (
                        key,
                        _("%(value)s is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.")
                        % {"value": values[key]},
                    )
                )
        decided_on, valid_until = dates.get("decided_on"), dates.get("valid_until")
        if status and status != VettingRecord.Status.PENDING and "decided_on" in dates and decided_on is None:
            errors.append(("decided_on", _("A decision needs its date.")))
        if decided_on and decided_on > timezone.localdate():
            errors.append(("decided_on", _("The decision date cannot be in the future.")))
        if status != VettingRecord.Status.APPROVED:
            valid_until = None  # only an approval has an end
        elif decided_on and valid_until is None:
            valid_until = default_valid_until(decided_on)
        if valid_until and decided_on and valid_until < decided_on:
            errors.append(("valid_until", _("The approval cannot end before it was decided.")))
        case_reference = " ".join(values.get("case_reference", "").split())
        if len(case_reference) > 60:
            errors.append(
                ("case_reference", _("This value is longer than %(limit)s characters.") % {"limit": 60})
            )
        if errors or identity is None:
            return None, errors
        country, id_type, id_number = identity
        return (
            Decision(
                row=number,
                key=(country.id, id_type, id_number),
                status=status,
                decided_on=decided_on,
                valid_until=valid_until,
                case_reference=case_reference,
                notes=values.get("notes", "").strip(),
            ),
            errors,
        )

    def _match(self, parsed: list[Decision]) -> list[dict]:
        errors, seen = [], {}
        registered = existing_trainees([decision.key for decision in parsed])
        for decision in parsed:
            if decision.key in seen:
                errors.append(
                    row_error(
                        decision.row,
                        _("The same officer is already in row %(row)s.") % {"row": seen[decision.key]},
                        "id_number",
                    )
                )
                continue
            seen[decision.key] = decision.row
            decision.trainee = registered.get(decision.key)
            if decision.trainee is None:
                errors.append(
                    row_error(decision.row, _("No officer is registered with this ID."), "id_number")
                )
        return errors

    def apply(self) -> dict:
        """Records every decision; recording one already current changes nothing."""
        ids = [decision.trainee.id for decision in self.plan]
        current = {}
        for start in range(0, len(ids), 500):
            chunk = _with_current_vetting(Trainee.objects.filter(id__in=ids[start : start + 500]))
            current.update(chunk.values_list("id", "current_vetting_id"))
        created = unchanged = 0
        for decision in self.plan:
            try:
                record = vetting_record_add(
                    actor=self.actor,
                    trainee=decision.trainee,
                    status=decision.status,
                    decided_on=decision.decided_on,
                    valid_until=decision.valid_until,
                    case_reference=decision.case_reference,
                    notes=decision.notes,
                )
            except ValidationError as exc:
                raise RowError(decision.row, exc.messages) from exc
            if record.id == current.get(decision.trainee.id):
                unchanged += 1
            else:
                created += 1
        return {"created": created, "updated": 0, "unchanged": unchanged}
