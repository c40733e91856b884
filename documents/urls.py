"""The documents' pages: under a person's record, and the fixity checks for administrators."""

from django.urls import path

from . import review_views, views

app_name = "documents"
urlpatterns = [
    path("people/<int:pk>/documents", views.document_list, name="list"),
    path("people/<int:pk>/documents/upload", views.upload, name="upload"),
    path("people/<int:pk>/documents/<int:document_id>", views.document_page, name="document"),
    path("people/<int:pk>/documents/<int:document_id>/change", views.change, name="change"),
    path("people/<int:pk>/documents/<int:document_id>/new-version", views.version_add, name="version_add"),
    path("people/<int:pk>/documents/<int:document_id>/access", views.grant, name="grant"),
    path("people/<int:pk>/documents/<int:document_id>/evidence", views.evidence, name="evidence"),
    path("people/<int:pk>/documents/<int:document_id>/v<int:number>/original", views.original, name="original"),
    path("people/<int:pk>/documents/<int:document_id>/v<int:number>/archival.pdf", views.archival, name="archival"),
    path("people/<int:pk>/documents/<int:document_id>/v<int:number>/thumbnail.png", views.thumbnail, name="thumbnail"),
    path(
        "people/<int:pk>/documents/<int:document_id>/v<int:number>/page-<int:page>.png",
        views.page_image,
        name="page_image",
    ),
    # Redaction before disclosure
    path(
        "people/<int:pk>/documents/<int:document_id>/v<int:number>/redact",
        views.redaction_start,
        name="redaction_start",
    ),
    path(
        "people/<int:pk>/documents/<int:document_id>/redactions/<int:redaction_id>", views.redaction, name="redaction"
    ),
    path(
        "people/<int:pk>/documents/<int:document_id>/redactions/<int:redaction_id>/apply",
        views.redaction_apply,
        name="redaction_apply",
    ),
    path(
        "people/<int:pk>/documents/<int:document_id>/redactions/<int:redaction_id>/page-<int:page>.png",
        views.redaction_page_image,
        name="redaction_page",
    ),
    path(
        "people/<int:pk>/documents/<int:document_id>/redactions/<int:redaction_id>/redacted.pdf",
        views.redaction_download,
        name="redaction_download",
    ),
    path("documents/fixity", views.fixity, name="fixity"),
    path("documents/import-review", review_views.review_list, name="import_review"),
    path("documents/import-review/<int:review_id>", review_views.review_row, name="import_review_row"),
    path("documents/import-review/<int:review_id>/reject", review_views.review_reject, name="import_review_reject"),
]
