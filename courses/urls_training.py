from django.urls import path

from . import views_bulk, views_classes
from . import views_training as views

app_name = "training"
urlpatterns = [
    path("", views.my_training, name="my_training"),
    path("modules/<int:module_id>/complete/", views.module_mark_complete, name="module_complete"),
    path("courses/<int:course_id>/enrol/", views.course_self_enrol, name="course_self_enrol"),
    path("agency/<int:agency_id>/", views.agency_nominations, name="agency_nominations"),
    path("queue/", views.nomination_queue_view, name="nomination_queue"),
    path("enrollments/<int:enrollment_id>/", views.enrollment_detail, name="enrollment_detail"),
    path("classes/", views_classes.my_classes, name="my_classes"),
    path("classes/new/", views_classes.session_new, name="session_new"),
    path("sessions/<int:session_id>/", views_classes.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", views_classes.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/status/", views_classes.session_status, name="session_status"),
    path(
        "sessions/<int:session_id>/attendance/", views_classes.session_attendance, name="session_attendance"
    ),
    path("sessions/<int:session_id>/bulk/", views_bulk.session_bulk_enrol, name="session_bulk_enrol"),
]
