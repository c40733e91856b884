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
    path("<int:pk>/access-log", views.access_log, name="access_log"),
]
