"""URLs of the transcript pages (appended to certification/urls.py, namespace registry)."""

urlpatterns: list = []
