"""URLs of the practicals screens (being written)."""

app_name = "practicals"
urlpatterns: list = []
