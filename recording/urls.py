from django.urls import path

from . import views

app_name = "recording"
urlpatterns = [
    path("<int:pk>/case-notes/new", views.case_note_add, name="case_note_add"),
]
