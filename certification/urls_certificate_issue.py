"""Manual issue and training done elsewhere, by program administrators (included by urls.py)."""

from django.urls import path

from . import views_certificate_issue

urlpatterns: list = [
    path("certificates/issue/", views_certificate_issue.certificate_issue_page, name="certificate_issue"),
]
