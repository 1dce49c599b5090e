"""URLs of the exams screens (being written)."""

app_name = "exams"
urlpatterns: list = []
