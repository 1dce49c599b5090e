"""The registry in the Wagtail admin: one "Registry" menu for program administrators."""

import datetime
import json

import django_filters
from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from django.http import Http404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from .admin_policies import AppendOnlyPolicy, ProgramAdminPolicy, ReadOnlyPolicy
from .models import (
    Agency,
    AgencyStaff,
    AuditEntry,
    Certificate,
    Country,
    Credential,
    CredentialSignatory,
    Unit,
    VettingRecord,
)
from .roles import is_program_admin
from .services import agency_staff_assign, agency_staff_remove
from .services_audit import audit_record
from .services_vetting import vetting_record_add
from .tabular import neutralise

for model in (Country, Agency, Unit, AgencyStaff, Credential, CredentialSignatory):
    register_permission_policy(model, ProgramAdminPolicy(model))
register_permission_policy(VettingRecord, AppendOnlyPolicy(VettingRecord))
# Certificates change only through their services (issue, suspend, revoke): read-only here.
register_permission_policy(Certificate, ReadOnlyPolicy(Certificate))
# The audit trail is only ever appended to, by the services: program administrators read it.
register_permission_policy(AuditEntry, ReadOnlyPolicy(AuditEntry))


class CountryViewSet(ModelViewSet):
    url_prefix = "registry/countries"
    url_namespace = "registry_countries"
    model = Country
    icon = "site"
    menu_label = _("Countries")
    list_display = ["code", "name_es", "name_en", "national_id_name", "national_id_example"]
    search_fields = ["code", "name_es", "name_en"]
    form_fields = [
        "code",
        "name_es",
        "name_en",
        "national_id_name",
        "national_id_pattern",
        "national_id_separator",
        "national_id_example",
    ]
    inspect_view_enabled = True
    copy_view_enabled = False


class AgencyViewSet(ModelViewSet):
    url_prefix = "registry/agencies"
    url_namespace = "registry_agencies"
    model = Agency
    icon = "group"
    menu_label = _("Agencies")
    list_display = ["acronym", "name_es", "name_en", "country", "kind", "time_zone"]
    list_filter = ["country", "kind"]
    search_fields = ["acronym", "name_es", "name_en"]
    form_fields = [
        "country",
        "acronym",
        "kind",
        "name_es",
        "name_en",
        "time_zone",
        "verification_name",
        "english_first",
    ]
    inspect_view_enabled = True
    copy_view_enabled = False


class UnitViewSet(ModelViewSet):
    url_prefix = "registry/units"
    url_namespace = "registry_units"
    model = Unit
    icon = "folder-open-1"
    menu_label = _("Units")
    list_display = ["name", "code", "agency"]
    list_filter = ["agency__country", "agency"]
    search_fields = ["name", "code"]
    form_fields = ["agency", "name", "code"]
    inspect_view_enabled = True
    copy_view_enabled = False


class AgencyStaffCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return agency_staff_assign(
            actor=self.request.user, user=data["user"], agency=data["agency"], role=data["role"]
        )


class AgencyStaffEditView(EditView):
    """Only the role changes here (someone's role at another agency is a new role): audited."""

    def save_instance(self):
        staff = self.object
        return agency_staff_assign(
            actor=self.request.user, user=staff.user, agency=staff.agency, role=self.form.cleaned_data["role"]
        )


class AgencyStaffDeleteView(DeleteView):
    def delete_action(self):
        agency_staff_remove(actor=self.request.user, staff=self.object)


