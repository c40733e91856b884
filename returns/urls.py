"""Pages of the returns app: producing the statutory returns and the data quality list."""

from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:run_id>", views.run_detail, name="run"),
    path("runs/<int:run_id>/status", views.run_status, name="run_status"),
    path("runs/<int:run_id>/files/<int:file_id>", views.download, name="download"),
    path("data-quality", views.data_quality, name="data_quality"),
]
