from django.urls import path

from . import access_views, duplicate_views, views

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
    path("<int:pk>/break-glass", access_views.break_glass, name="break_glass"),
    path("<int:pk>/conflict", access_views.conflict_declare, name="conflict_declare"),
    path("break-glass", access_views.break_glass_list, name="break_glass_list"),
    path("break-glass/<int:glass_id>", access_views.break_glass_review, name="break_glass_review"),
    path("access", access_views.access_admin, name="access_admin"),
    path("access/explain", access_views.explain, name="explain"),
    path("<int:pk>/access/grant", access_views.grant_add, name="grant_add"),
    path("access/grants/<int:grant_id>/revoke", access_views.grant_revoke, name="grant_revoke"),
    path("<int:pk>/access/conflict", access_views.conflict_record, name="conflict_record"),
    path("access/conflicts/<int:conflict_id>/withdraw", access_views.conflict_withdraw, name="conflict_withdraw"),
    path("duplicates", duplicate_views.duplicate_list, name="duplicates"),
    path("duplicates/<int:pair_id>", duplicate_views.duplicate_compare, name="duplicate_compare"),
    path("duplicates/<int:pair_id>/not-the-same", duplicate_views.duplicate_not_same, name="duplicate_not_same"),
    path("merge/<int:keep_id>/<int:gone_id>", duplicate_views.merge_choose, name="merge"),
    path("merges/<int:merge_id>", duplicate_views.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/undo", duplicate_views.merge_undo, name="merge_undo"),
]
