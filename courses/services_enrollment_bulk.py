"""Bulk enrolment: a program administrator enrols a list of officers in a class session from a
CSV or XLSX file.

The whole file is checked first and every problem is reported with the row number the
spreadsheet shows; nothing is written unless every row is good. Then, in one transaction with
the session's row locked, the state-dependent checks (active officer, not already in the
session or taking the course, vetting, capacity) run again and each officer gets a place
(`approved`, then `enrolled` when the session is in progress). Each step is recorded through
services_enrollment, so its e-mail leaves through Celery after commit.

Each row names one officer by national ID (`id_country`, optional `id_type`, `id_number`) or
by agency and badge number (`agency`, optional `agency_country`, `badge_number`); an optional
`language` column (es/en) chooses the language of the officer's messages. Headers may be in
English or Spanish; case, accents and spacing do not matter. Other columns (names, for the
reader) are ignored.
"""

import re
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certification.import_jobs import row_error
from certification.models import Agency, Country, Trainee
from certification.national_ids import normalize_id_number
from certification.personnel_exchange import ID_TYPE_ALIASES
from certification.roles import is_program_admin
from certification.selectors import vetting_eligibility
from certification.tabular import (
    check_upload,
    map_columns,
    normalize_header,
    normalize_word,
    read_table,
    row_cells,
)

from .models_enrollment import ClassSession, Enrollment
from .selectors_enrollment import places_taken
from .services_enrollment import _check_place, _enroll_if_started, _record

S = Enrollment.Status
SS = ClassSession.Status

# Sessions that take enrolments from a file.
TAKING_STATUSES = (SS.OPEN, SS.IN_PROGRESS)

BULK_COLUMNS = ("id_country", "id_type", "id_number", "agency", "agency_country", "badge_number", "language")
HEADERS_ES = {
    "id_country": "pais_documento",
    "id_type": "tipo_documento",
    "id_number": "numero_documento",
    "agency": "institucion",
    "agency_country": "pais_institucion",
    "badge_number": "placa",
    "language": "idioma",
}
EXTRA_ALIASES = {
    "pais": "id_country",
    "pais_del_documento": "id_country",
    "country": "id_country",
    "tipo_de_documento": "id_type",
    "numero_de_documento": "id_number",
    "no_documento": "id_number",
    "documento": "id_number",
    "national_id": "id_number",
    "agencia": "agency",
    "pais_de_la_institucion": "agency_country",
    "pais_agencia": "agency_country",
    "numero_de_placa": "badge_number",
    "badge": "badge_number",
    "lengua": "language",
}
COLUMN_LABELS = {
    "id_country": gettext_lazy("ID country"),
    "id_type": gettext_lazy("ID type"),
    "id_number": gettext_lazy("ID number"),
    "agency": gettext_lazy("agency"),
    "agency_country": gettext_lazy("agency country"),
    "badge_number": gettext_lazy("badge number"),
    "language": gettext_lazy("language"),
}
LANGUAGE_ALIASES = {
    "es": "es",
    "spa": "es",
    "espanol": "es",
    "spanish": "es",
    "castellano": "es",
    "en": "en",
    "eng": "en",
    "ingles": "en",
    "english": "en",
}
DEFAULT_LANGUAGE = "es"

# "PNC (GT)", "PNC - GT", "PNC/GT": an acronym with its country.
_AGENCY_WITH_COUNTRY = re.compile(r"^(?P<agency>.+?)\s*[(\-/\s]\s*(?P<code>[A-Za-z]{2})\)?$")


def column_aliases() -> dict[str, str]:
    """Normalised header text -> column key (English keys, Spanish headers and a few variants)."""
    aliases = {}
    for key in BULK_COLUMNS:
        aliases[normalize_header(key)] = key
        aliases[normalize_header(HEADERS_ES[key])] = key
    aliases.update(EXTRA_ALIASES)
    return aliases


def _column_label(key: str) -> str:
    return f"{key} ({COLUMN_LABELS[key]})"


@dataclass(frozen=True)
class PlannedEnrolment:
    """A row of the file that identifies an officer who may take a place."""

    row: int
    trainee: Trainee
    language: str


