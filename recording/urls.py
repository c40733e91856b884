from django.urls import path

from . import views

app_name = "recording"
urlpatterns = [
    path("<int:pk>/case-notes/new", views.case_note_add, name="case_note_add"),
    path("<int:pk>/chronology/<int:entry_id>", views.chronology_entry, name="entry"),
    path("<int:pk>/chronology/<int:entry_id>/correct", views.entry_correct, name="correct"),
]
