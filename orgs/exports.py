"""CSV and HXL exports (placeholder: the open-data work fills it)."""

app_name = "exports"
urlpatterns = []
