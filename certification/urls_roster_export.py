"""URLs of the roster export pages (appended to certification/urls.py, namespace registry)."""

from django.urls import path

from . import views_roster_export

urlpatterns: list = [
    path("<int:agency_id>/roster/export.<str:fmt>", views_roster_export.roster_export, name="roster_export"),
]
