"""The registry in the Wagtail admin: one "Registry" menu for program administrators."""

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from .admin_policies import AppendOnlyPolicy, ProgramAdminPolicy, ReadOnlyPolicy
from .models import (
    Agency,
    AgencyStaff,
    Certificate,
    Country,
    Credential,
    CredentialSignatory,
    Unit,
    VettingRecord,
)
from .roles import is_program_admin
from .services import agency_staff_assign
from .services_vetting import vetting_record_add

for model in (Country, Agency, Unit, AgencyStaff, Credential, CredentialSignatory):
    register_permission_policy(model, ProgramAdminPolicy(model))
register_permission_policy(VettingRecord, AppendOnlyPolicy(VettingRecord))
# Certificates change only through their services (issue, suspend, revoke): read-only here.
register_permission_policy(Certificate, ReadOnlyPolicy(Certificate))


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
        return agency_staff_assign(user=data["user"], agency=data["agency"], role=data["role"])


class AgencyStaffViewSet(ModelViewSet):
    url_prefix = "registry/staff-roles"
    url_namespace = "registry_staff_roles"
    model = AgencyStaff
    icon = "user"
    menu_label = _("Agency staff roles")
    add_view_class = AgencyStaffCreateView
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency__country"]
    search_fields = ["user__email", "agency__acronym"]
    form_fields = ["user", "agency", "role"]
    inspect_view_enabled = True
    copy_view_enabled = False


class VettingRecordCreateView(CreateView):
    """Unit vetting is recorded here; an officer's from their personnel page."""

    def save_instance(self):
        data = self.form.cleaned_data
        return vetting_record_add(actor=self.request.user, **data)


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

    def get_queryset(self, request):
        return VettingRecord.objects.select_related("trainee", "unit__agency__country")


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

    def get_queryset(self, request):
        return Certificate.objects.select_related("trainee", "credential", "agency__country")


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
    items = (CountryViewSet, AgencyViewSet, UnitViewSet, AgencyStaffViewSet, VettingRecordViewSet)


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryGroup()


@hooks.register("register_admin_viewset")
def register_certification_viewsets():
    return CertificationGroup()
