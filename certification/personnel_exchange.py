"""Personnel rosters in and out as CSV or XLSX, in one format, so an export imports back
unchanged. An import validates the whole file first and writes nothing unless every row is
good; officers are matched by national ID and written only through services_personnel."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import can_manage_personnel
from .import_jobs import PROGRESS_EVERY, RowError, import_job_create, row_error
from .models import Agency, Country, ImportJob, Trainee, Unit
from .national_ids import normalize_id_number
from .services_personnel import RowInvalid, trainee_create_many, trainee_update
from .tabular import Table, map_columns, normalize_header, normalize_word, parse_date, row_cells

PERSONNEL_COLUMNS = (
    "id_country",
    "id_type",
    "id_number",
    "badge_number",
    "given_names",
    "first_surname",
    "second_surname",
    "rank",
    "unit",
    "sex",
    "date_of_birth",
    "email",
    "phone",
)
REQUIRED_COLUMNS = ("id_country", "id_number", "given_names", "first_surname")

# Spanish headers: what an export in Spanish writes; an import accepts both languages.
HEADERS_ES = {
    "id_country": "pais_documento",
    "id_type": "tipo_documento",
    "id_number": "numero_documento",
    "badge_number": "placa",
    "given_names": "nombres",
    "first_surname": "primer_apellido",
    "second_surname": "segundo_apellido",
    "rank": "grado",
    "unit": "unidad",
    "sex": "sexo",
    "date_of_birth": "fecha_nacimiento",
    "email": "correo",
    "phone": "telefono",
    # Columns of the vetting exchange (vetting_exchange.py).
    "agency": "institucion",
    "status": "estado",
    "decided_on": "fecha_decision",
    "valid_until": "valido_hasta",
    "case_reference": "referencia_caso",
    "notes": "notas",
}
EXTRA_ALIASES = {
    "pais": "id_country",
    "pais_del_documento": "id_country",
    "tipo_de_documento": "id_type",
    "numero_de_documento": "id_number",
    "no_documento": "id_number",
    "documento": "id_number",
    "numero_de_placa": "badge_number",
    "badge": "badge_number",
    "nombre": "given_names",
    "nombres_completos": "given_names",
    "apellido": "first_surname",
    "rango": "rank",
    "fecha_de_nacimiento": "date_of_birth",
    "correo_electronico": "email",
    "e_mail": "email",
    "telefono_movil": "phone",
    "celular": "phone",
    "institucion": "agency",
    "agencia": "agency",
    "fecha_de_decision": "decided_on",
    "vigente_hasta": "valid_until",
    "referencia": "case_reference",
    "referencia_del_caso": "case_reference",
    "observaciones": "notes",
}


def column_aliases(columns) -> dict[str, str]:
    """Normalised header text -> column key, for the given columns (English, Spanish, extras)."""
    aliases = {}
    for key in columns:
        aliases[normalize_header(key)] = key
        aliases[normalize_header(HEADERS_ES[key])] = key
    aliases.update({alias: key for alias, key in EXTRA_ALIASES.items() if key in columns})
    return aliases


def column_headers(columns, language: str | None = None) -> list[str]:
    """The header row of an export: Spanish keys when the language is Spanish."""
    language = language or translation.get_language() or "es"
    return [HEADERS_ES[key] if language.startswith("es") else key for key in columns]


# Column names shown in messages.
COLUMN_LABELS = {
    "id_country": gettext_lazy("ID country"),
    "id_type": gettext_lazy("ID type"),
    "id_number": gettext_lazy("ID number"),
    "badge_number": gettext_lazy("badge number"),
    "given_names": gettext_lazy("given names"),
    "first_surname": gettext_lazy("first surname"),
    "second_surname": gettext_lazy("second surname"),
    "rank": gettext_lazy("rank"),
    "unit": gettext_lazy("unit"),
    "sex": gettext_lazy("sex"),
    "date_of_birth": gettext_lazy("date of birth"),
    "email": gettext_lazy("e-mail"),
    "phone": gettext_lazy("phone"),
    "status": gettext_lazy("status"),
    "decided_on": gettext_lazy("decided on"),
    "valid_until": gettext_lazy("valid until"),
    "case_reference": gettext_lazy("case reference"),
    "notes": gettext_lazy("notes"),
}


def column_label(key: str) -> str:
    """'id_number (ID number)': the key as in the file, and what it means."""
    return f"{key} ({COLUMN_LABELS[key]})"


ID_TYPE_ALIASES = {
    "national id": Trainee.IdType.NATIONAL_ID,
    "national_id": Trainee.IdType.NATIONAL_ID,
    "dni": Trainee.IdType.NATIONAL_ID,
    "dpi": Trainee.IdType.NATIONAL_ID,
    "dui": Trainee.IdType.NATIONAL_ID,
    "cedula": Trainee.IdType.NATIONAL_ID,
    "documento nacional": Trainee.IdType.NATIONAL_ID,
    "documento nacional de identidad": Trainee.IdType.NATIONAL_ID,
    "passport": Trainee.IdType.PASSPORT,
    "pasaporte": Trainee.IdType.PASSPORT,
    "other": Trainee.IdType.OTHER,
    "otro": Trainee.IdType.OTHER,
}
SEX_ALIASES = {
    "f": "F",
    "female": "F",
    "femenino": "F",
    "mujer": "F",
    "m": "M",
    "male": "M",
    "masculino": "M",
    "hombre": "M",
}
MAX_LENGTHS = {
    "given_names": 120,
    "first_surname": 80,
    "second_surname": 80,
    "badge_number": 40,
    "rank": 80,
    "phone": 40,
    "email": 254,
}


class Identities:
    """Resolves the ID columns of a row (country, type, number) to the canonical identity."""

    def __init__(self):
        self.countries = {}
        for country in Country.objects.all():
            for name in (country.code, country.name_es, country.name_en):
                self.countries[normalize_word(name)] = country

    def resolve(self, values: dict, errors: list[tuple[str, str]]) -> tuple[Country, str, str] | None:
        country = self.countries.get(normalize_word(values.get("id_country", "")))
        if country is None:
            errors.append(
                (
                    "id_country",
                    _("Unknown country %(value)s: write its two-letter code, for example GT.")
                    % {"value": values.get("id_country") or "—"},
                )
            )
        raw_type = values.get("id_type", "")
        id_type = ID_TYPE_ALIASES.get(normalize_word(raw_type)) if raw_type else Trainee.IdType.NATIONAL_ID
        if id_type is None:
            errors.append(
                (
                    "id_type",
                    _("Unknown ID type %(value)s: write national_id, passport or other.")
                    % {"value": raw_type},
                )
            )
        if country is None or id_type is None:
            return None
        try:
            number = normalize_id_number(country=country, id_type=id_type, raw=values.get("id_number", ""))
        except ValidationError as exc:
            errors.extend(("id_number", message) for message in exc.messages)
            return None
        return country, id_type, number


def existing_trainees(keys) -> dict[tuple[int, str, str], Trainee]:
    """Officers already registered under these identities, fetched in a few queries."""
    found = {}
    numbers = sorted({number for _country, _type, number in keys})
    for start in range(0, len(numbers), 500):
        chunk = Trainee.objects.filter(id_number__in=numbers[start : start + 500]).select_related("unit")
        for trainee in chunk:
            found[(trainee.id_country_id, trainee.id_type, trainee.id_number)] = trainee
    return found


# --- Export ---------------------------------------------------------------------------------


def personnel_export_rows(queryset: QuerySet[Trainee], *, language: str | None = None) -> Iterator[list]:
    """The header, then one row per officer, in the import format. Streams in chunks: the
    number of queries does not grow with the roster."""
    yield column_headers(PERSONNEL_COLUMNS, language)
    trainees = queryset.select_related("id_country", "unit").order_by("first_surname", "given_names", "id")
    for trainee in trainees.iterator(chunk_size=2000):
        yield [
            trainee.id_country.code,
            trainee.id_type,
            trainee.id_number,
            trainee.badge_number,
            trainee.given_names,
            trainee.first_surname,
            trainee.second_surname,
            trainee.rank,
            trainee.unit.name if trainee.unit else "",
            trainee.sex,
            trainee.date_of_birth,
            trainee.email,
            trainee.phone,
        ]


# --- Import ---------------------------------------------------------------------------------


def personnel_import_start(*, actor, agency: Agency, uploaded_file) -> ImportJob:
    """Checks who uploads and the file (ValidationError with a clear message for an empty,
    too large, binary or undecodable file), saves the job and enqueues its import once the
    transaction commits. Follow the returned job's status, progress and errors."""
    if not can_manage_personnel(actor, agency):
        raise PermissionDenied(_("You may not change the personnel of this agency."))
    return import_job_create(
        kind=ImportJob.Kind.PERSONNEL, actor=actor, agency=agency, uploaded_file=uploaded_file
    )


