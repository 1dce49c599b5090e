"""The access layer: who may see which registry rows. Every view, export and admin screen
that shows agency data asks here. A row outside a user's scope does not exist for them (404).

- program administrators: everything;
- agency heads and coordinators: their own agency (and its units);
- instructors: the trainees of the classes they teach (the courses app registers that scope,
  since this app must not import it);
- a trainee: only themself.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Agency, AgencyStaff, ImportJob, Trainee, Unit, VettingRecord
from .roles import is_program_admin

# Extra scopes of trainees, added by apps that know more (e.g. instructors' classes).
TraineeScope = Callable[[object], Q]
_trainee_scopes: list[TraineeScope] = []


def register_trainee_scope(scope: TraineeScope) -> None:
    if scope not in _trainee_scopes:
        _trainee_scopes.append(scope)


def managed_agency_ids(user) -> list[int]:
    """Agencies whose personnel the user manages as head or coordinator (read once per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_carsi_agency_ids", None)
    if cached is None:
        cached = list(AgencyStaff.objects.filter(user=user).values_list("agency_id", flat=True))
        user._carsi_agency_ids = cached
    return cached


def agencies_visible_to(user) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("country")
    if is_program_admin(user):
        return agencies
    return agencies.filter(id__in=managed_agency_ids(user))


def units_visible_to(user) -> QuerySet[Unit]:
    units = Unit.objects.select_related("agency")
    if is_program_admin(user):
        return units
    return units.filter(agency_id__in=managed_agency_ids(user))


def trainees_visible_to(user) -> QuerySet[Trainee]:
    trainees = Trainee.objects.select_related("agency__country", "unit", "id_country")
    if not user.is_authenticated:
        return trainees.none()
    if is_program_admin(user):
        return trainees
    scope = Q(agency_id__in=managed_agency_ids(user)) | Q(user=user)
    for extra in _trainee_scopes:
        scope |= extra(user)
    return trainees.filter(scope)


def vetting_records_visible_to(user) -> QuerySet[VettingRecord]:
    records = VettingRecord.objects.select_related("trainee", "unit", "recorded_by")
    if is_program_admin(user):
        return records
    agencies = managed_agency_ids(user)
    return records.filter(Q(trainee__agency_id__in=agencies) | Q(unit__agency_id__in=agencies))


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """Jobs a user may follow: administrators all; agency staff their agency's (vetting jobs,
    which have no agency, stay with the administrators)."""
    jobs = ImportJob.objects.select_related("agency", "uploaded_by")
    if is_program_admin(user):
        return jobs
    return jobs.filter(agency_id__in=managed_agency_ids(user))


def can_manage_personnel(user, agency: Agency) -> bool:
    """Add, edit, import, transfer or separate officers of `agency`."""
    return is_program_admin(user) or agency.id in managed_agency_ids(user)


def can_record_vetting(user) -> bool:
    return is_program_admin(user)


def get_or_404(queryset: QuerySet, **lookup):
    """The canonical getter: a row outside the caller's scope answers 404, never 403."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def certificates_visible_to(user) -> QuerySet:
    """Administrators every certificate; agency heads and coordinators those of their agency's
    current officers (a transferred officer's certificates move with them); an officer their own."""
    from .models import Certificate

    certificates = Certificate.objects.select_related("trainee__agency__country", "credential", "agency")
    if not user.is_authenticated:
        return certificates.none()
    if is_program_admin(user):
        return certificates
    return certificates.filter(Q(trainee__agency_id__in=managed_agency_ids(user)) | Q(trainee__user=user))
