"""URLs of the coverage pages (appended to certification/urls.py, namespace registry)."""

from django.urls import path

from . import views_coverage

urlpatterns: list = [
    path("<int:agency_id>/coverage/", views_coverage.coverage, name="coverage"),
    path("program/figures/", views_coverage.program_figures, name="program_figures"),
    path("program/funder-report.xlsx", views_coverage.funder_report, name="funder_report"),
]
