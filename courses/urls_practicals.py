"""URLs of the practical-evaluation screens (mounted at /<lang>/practicals/)."""

from django.urls import path

from . import views_practicals as views

app_name = "practicals"
urlpatterns = [
    path("sessions/<int:session_id>/", views.session_sheets, name="session"),
    path(
        "sessions/<int:session_id>/sheets/<int:sheet_id>/enrollments/<int:enrollment_id>/",
        views.score_trainee,
        name="score",
    ),
    path("courses/<int:course_id>/sheets/new/", views.sheet_new, name="sheet_new"),
    path("sheets/<int:sheet_id>/edit/", views.sheet_edit, name="sheet_edit"),
]
