from django.urls import path

from . import views_training as views

app_name = "training"
urlpatterns = [
    path("", views.my_training, name="my_training"),
    path("modules/<int:module_id>/complete/", views.module_mark_complete, name="module_complete"),
    path("agency/<int:agency_id>/", views.agency_nominations, name="agency_nominations"),
    path("queue/", views.nomination_queue_view, name="nomination_queue"),
]
