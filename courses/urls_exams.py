"""URLs of the exams screens: a trainee's exam, attempt, autosave, submission and result; the
instructors' class results, item analysis (and its CSV) and the grading of an attempt."""

from django.urls import path

from . import views_exams as views

app_name = "exams"
urlpatterns = [
    path("<int:exam_id>/", views.exam_detail, name="exam_detail"),
    path("<int:exam_id>/start/", views.exam_start, name="exam_start"),
    path("<int:exam_id>/analysis/", views.exam_analysis, name="exam_analysis"),
    path("<int:exam_id>/analysis.csv", views.exam_analysis_csv, name="exam_analysis_csv"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit_view, name="attempt_submit"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"),
    path("attempts/<int:attempt_id>/grade/", views.attempt_grade, name="attempt_grade"),
    path("sessions/<int:session_id>/results/", views.session_results, name="session_results"),
]