class BulkEnrolmentInvalid(ValidationError):
    """The file was refused; `errors` holds every problem as {"row", "column", "message"}
    (row None for the file as a whole). Nothing was written."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__([_format(error) for error in errors])


def _format(error: dict) -> str:
    if error["row"] is None:
        return error["message"]
    return _("Row %(row)s: %(message)s") % {"row": error["row"], "message": error["message"]}


def _require_admin(actor) -> None:
    if actor is None or not is_program_admin(actor):
        raise PermissionDenied(_("Only program administrators enrol officers from a file."))


# --- Validation ---------------------------------------------------------------------------------


def enrollment_bulk_validate(
    *, actor, session: ClassSession, uploaded_file
) -> tuple[list[PlannedEnrolment], list[dict]]:
    """Checks the whole file against the session without writing anything. Returns the
    planned enrolments (one per row, in file order) and every problem found, each as
    {"row", "column", "message"} (row None for the file as a whole), in row order; the plan is
    empty when there is any problem. PermissionDenied for anyone but a program administrator."""
    _require_admin(actor)
    session = ClassSession.objects.select_related("course").get(pk=session.pk)
    errors = _session_errors(session)
    if errors:
        return [], errors
    plan, errors, row_count = _read_plan(uploaded_file)
    if row_count:  # the file was read: check the officers found, and whether the file fits
        errors += _state_errors(session, plan, rows_in_file=row_count)
    errors.sort(key=lambda error: error["row"] or 0)
    return ([] if errors else plan), errors


def _session_errors(session: ClassSession) -> list[dict]:
    if session.status in TAKING_STATUSES:
        return []
    return [
        row_error(
            None,
            _("The session %(code)s does not take enrolments: it is %(status)s.")
            % {"code": session.code, "status": SS(session.status).label.lower()},
        )
    ]


def _read_plan(uploaded_file) -> tuple[list[PlannedEnrolment], list[dict], int]:
    """Reads the file and resolves each row to one officer: the file itself, its columns, each
    row's identity and duplicates (nothing that depends on the session). Returns the officers
    found, the problems and the number of data rows (0 when the file could not be read)."""
    try:
        kind = check_upload(uploaded_file)
        table = read_table(uploaded_file.read(), kind=kind)
    except ValidationError as error:
        return [], [row_error(None, message) for message in error.messages], 0
    finally:
        uploaded_file.seek(0)
    labels = {key: _column_label(key) for key in BULK_COLUMNS}
    positions, problems = map_columns(table.headers, aliases=column_aliases(), required=(), labels=labels)
    if "id_number" not in positions and not {"agency", "badge_number"} <= positions.keys():
        problems.append(
            _(
                "The file needs the column id_number (with id_country), or the columns agency and "
                "badge_number. The first row must hold the column names."
            )
        )
    if problems:
        return [], [row_error(table.header_row, problem) for problem in problems], 0
    if not table.rows:
        return [], [row_error(None, _("The file lists no officers."))], 0

    resolver = OfficerResolver()
    parsed = []
    errors: list[dict] = []
    for number, cells in table.rows:
        values, formulas = row_cells(cells, positions)
        row_errors: list[tuple[str, str]] = [
            (key, _("This cell holds a formula; only plain values can be imported.")) for key in formulas
        ]
        if not row_errors:
            language = _language(values, row_errors)
            request = resolver.request(values, row_errors)
        errors.extend(row_error(number, message, column) for column, message in row_errors)
        if not row_errors:
            parsed.append((number, request, language))
    resolver.fetch()

    plan = []
    seen: dict[int, int] = {}
    for number, request, language in parsed:
        row_errors = []
        trainee = resolver.resolve(request, row_errors)
        if trainee is not None and trainee.pk in seen:
            row_errors.append(
                (
                    request.column,
                    _("%(name)s is already in row %(row)s.")
                    % {"name": trainee.full_name, "row": seen[trainee.pk]},
                )
            )
        errors.extend(row_error(number, message, column) for column, message in row_errors)
        if trainee is not None and not row_errors:
            seen[trainee.pk] = number
            plan.append(PlannedEnrolment(row=number, trainee=trainee, language=language))
    return plan, errors, len(table.rows)


def _language(values: dict, errors: list) -> str:
    raw = values.get("language", "")
    if not raw:
        return DEFAULT_LANGUAGE
    language = LANGUAGE_ALIASES.get(normalize_word(raw))
    if language is None:
        errors.append(("language", _("Write es or en as the language (not %(value)s).") % {"value": raw}))
        return DEFAULT_LANGUAGE
    return language


@dataclass
class _Request:
    """How a row names its officer: the ID keys it may stand for, and/or an agency and badge."""

    column: str  # the column reported for problems with the officer
    id_keys: list[tuple[int, str, str]]
    id_text: str
    agency: Agency | None
    badge: str


class OfficerResolver:
    """Resolves the identity columns of rows to officers: rows are parsed first (`request`),
    then every officer is fetched in a few queries (`fetch`) and each row matched (`resolve`)."""

    def __init__(self):
        self.countries = list(Country.objects.all())
        self.country_names = {}
        for country in self.countries:
            for name in (country.code, country.name_es, country.name_en):
                self.country_names[normalize_word(name)] = country
        self.agencies: dict[str, list[Agency]] = {}
        for agency in Agency.objects.select_related("country"):
            for name in (agency.acronym, agency.name_es, agency.name_en):
                bucket = self.agencies.setdefault(normalize_word(name), [])
                if agency not in bucket:
                    bucket.append(agency)
        self.by_id: dict[tuple[int, str, str], Trainee] = {}
        self.by_badge: dict[tuple[int, str], Trainee] = {}
        self._numbers: set[str] = set()
        self._badges: set[tuple[int, str]] = set()

    # Parsing a row

    def request(self, values: dict, errors: list) -> _Request | None:
        number_text = values.get("id_number", "")
        badge = " ".join(values.get("badge_number", "").split())
        if not number_text and not badge:
            errors.append(
                (
                    "id_number",
                    _("Write the officer's ID (id_country and id_number) or agency and badge_number."),
                )
            )
            return None
        id_keys = self._id_keys(values, errors) if number_text else []
        agency = None
        if values.get("agency"):
            agency = self._agency(values["agency"], values, errors)
        elif not number_text:
            errors.append(("agency", _("Write the agency of the badge number.")))
        if errors:
            return None
        self._numbers.update(number for _country, _type, number in id_keys)
        if agency is not None and badge and not id_keys:
            self._badges.add((agency.pk, badge))
        column = "id_number" if number_text else "badge_number"
        return _Request(column=column, id_keys=id_keys, id_text=number_text, agency=agency, badge=badge)

    def _country(self, raw: str, column: str, errors: list) -> Country | None:
        country = self.country_names.get(normalize_word(raw))
        if country is None:
            errors.append(
                (
                    column,
                    _("Unknown country %(value)s: write its two-letter code, for example GT.")
                    % {"value": raw},
                )
            )
        return country

    def _id_keys(self, values: dict, errors: list) -> list[tuple[int, str, str]]:
        """The canonical (country, type, number) keys the ID may stand for: one when the country
        is written; without it, one per country whose format the number fits."""
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
            return []
        raw = values["id_number"]
        if values.get("id_country"):
            country = self._country(values["id_country"], "id_country", errors)
            if country is None:
                return []
            try:
                return [(country.pk, id_type, normalize_id_number(country=country, id_type=id_type, raw=raw))]
            except ValidationError as exc:
                errors.extend(("id_number", message) for message in exc.messages)
                return []
        keys = []
        for country in self.countries:
            try:
                keys.append(
                    (country.pk, id_type, normalize_id_number(country=country, id_type=id_type, raw=raw))
                )
            except ValidationError:
                continue
        if not keys:
            errors.append(
                (
                    "id_number",
                    _("%(value)s is not an ID number of any country we know: write the ID country too.")
                    % {"value": raw},
                )
            )
        return keys

    def _agency(self, raw: str, values: dict, errors: list) -> Agency | None:
        """An agency by acronym or name; "PNC (GT)" says the country too, and so may the
        agency_country column (or, failing both, id_country) when the acronym is ambiguous."""
        country = None
        if values.get("agency_country"):
            country = self._country(values["agency_country"], "agency_country", errors)
            if country is None:
                return None
        name = raw
        match = _AGENCY_WITH_COUNTRY.match(raw.strip())
        if match and not self.agencies.get(normalize_word(raw)):
            written = self.country_names.get(normalize_word(match["code"]))
            if written is not None and self.agencies.get(normalize_word(match["agency"])):
                if country is not None and country != written:
                    errors.append(
                        (
                            "agency_country",
                            _("The agency %(value)s is not of %(country)s.")
                            % {"value": raw, "country": country.code},
                        )
                    )
                    return None
                name, country = match["agency"], written
        candidates = self.agencies.get(normalize_word(name), [])
        if not candidates:
            errors.append(
                (
                    "agency",
                    _("Unknown agency %(value)s: write its acronym, for example PNC.") % {"value": raw},
                )
            )
            return None
        if country is None and len(candidates) > 1 and values.get("id_country"):
            country = self.country_names.get(normalize_word(values["id_country"]))
        if country is not None:
            candidates = [agency for agency in candidates if agency.country_id == country.pk]
            if not candidates:
                errors.append(
                    (
                        "agency",
                        _("%(country)s has no agency called %(value)s.")
                        % {"country": country.code, "value": raw},
                    )
                )
                return None
        if len(candidates) > 1:
            errors.append(
                (
                    "agency",
                    _(
                        "Several agencies are called %(value)s (%(agencies)s): "
                        "write the agency_country column too."
                    )
                    % {"value": raw, "agencies": ", ".join(str(agency) for agency in candidates)},
                )
            )
            return None
        return candidates[0]

    # Looking the officers up

    def fetch(self) -> None:
        trainees = Trainee.objects.select_related("agency__country", "unit")
        numbers = sorted(self._numbers)
        for start in range(0, len(numbers), 500):
            for trainee in trainees.filter(id_number__in=numbers[start : start + 500]):
                self.by_id[(trainee.id_country_id, trainee.id_type, trainee.id_number)] = trainee
        badges = sorted(self._badges)
        for start in range(0, len(badges), 200):
            query = Q()
            for agency_id, badge in badges[start : start + 200]:
                query |= Q(agency_id=agency_id, badge_number__iexact=badge)
            for trainee in trainees.filter(query):
                self.by_badge[(trainee.agency_id, trainee.badge_number.upper())] = trainee

    def resolve(self, request: _Request, errors: list) -> Trainee | None:
        if not request.id_keys:  # by agency and badge
            trainee = self.by_badge.get((request.agency.pk, request.badge.upper()))
            if trainee is None:
                errors.append(
                    (
                        "badge_number",
                        _("%(agency)s has no officer with badge number %(badge)s.")
                        % {"agency": request.agency, "badge": request.badge},
                    )
                )
            return trainee
        found = {self.by_id[key].pk: self.by_id[key] for key in request.id_keys if key in self.by_id}
        if not found:
            if len(request.id_keys) == 1:
                country = next(c for c in self.countries if c.pk == request.id_keys[0][0])
                message = _("No officer is registered with the ID %(number)s of %(country)s.") % {
                    "number": request.id_keys[0][2],
                    "country": country.code,
                }
            else:
                message = _("No officer is registered with the ID %(number)s.") % {"number": request.id_text}
            errors.append(("id_number", message))
            return None
        if len(found) > 1:
            errors.append(
                (
                    "id_number",
                    _("The ID %(number)s belongs to officers of several countries: write the ID country too.")
                    % {"number": request.id_text},
                )
            )
            return None
        trainee = next(iter(found.values()))
        # The row may name the officer twice (ID and badge): both must be the same officer.
        if request.agency is not None and trainee.agency_id != request.agency.pk:
            errors.append(
                (
                    "agency",
                    _("%(name)s is an officer of %(theirs)s, not of %(agency)s.")
                    % {"name": trainee.full_name, "theirs": trainee.agency, "agency": request.agency},
                )
            )
            return None
        if request.badge and trainee.badge_number.upper() != request.badge.upper():
            errors.append(
                (
                    "badge_number",
                    _(
                        "The badge number %(badge)s does not match the officer with this ID "
                        "(%(name)s, badge %(theirs)s)."
                    )
                    % {
                        "badge": request.badge,
                        "name": trainee.full_name,
                        "theirs": trainee.badge_number or "—",
                    },
                )
            )
            return None
        return trainee


def _state_errors(session: ClassSession, plan: list[PlannedEnrolment], *, rows_in_file: int) -> list[dict]:
    """What depends on the registry and the session now: active officers, not already in the
    session or taking the course, vetting (US-funded courses) and the places left."""
    errors = []
    trainee_ids = [planned.trainee.pk for planned in plan]
    in_session = dict(
        Enrollment.objects.filter(
            trainee_id__in=trainee_ids, session=session, status__in=Enrollment.LIVE_STATUSES
        ).values_list("trainee_id", "status")
    )
    taking = dict(
        Enrollment.objects.filter(
            trainee_id__in=trainee_ids,
            course_key=session.course_key,
            status__in=(S.NOMINATED, S.WAITLISTED, S.APPROVED, S.ENROLLED),
        )
        .exclude(session=session)
        .values_list("trainee_id", "session__code")
    )
    for planned in plan:
        trainee, name = planned.trainee, planned.trainee.full_name
        if trainee.status != Trainee.Status.ACTIVE:
            errors.append(
                row_error(
                    planned.row,
                    _("%(name)s is not an active officer (%(status)s).")
                    % {"name": name, "status": Trainee.Status(trainee.status).label.lower()},
                )
            )
            continue
        if trainee.pk in in_session:
            errors.append(
                row_error(
                    planned.row,
                    _("%(name)s is already in this session (%(status)s).")
                    % {"name": name, "status": S(in_session[trainee.pk]).label.lower()},
                )
            )
            continue
        if trainee.pk in taking:
            errors.append(
                row_error(
                    planned.row,
                    _("%(name)s is already nominated for or taking this course (%(where)s).")
                    % {"name": name, "where": taking[trainee.pk] or _("self-paced")},
                )
            )
            continue
        if session.course.us_funded:
            eligibility = vetting_eligibility(trainee=trainee, start=session.starts_on, end=session.ends_on)
            if not eligibility.eligible:
                errors.append(
                    row_error(
                        planned.row,
                        _("%(name)s cannot take part in this US-funded course: %(reason)s")
                        % {"name": name, "reason": eligibility.reason},
                    )
                )
    left = max(session.capacity - places_taken(session=session), 0)
    if rows_in_file > left:
        errors.append(
            row_error(
                None,
                _(
                    "Not enough places: the file lists %(count)s officers and the session %(code)s has "
                    "%(left)s of %(capacity)s places left. Nobody was enrolled."
                )
                % {"count": rows_in_file, "code": session.code, "left": left, "capacity": session.capacity},
            )
        )
    return errors


# --- Enrolment ----------------------------------------------------------------------------------


def enrollment_bulk_enrol(*, actor, session: ClassSession, uploaded_file) -> list[Enrollment]:
    """Enrols every officer of the file in the session, or none. Raises BulkEnrolmentInvalid
    (a ValidationError listing every problem by row) when any row is bad, PermissionDenied for
    anyone but a program administrator. The checks that depend on the registry run again in
    the writing transaction, under the session's row lock; e-mails leave after commit."""
    plan, errors = enrollment_bulk_validate(actor=actor, session=session, uploaded_file=uploaded_file)
    if errors:
        raise BulkEnrolmentInvalid(errors)
    reason = _("Bulk enrolment from %(file)s") % {"file": PurePath(uploaded_file.name or "").name or "—"}
    with transaction.atomic():
        locked = (
            ClassSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)
        )
        fresh = Trainee.objects.select_related("agency__country", "unit").in_bulk(
            [planned.trainee.pk for planned in plan]
        )
        plan = [
            PlannedEnrolment(row=planned.row, trainee=fresh[planned.trainee.pk], language=planned.language)
            for planned in plan
        ]
        errors = _session_errors(locked) or _state_errors(locked, plan, rows_in_file=len(plan))
        if errors:
            raise BulkEnrolmentInvalid(errors)
        created = [_enrol(planned, session=locked, actor=actor, reason=reason) for planned in plan]
    return created


def _enrol(planned: PlannedEnrolment, *, session: ClassSession, actor, reason: str) -> Enrollment:
    enrollment = Enrollment(
        trainee=planned.trainee,
        course_key=session.course_key,
        course=session.course,
        session=session,
        status=S.APPROVED,
        language=planned.language,
        nominated_by=None,
    )
    try:
        enrollment.full_clean(exclude=["course_key"], validate_constraints=False)
        _check_place(enrollment)  # the services' own check, counting the places just given
    except ValidationError as error:
        raise BulkEnrolmentInvalid([row_error(planned.row, message) for message in error.messages]) from error
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:  # a concurrent enrolment of the same officer
        raise BulkEnrolmentInvalid(
            [
                row_error(
                    planned.row,
                    _("%(name)s was enrolled in this session meanwhile.")
                    % {"name": planned.trainee.full_name},
                )
            ]
        ) from exc
    _record(enrollment, from_status="", actor=actor, reason=reason)
    _enroll_if_started(enrollment=enrollment)
    return enrollment
