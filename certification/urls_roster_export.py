"""URLs of the roster export pages (appended to certification/urls.py, namespace registry)."""

urlpatterns: list = []
