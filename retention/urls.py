from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.due, name="due"),
    path("rules", views.rules, name="rules"),
    path("rules/<str:retention_class>", views.rule_edit, name="rule"),
    path("holds", views.holds, name="holds"),
    path("holds/<int:hold_id>/release", views.hold_release, name="release"),
    path("people/<int:pk>", views.person, name="person"),
    path("people/<int:pk>/hold", views.hold_place, name="hold"),
    path("people/<int:pk>/decide", views.decide, name="decide"),
    path("people/<int:pk>/certificate", views.certificate, name="certificate"),
    path("reviews/<int:disposal_review_id>/approve", views.approve, name="approve"),
]
