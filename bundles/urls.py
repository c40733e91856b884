"""The bundles' pages, under a person's record."""

from django.urls import path

from . import views

app_name = "bundles"
urlpatterns = [
    path("people/<int:pk>/bundles", views.bundle_list, name="list"),
    path("people/<int:pk>/bundles/new", views.bundle_new, name="new"),
    path("people/<int:pk>/bundles/<int:bundle_id>", views.bundle_page, name="bundle"),
    path("people/<int:pk>/bundles/<int:bundle_id>/status", views.bundle_status, name="status"),
    path("people/<int:pk>/bundles/<int:bundle_id>/bundle.pdf", views.bundle_download, name="download"),
]
