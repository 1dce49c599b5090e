from django.urls import path

from . import (
    urls_batches,
    urls_certificate_issue,
    urls_coverage,
    urls_roster_export,
    urls_transcript,
    views,
    views_certificates,
    views_exchange,
    views_roster,
)

app_name = "registry"
urlpatterns = [
    path("", views.agency_index, name="agency_index"),
    path("<int:agency_id>/personnel/", views.personnel_list, name="personnel_list"),
    path("<int:agency_id>/roster/", views_roster.roster, name="roster"),
    path("<int:agency_id>/requirements/", views_roster.requirements, name="requirements"),
    path("<int:agency_id>/personnel/new/", views.personnel_create, name="personnel_create"),
    path("personnel/<int:trainee_id>/", views.personnel_detail, name="personnel_detail"),
    path("personnel/<int:trainee_id>/edit/", views.personnel_edit, name="personnel_edit"),
    path("personnel/<int:trainee_id>/transfer/", views.personnel_transfer, name="personnel_transfer"),
    path("personnel/<int:trainee_id>/status/", views.personnel_status, name="personnel_status"),
    path("personnel/<int:trainee_id>/vetting/", views.personnel_vetting, name="personnel_vetting"),
    path(
        "<int:agency_id>/personnel/export.<str:fmt>", views_exchange.personnel_export, name="personnel_export"
    ),
    path("<int:agency_id>/personnel/import/", views_exchange.personnel_import, name="personnel_import"),
    path("imports/<int:job_id>/", views_exchange.import_job, name="import_job"),
    path("samples/personnel-<str:variant>.csv", views_exchange.personnel_sample, name="personnel_sample"),
    path(
        "vetting/awaiting.<str:fmt>", views_exchange.vetting_awaiting_export, name="vetting_awaiting_export"
    ),
    path("vetting/import/", views_exchange.vetting_import, name="vetting_import"),
    path(
        "certificates/<int:certificate_id>/", views_certificates.certificate_detail, name="certificate_detail"
    ),
    path(
        "certificates/<int:certificate_id>/pdf/", views_certificates.certificate_pdf, name="certificate_pdf"
    ),
    path(
        "certificates/<int:certificate_id>/evidence/",
        views_certificates.certificate_evidence,
        name="certificate_evidence",
    ),
]
for extra in (urls_batches, urls_certificate_issue, urls_roster_export, urls_transcript, urls_coverage):
    urlpatterns += extra.urlpatterns
