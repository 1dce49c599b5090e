from django.urls import path

from . import views_verify

app_name = "api"
urlpatterns = [
    path("verify/<str:code>/", views_verify.verify_api, name="verify"),
]
