from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("search", views.search, name="search"),
    path("new", views.person_create, name="create"),
    path("<int:pk>", views.person_detail, name="detail"),
    path("<int:pk>/edit", views.person_edit, name="edit"),
    path("<int:pk>/warnings/new", views.warning_add, name="warning_add"),
    path("<int:pk>/relationships/new", views.relationship_add, name="relationship_add"),
    path("<int:pk>/identifiers", views.identifiers, name="identifiers"),
    path("<int:pk>/identifiers/new", views.identifier_add, name="identifier_add"),
    path("<int:pk>/identifiers/<int:identifier_id>/correct", views.identifier_correct, name="identifier_correct"),
    path("<int:pk>/identifiers/<int:identifier_id>/end", views.identifier_end, name="identifier_end"),
    path("<int:pk>/addresses/new", views.address_add, name="address_add"),
    path("<int:pk>/addresses/<int:address_id>/correct", views.address_correct, name="address_correct"),
    path("<int:pk>/access-log", views.access_log, name="access_log"),
]
