"""Writes to personnel records (officers). Every change is checked against the actor's scope
and recorded as a `TraineeEvent` (who, when, why, what changed)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import can_manage_personnel
from .models import Agency, AuditEntry, Trainee, TraineeEvent, Unit
from .national_ids import normalize_id_number
from .services_audit import audit_record, audit_target
from .text import trainee_search_text

# Fields a personnel form or import may set (identity and agency are handled apart).
EDITABLE_FIELDS = (
    "given_names",
    "first_surname",
    "second_surname",
    "badge_number",
    "rank",
    "unit",
    "sex",
    "email",
    "phone",
    "date_of_birth",
    "user",
)

STATUS_MOVES = {
    Trainee.Status.ACTIVE: {Trainee.Status.SEPARATED, Trainee.Status.TRANSFERRED},
    Trainee.Status.SEPARATED: {Trainee.Status.ACTIVE},
    Trainee.Status.TRANSFERRED: {Trainee.Status.ACTIVE},
}
EVENT_FOR_STATUS = {
    Trainee.Status.SEPARATED: TraineeEvent.Kind.SEPARATED,
    Trainee.Status.TRANSFERRED: TraineeEvent.Kind.TRANSFERRED,
    Trainee.Status.ACTIVE: TraineeEvent.Kind.REINSTATED,
}


def _check_scope(actor, agency: Agency) -> None:
    # actor None is the system itself (seed data, management commands).
    if actor is not None and not can_manage_personnel(actor, agency):
        raise PermissionDenied(_("You may not change the personnel of this agency."))


def _check_unit(unit: Unit | None, agency: Agency) -> None:
    if unit is not None and unit.agency_id != agency.id:
        raise ValidationError({"unit": _("This unit belongs to another agency.")})


def _value_for_history(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _check_duplicates(trainee: Trainee) -> None:
    """Field errors for the two identities; the database constraints stay the last word."""
    others = Trainee.objects.exclude(pk=trainee.pk)
    errors = {}
    if others.filter(
        id_country=trainee.id_country, id_type=trainee.id_type, id_number=trainee.id_number
    ).exists():
        errors["id_number"] = _("An officer with this ID number is already registered.")
    if (
        trainee.badge_number
        and others.filter(agency=trainee.agency, badge_number=trainee.badge_number).exists()
    ):
        errors["badge_number"] = _("Another officer of this agency already has this badge number.")
    if errors:
        raise ValidationError(errors)


def _clean_strings(fields: dict) -> dict:
    # Names are kept exactly as typed, but surrounding white space is never meaningful.
    return {k: (" ".join(v.split()) if isinstance(v, str) and k != "email" else v) for k, v in fields.items()}


@transaction.atomic
def trainee_create(
    *, actor, agency: Agency, id_country, id_type: str, id_number: str, effective_on=None, **fields
) -> Trainee:
    _check_scope(actor, agency)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown trainee fields: {sorted(unknown)}")
    fields = _clean_strings(fields)
    _check_unit(fields.get("unit"), agency)
    try:
        canonical = normalize_id_number(country=id_country, id_type=id_type, raw=id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from exc
    trainee = Trainee(agency=agency, id_country=id_country, id_type=id_type, id_number=canonical, **fields)
    trainee.search_text = trainee_search_text(trainee)
    _check_duplicates(trainee)
    trainee.full_clean()
    trainee.save()
    TraineeEvent.objects.create(
        trainee=trainee,
        kind=TraineeEvent.Kind.CREATED,
        to_agency=agency,
        effective_on=effective_on or timezone.localdate(),
        actor=actor,
    )
    return trainee


@transaction.atomic
def trainee_update(*, actor, trainee: Trainee, reason: str = "", **fields) -> Trainee:
    """Changes the editable fields; records what changed. No change, no event."""
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    _check_scope(actor, trainee.agency)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown trainee fields: {sorted(unknown)}")
    fields = _clean_strings(fields)
    _check_unit(fields.get("unit", trainee.unit), trainee.agency)
    changes = {}
    for name, value in fields.items():
        old = getattr(trainee, name)
        if old != value:
            changes[name] = [_value_for_history(old), _value_for_history(value)]
            setattr(trainee, name, value)
    if not changes:
        return trainee
    trainee.search_text = trainee_search_text(trainee)
    _check_duplicates(trainee)
    trainee.full_clean()
    trainee.save()
    TraineeEvent.objects.create(
        trainee=trainee,
        kind=TraineeEvent.Kind.UPDATED,
        effective_on=timezone.localdate(),
        reason=reason,
        changes=changes,
        actor=actor,
    )
    return trainee


@transaction.atomic
def trainee_transfer(
    *, actor, trainee: Trainee, to_agency: Agency, to_unit: Unit | None = None, effective_on, reason: str
) -> Trainee:
    """Moves an officer to another agency of the program; the history stays with the record."""
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    _check_scope(actor, trainee.agency)
    if to_agency.id == trainee.agency_id:
        if to_unit == trainee.unit:
            return trainee  # already there
        return trainee_update(actor=actor, trainee=trainee, unit=to_unit, reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the officer is transferred.")})
    _check_unit(to_unit, to_agency)
    if to_agency.trainees.filter(badge_number=trainee.badge_number).exclude(badge_number="").exists():
        raise ValidationError(
            {"badge_number": _("The new agency already has an officer with this badge number.")}
        )
    from_agency = trainee.agency
    trainee.agency, trainee.unit, trainee.status = to_agency, to_unit, Trainee.Status.ACTIVE
    trainee.save()
    TraineeEvent.objects.create(
        trainee=trainee,
        kind=TraineeEvent.Kind.TRANSFERRED,
        from_agency=from_agency,
        to_agency=to_agency,
        effective_on=effective_on,
        reason=reason,
        actor=actor,
    )
    _audit(
        actor,
        AuditEntry.Action.PERSONNEL_TRANSFER,
        trainee,
        agency=from_agency,
        details={
            "from": from_agency.acronym,
            "to": to_agency.acronym,
            "effective_on": str(effective_on),
            "reason": reason,
        },
    )
    return trainee


def _audit(actor, action, trainee, *, agency, details) -> None:
    """A person's move of an officer goes into the audit trail too (the system's moves do not)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        audit_record(
            actor=actor, action=action, agency=agency, target=audit_target(trainee.full_name), details=details
        )


