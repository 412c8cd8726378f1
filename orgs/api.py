"""Read-only JSON API (placeholder: the open-data work fills it)."""

app_name = "api"
urlpatterns = []
