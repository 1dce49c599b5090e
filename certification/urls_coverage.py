"""URLs of the coverage pages (appended to certification/urls.py, namespace registry)."""

urlpatterns: list = []
