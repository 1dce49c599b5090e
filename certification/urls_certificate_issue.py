"""Manual issue and training done elsewhere, by program administrators (included by urls.py)."""

urlpatterns: list = []