@dataclass
class PlannedRow:
    row: int
    identity: tuple[Country, str, str]
    fields: dict
    trainee: Trainee | None = None  # the matched officer, None to create
    changes: dict = field(default_factory=dict)


class PersonnelImport:
    """Validates a personnel sheet for one agency, then writes it."""

    def __init__(self, *, actor, agency: Agency, source_name: str = ""):
        self.actor, self.agency, self.source_name = actor, agency, source_name
        self.plan: list[PlannedRow] = []

    def validate(self, table: Table, *, progress: Callable[[int], None] = lambda n: None) -> list[dict]:
        aliases = column_aliases(PERSONNEL_COLUMNS)
        labels = {key: column_label(key) for key in PERSONNEL_COLUMNS}
        positions, problems = map_columns(
            table.headers, aliases=aliases, required=REQUIRED_COLUMNS, labels=labels
        )
        if problems:
            return [row_error(table.header_row, problem) for problem in problems]

        identities = Identities()
        units = {}
        for unit in Unit.objects.filter(agency=self.agency):
            units.setdefault(normalize_word(unit.name), unit)
            units[unit.name] = unit
        errors: list[dict] = []
        parsed: list[PlannedRow] = []
        for count, (number, cells) in enumerate(table.rows, start=1):
            planned, row_errors = self._parse_row(number, cells, positions, identities, units)
            errors.extend(row_error(number, message, column) for column, message in row_errors)
            if planned is not None:
                parsed.append(planned)
            if count % PROGRESS_EVERY == 0:
                progress(count)
        errors.extend(self._match(parsed))
        if not errors:
            self.plan = [planned for planned in parsed if planned.trainee is None or planned.changes]
            self.unchanged = len(parsed) - len(self.plan)
        return errors

    def _parse_row(self, number, cells, positions, identities, units):
        values, formulas = row_cells(cells, positions)
        errors: list[tuple[str, str]] = [
            (key, _("This cell holds a formula; only plain values can be imported.")) for key in formulas
        ]
        if errors:
            return None, errors
        identity = identities.resolve(values, errors)
        fields = {}
        for key in ("given_names", "first_surname", "second_surname", "badge_number", "rank", "phone"):
            if key in values:
                # The service keeps names as written, without surrounding or doubled spaces.
                fields[key] = " ".join(values[key].split())
        for key in ("given_names", "first_surname"):
            if not fields.get(key):
                errors.append((key, _("This column cannot be empty.")))
        if "email" in values:
            fields["email"] = values["email"].strip()
            if fields["email"]:
                try:
                    validate_email(fields["email"])
                except ValidationError:
                    errors.append(
                        ("email", _("%(value)s is not an e-mail address.") % {"value": fields["email"]})
                    )
        for key, limit in MAX_LENGTHS.items():
            if len(fields.get(key, "")) > limit:
                errors.append((key, _("This value is longer than %(limit)s characters.") % {"limit": limit}))
        if "sex" in values:
            raw = values["sex"]
            fields["sex"] = SEX_ALIASES.get(normalize_word(raw)) if raw else ""
            if fields["sex"] is None:
                errors.append(("sex", _("Write F, M or leave it empty (not %(value)s).") % {"value": raw}))
        if "unit" in values:
            raw = values["unit"]
            fields["unit"] = (units.get(raw) or units.get(normalize_word(raw))) if raw else None
            if raw and fields["unit"] is None:
                names = sorted({unit.name for unit in units.values()})
                errors.append(
                    (
                        "unit",
                        _("The agency has no unit called %(value)s. Its units are: %(units)s.")
                        % {"value": raw, "units": ", ".join(names) or "—"},
                    )
                )
        if "date_of_birth" in values:
            try:
                born = parse_date(values["date_of_birth"])
            except ValueError:
                errors.append(
                    (
                        "date_of_birth",
                        _("%(value)s is not a date: write it as YYYY-MM-DD or DD/MM/YYYY.")
                        % {"value": values["date_of_birth"]},
                    )
                )
            else:
                if born and not (datetime.date(1900, 1, 1) <= born <= timezone.localdate()):
                    errors.append(("date_of_birth", _("The date of birth is not plausible.")))
                fields["date_of_birth"] = born
        if errors or identity is None:
            return None, errors
        return PlannedRow(row=number, identity=identity, fields=fields), errors

    def _match(self, parsed: list[PlannedRow]) -> list[dict]:
        """Duplicates inside the file, and against the registry; decides create or update."""
        errors = []
        keys = [(country.id, id_type, number) for country, id_type, number in (p.identity for p in parsed)]
        registered = existing_trainees(keys)
        badges = dict(
            self.agency.trainees.exclude(badge_number="").values_list("badge_number", "id").iterator()
        )
        seen_ids: dict[tuple, int] = {}
        seen_badges: dict[str, int] = {}
        for planned, key in zip(parsed, keys, strict=True):
            if key in seen_ids:
                errors.append(
                    row_error(
                        planned.row,
                        _("The same ID is already in row %(row)s.") % {"row": seen_ids[key]},
                        "id_number",
                    )
                )
                continue
            seen_ids[key] = planned.row
            trainee = registered.get(key)
            if trainee is not None and trainee.agency_id != self.agency.id:
                # Which agency is not said: the uploader may not see the other agency's roster.
                errors.append(
                    row_error(
                        planned.row,
                        _(
                            "This ID is registered to an officer of another agency. A program "
                            "administrator can transfer the officer."
                        ),
                        "id_number",
                    )
                )
                continue
            badge = planned.fields.get("badge_number", trainee.badge_number if trainee else "")
            if badge:
                if badge in seen_badges:
                    errors.append(
                        row_error(
                            planned.row,
                            _("The same badge number is already in row %(row)s.")
                            % {"row": seen_badges[badge]},
                            "badge_number",
                        )
                    )
                    continue
                seen_badges[badge] = planned.row
                holder = badges.get(badge)
                if holder is not None and holder != (trainee.id if trainee else None):
                    errors.append(
                        row_error(
                            planned.row,
                            _("The badge number %(badge)s belongs to another officer of this agency.")
                            % {"badge": badge},
                            "badge_number",
                        )
                    )
                    continue
            planned.trainee = trainee
            if trainee is not None:
                planned.changes = {
                    name: value for name, value in planned.fields.items() if getattr(trainee, name) != value
                }
        return errors

    def apply(self) -> dict:
        """Writes the validated plan; the caller holds the transaction (all or nothing).
        New officers are created in bulk; changed ones one by one (each records its changes)."""
        reason = _("Imported from %(file)s") % {"file": self.source_name}
        new = [planned for planned in self.plan if planned.trainee is None]
        rows = []
        for planned in new:
            country, id_type, number = planned.identity
            rows.append({"id_country": country, "id_type": id_type, "id_number": number, **planned.fields})
        try:
            trainee_create_many(actor=self.actor, agency=self.agency, rows=rows)
        except RowInvalid as exc:
            raise RowError(new[exc.index].row, exc.messages) from exc
        except IntegrityError as exc:
            raise RowError(
                None, [_("Another record with this ID or badge number was saved meanwhile.")]
            ) from exc
        created, updated = len(new), 0
        for planned in self.plan:
            if planned.trainee is None:
                continue
            try:
                trainee_update(actor=self.actor, trainee=planned.trainee, reason=reason, **planned.changes)
                updated += 1
            except ValidationError as exc:
                raise RowError(planned.row, exc.messages) from exc
            except IntegrityError as exc:
                raise RowError(
                    planned.row, [_("Another record with this ID or badge number was saved meanwhile.")]
                ) from exc
        return {"created": created, "updated": updated, "unchanged": self.unchanged}
