"""Certificate batches: issue a class session's certificates, ZIP downloads (included by urls.py)."""

urlpatterns: list = []
