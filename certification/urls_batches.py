"""Certificate batches: issue a class session's certificates, ZIP downloads (included by urls.py,
so under /<lang>/agency/). A session's batch pages sit under sessions/ and, like the session's
roster pages under /training/sessions/, are for program administrators only."""

from django.urls import path

from . import views_batches

urlpatterns = [
    path(
        "sessions/<int:session_id>/certificates/issue/",
        views_batches.batch_session_issue,
        name="batch_session_issue",
    ),
    path(
        "sessions/<int:session_id>/certificates/zip/",
        views_batches.batch_session_zip,
        name="batch_session_zip",
    ),
    path("<int:agency_id>/certificates/zip/", views_batches.batch_agency_zip, name="batch_agency_zip"),
    path("certificate-batches/<int:batch_id>/", views_batches.batch_detail, name="batch_detail"),
    path("certificate-batches/<int:batch_id>/status.json", views_batches.batch_status, name="batch_status"),
    path("certificate-batches/<int:batch_id>/download/", views_batches.batch_download, name="batch_download"),
]
