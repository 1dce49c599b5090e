"""URLs of the transcript pages (appended to certification/urls.py, namespace registry)."""

from django.urls import path

from . import views_transcript

urlpatterns: list = [
    path("personnel/<int:trainee_id>/transcript/", views_transcript.transcript, name="transcript"),
    path("personnel/<int:trainee_id>/transcript.pdf", views_transcript.transcript_pdf, name="transcript_pdf"),
]
