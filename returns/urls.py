"""Pages of the returns app: producing the statutory returns and the data quality list."""

from django.urls import URLPattern

app_name = "returns"

urlpatterns: list[URLPattern] = []
