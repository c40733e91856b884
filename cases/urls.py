from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("caseload", views.my_caseload, name="caseload"),
    path("caseload/<int:user_id>", views.worker_caseload, name="worker_caseload"),
    path("team", views.my_team, name="my_team"),
    path("team/<int:team_id>", views.team_dashboard, name="team_dashboard"),
    path("contacts", views.contact_queue, name="contact_queue"),
    path("reviews", views.reviews_due, name="reviews_due"),
    path("contacts/<int:contact_id>/decide", views.contact_decide, name="contact_decide"),
    path("people/<int:pk>/contacts/new", views.contact_add, name="contact_add"),
    path("people/<int:pk>/visits/new", views.visit_add, name="visit_add"),
    path("people/<int:pk>/<slug:step>", views.journey_step, name="step"),
]
