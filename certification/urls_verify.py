from django.urls import path

from . import views_verify

app_name = "verify"
urlpatterns = [
    path("", views_verify.verify_form, name="form"),
    path("<str:code>/", views_verify.verify_detail, name="detail"),
]