@transaction.atomic
def trainee_set_status(*, actor, trainee: Trainee, status: str, effective_on, reason: str) -> Trainee:
    """The one transition of an officer's status: separated and transferred (out of the
    program's agencies) leave the active roster and keep every record; active reinstates."""
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    _check_scope(actor, trainee.agency)
    if trainee.status == status:
        return trainee
    if status not in STATUS_MOVES.get(trainee.status, set()):
        raise ValidationError(
            {
                "status": _("An officer cannot go from %(old)s to %(new)s.")
                % {"old": trainee.get_status_display(), "new": Trainee.Status(status).label}
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the officer's status changes.")})
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("The date cannot be in the future.")})
    previous = trainee.status
    trainee.status = status
    trainee.save(update_fields=["status", "updated_at"])
    TraineeEvent.objects.create(
        trainee=trainee,
        kind=EVENT_FOR_STATUS[status],
        from_agency=trainee.agency,
        effective_on=effective_on,
        reason=reason,
        actor=actor,
    )
    _audit(
        actor,
        AuditEntry.Action.PERSONNEL_STATUS,
        trainee,
        agency=trainee.agency,
        details={"from": previous, "to": status, "effective_on": str(effective_on), "reason": reason},
    )
    return trainee


class RowInvalid(ValidationError):
    """`trainee_create_many`: the row at `index` is refused (nothing was written)."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(error.messages)
        self.index, self.error = index, error


BULK_BATCH = 500


@transaction.atomic
def trainee_create_many(*, actor, agency: Agency, rows: list[dict], effective_on=None) -> list[Trainee]:
    """Creates many officers of one agency at once (imports): the same checks as
    `trainee_create`, made in bulk (the scope once, identities in two queries), then inserted
    in batches. Each row: id_country, id_type, id_number and editable fields. All or nothing."""
    _check_scope(actor, agency)
    effective_on = effective_on or timezone.localdate()
    trainees: list[Trainee] = []
    for index, row in enumerate(rows):
        fields = dict(row)
        id_country, id_type, raw = fields.pop("id_country"), fields.pop("id_type"), fields.pop("id_number")
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"unknown trainee fields: {sorted(unknown)}")
        fields = _clean_strings(fields)
        try:
            _check_unit(fields.get("unit"), agency)
            canonical = normalize_id_number(country=id_country, id_type=id_type, raw=raw)
            trainee = Trainee(
                agency=agency, id_country=id_country, id_type=id_type, id_number=canonical, **fields
            )
            trainee.search_text = trainee_search_text(trainee)
            # Keys and uniqueness are checked below for the whole batch, not row by row.
            trainee.full_clean(
                exclude=["agency", "unit", "id_country", "user"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            raise RowInvalid(index, error) from error
        trainees.append(trainee)
    _check_duplicates_many(agency, trainees)
    created = []
    for start in range(0, len(trainees), BULK_BATCH):
        created += Trainee.objects.bulk_create(trainees[start : start + BULK_BATCH])
    if not all(t.pk for t in created):  # backends without RETURNING ids: read them back
        keys = {(t.id_country_id, t.id_type, t.id_number) for t in trainees}
        by_key = {
            (t.id_country_id, t.id_type, t.id_number): t
            for t in Trainee.objects.filter(agency=agency, id_number__in=[k[2] for k in keys])
        }
        created = [by_key[(t.id_country_id, t.id_type, t.id_number)] for t in trainees]
    TraineeEvent.objects.bulk_create(
        [
            TraineeEvent(
                trainee=t,
                kind=TraineeEvent.Kind.CREATED,
                to_agency=agency,
                effective_on=effective_on,
                actor=actor,
            )
            for t in created
        ],
        batch_size=BULK_BATCH,
    )
    return created


def _check_duplicates_many(agency: Agency, trainees: list[Trainee]) -> None:
    ids, badges = {}, {}
    for index, trainee in enumerate(trainees):
        key = (trainee.id_country_id, trainee.id_type, trainee.id_number)
        if key in ids:
            raise RowInvalid(index, ValidationError({"id_number": _("This ID number appears twice.")}))
        ids[key] = index
        if trainee.badge_number:
            if trainee.badge_number in badges:
                raise RowInvalid(
                    index, ValidationError({"badge_number": _("This badge number appears twice.")})
                )
            badges[trainee.badge_number] = index
    numbers = [key[2] for key in ids]
    for start in range(0, len(numbers), BULK_BATCH):
        for key in Trainee.objects.filter(id_number__in=numbers[start : start + BULK_BATCH]).values_list(
            "id_country_id", "id_type", "id_number"
        ):
            if key in ids:
                raise RowInvalid(
                    ids[key],
                    ValidationError(
                        {"id_number": _("An officer with this ID number is already registered.")}
                    ),
                )
    badge_list = list(badges)
    for start in range(0, len(badge_list), BULK_BATCH):
        for badge in agency.trainees.filter(
            badge_number__in=badge_list[start : start + BULK_BATCH]
        ).values_list("badge_number", flat=True):
            raise RowInvalid(
                badges[badge],
                ValidationError(
                    {"badge_number": _("Another officer of this agency already has this badge number.")}
                ),
            )
