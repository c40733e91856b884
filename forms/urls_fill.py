"""The worker's pages for filling in a form (forms/views_fill.py), under /forms/."""

from django.urls import path

from . import views_fill

urlpatterns = [
    path("people/<int:pk>/", views_fill.person_forms, name="person_forms"),
    path("people/<int:pk>/<slug:name>/start", views_fill.start, name="start"),
    path("people/<int:pk>/record-a-visit", views_fill.record_with_form, {"key": "visit"}, name="record_visit"),
    path("people/<int:pk>/add-a-case-note", views_fill.record_with_form, {"key": "case_note"}, name="record_case_note"),
    path("people/<int:pk>/drafts/<int:draft_id>/", views_fill.resume, name="resume"),
    path("people/<int:pk>/drafts/<int:draft_id>/check", views_fill.check, name="check"),
    path("people/<int:pk>/drafts/<int:draft_id>/<slug:page_id>", views_fill.page, name="page"),
    path("people/<int:pk>/drafts/<int:draft_id>/<slug:page_id>/autosave", views_fill.autosave, name="autosave"),
    path(
        "people/<int:pk>/drafts/<int:draft_id>/<slug:page_id>/<slug:group_id>/<int:index>/remove",
        views_fill.remove_item,
        name="remove_item",
    ),
]