class AgencyStaffViewSet(ModelViewSet):
    url_prefix = "registry/staff-roles"
    url_namespace = "registry_staff_roles"
    model = AgencyStaff
    icon = "user"
    menu_label = _("Agency staff roles")
    add_view_class = AgencyStaffCreateView
    edit_view_class = AgencyStaffEditView
    delete_view_class = AgencyStaffDeleteView
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency__country"]
    search_fields = ["user__email", "agency__acronym"]
    form_fields = ["user", "agency", "role"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        if for_update:
            return modelform_factory(
                AgencyStaff, formfield_callback=self.formfield_for_dbfield, fields=["role"]
            )
        return super().get_form_class(for_update=for_update)


class VettingRecordCreateView(CreateView):
    """Unit vetting is recorded here; an officer's from their personnel page."""

    def save_instance(self):
        data = self.form.cleaned_data
        return vetting_record_add(actor=self.request.user, **data)


class VettingRecordIndexView(IndexView):
    def get_base_queryset(self):
        # What each row shows, read with the page (Wagtail's viewsets take no get_queryset).
        return super().get_base_queryset().select_related("trainee", "unit__agency__country")


class VettingRecordViewSet(ModelViewSet):
    url_prefix = "registry/vetting"
    url_namespace = "registry_vetting"
    model = VettingRecord
    icon = "tick-inverse"
    menu_label = _("Vetting records")
    add_view_class = VettingRecordCreateView
    list_display = [
        "subject",
        "status",
        "decided_on",
        "valid_until",
        "case_reference",
        "recorded_at",
    ]
    list_filter = ["status", "decided_on", "valid_until"]
    search_fields = ["case_reference", "trainee__search_text", "unit__name"]
    form_fields = ["unit", "status", "decided_on", "valid_until", "case_reference", "notes"]
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50
    index_view_class = VettingRecordIndexView


class CredentialViewSet(ModelViewSet):
    url_prefix = "certification/credentials"
    url_namespace = "certification_credentials"
    model = Credential
    icon = "pick"
    menu_label = _("Credentials")
    list_display = ["code", "name_es", "name_en", "validity_months", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_es", "name_en"]
    form_fields = [
        "code",
        "name_es",
        "name_en",
        "description_es",
        "description_en",
        "validity_months",
        "is_active",
    ]
    inspect_view_enabled = True
    copy_view_enabled = False


class CredentialSignatoryViewSet(ModelViewSet):
    url_prefix = "certification/signatories"
    url_namespace = "certification_signatories"
    model = CredentialSignatory
    icon = "edit"
    menu_label = _("Signatories")
    list_display = ["name", "credential", "position", "title_es"]
    list_filter = ["credential"]
    search_fields = ["name", "title_es", "title_en"]
    form_fields = ["credential", "position", "name", "title_es", "title_en", "signature"]
    inspect_view_enabled = True
    copy_view_enabled = False


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("trainee", "credential", "agency__country")

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if is_program_admin(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Issue a certificate"), url=reverse("registry:certificate_issue"), icon_name="plus"
                )
            )
        return buttons


class CertificateViewSet(ModelViewSet):
    url_prefix = "certification/certificates"
    url_namespace = "certification_certificates"
    model = Certificate
    icon = "doc-full-inverse"
    menu_label = _("Certificates")
    list_display = ["serial", "trainee", "credential", "status", "issued_on", "expires_on", "agency"]
    list_filter = ["status", "source", "credential", "agency__country", "issued_on", "expires_on"]
    search_fields = ["serial", "verification_code", "trainee__search_text"]
    form_fields = ["status"]  # never saved: the policy forbids changes
    index_view_class = CertificateIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_per_page = 50


class ActorChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        if isinstance(obj, str):  # the "nobody" choice, as Wagtail's active filters name it
            return _("Nobody (the system)")
        return obj.email or obj.get_username()


class ActorFilter(django_filters.ModelChoiceFilter):
    field_class = ActorChoiceField


class AuditEntryFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AuditEntry.Action.choices, empty_label=_("All")
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"),
        queryset=Agency.objects.select_related("country").order_by("country__code", "acronym"),
        empty_label=_("All"),
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    actor = ActorFilter(
        label=_("Who"),
        queryset=get_user_model().objects.none(),  # those who appear in the trail: see __init__
        empty_label=_("Anyone"),
        null_label=_("Nobody (the system)"),
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "agency", "created_at", "actor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        acted = AuditEntry.objects.filter(actor__isnull=False).values("actor_id")
        self.filters["actor"].queryset = get_user_model().objects.filter(pk__in=acted).order_by("email")


def _who(entry: AuditEntry) -> str:
    return entry.actor_email or _("Nobody (the system)")


def _not_here(request, *args, **kwargs):
    raise Http404


class AuditEntryIndexView(IndexView):
    """The trail, newest first, filtered and searched; exported (CSV, XLSX) as filtered. An
    export is itself audited. Cells a spreadsheet would run as formulas are neutralised."""

    export_headings = {
        "created_at": _("When (UTC)"),
        "actor_email": _("Who"),
        "action": _("Action"),
        "action_code": _("Action code"),
        "agency": _("Agency"),
        "target": _("What"),
        "details": _("Details"),
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("agency__country")

    def to_row_dict(self, item):
        return {
            "created_at": item.created_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "actor_email": item.actor_email,
            "action": str(item.get_action_display()),
            "action_code": item.action,
            "agency": str(item.agency) if item.agency_id else "",
            "target": item.target,
            "details": json.dumps(item.details, ensure_ascii=False, sort_keys=True),
        }

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))

    def as_spreadsheet(self, queryset, spreadsheet_format):
        filters = {k: v for k, v in self.request.GET.items() if k not in ("export", "p") and v}
        audit_record(
            actor=self.request.user,
            action=AuditEntry.Action.AUDIT_EXPORT,
            target=str(_("Audit trail")),
            details={"format": spreadsheet_format, "filters": filters},
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


class AuditEntryViewSet(ModelViewSet):
    """Read-only: no add, edit or delete view exists (their URLs answer 404), and the policy
    gives nobody those permissions, so no button offers them."""

    url_prefix = "registry/audit-trail"
    url_namespace = "registry_audit"
    model = AuditEntry
    icon = "history"
    menu_label = _("Audit trail")
    index_view_class = AuditEntryIndexView
    filterset_class = AuditEntryFilterSet
    search_fields = ["actor_email", "target"]
    list_per_page = 50
    list_export = ["created_at", "actor_email", "action", "action_code", "agency", "target", "details"]
    export_filename = "audit-trail"
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = ["created_at", "actor_email", "action", "agency", "target", "details"]

    @cached_property
    def list_display(self):
        return [
            "created_at",
            Column(
                "who", label=_("Who"), accessor=lambda entry: entry.actor_email or _("Nobody (the system)")
            ),
            "action",
            "agency",
            "target",
        ]

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
            # Never changed here: named so Wagtail can reverse them, and answering 404.
            path("new/", _not_here, name="add"),
            path(f"edit/<{conv}:pk>/", _not_here, name="edit"),
            path(f"delete/<{conv}:pk>/", _not_here, name="delete"),
            path(f"history/<{conv}:pk>/", _not_here, name="history"),
            path(f"history-results/<{conv}:pk>/", _not_here, name="history_results"),
            path(f"usage/<{conv}:pk>/", _not_here, name="usage"),
        ]


class IssueCertificateMenuItem(MenuItem):
    """The manual issue page lives on the site (/<lang>/agency/certificates/issue/), in the
    language the administrator is using the admin in; only program administrators see it."""

    def __init__(self, order):
        super().__init__(
            _("Issue a certificate"), "", name="issue-certificate", icon_name="plus", order=order
        )

    def is_shown(self, request):
        return is_program_admin(request.user)

    def render_component(self, request):
        # The URL is reversed per request (its language prefix); menu items are shared.
        return LinkMenuItemComponent(
            self.name, self.label, reverse("registry:certificate_issue"), icon_name=self.icon_name
        )


class CertificationGroup(ModelViewSetGroup):
    menu_label = _("Certification")
    menu_icon = "pick"
    menu_order = 310
    items = (CredentialViewSet, CredentialSignatoryViewSet, CertificateViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        return [*items, IssueCertificateMenuItem(order=len(items) + 1)]


class RegistryGroup(ModelViewSetGroup):
    menu_label = _("Registry")
    menu_icon = "folder-inverse"
    menu_order = 300
    items = (
        CountryViewSet,
        AgencyViewSet,
        UnitViewSet,
        AgencyStaffViewSet,
        VettingRecordViewSet,
        AuditEntryViewSet,
    )


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryGroup()


@hooks.register("register_admin_viewset")
def register_certification_viewsets():
    return CertificationGroup()
