"""The submitted form's pages (forms.views_review): read-only, printed, authorised or returned, corrected."""

from django.urls import path

from . import views_review as views

urlpatterns = [
    path("to-authorise", views.to_authorise, name="to_authorise"),
    path("returned", views.returned, name="returned"),
    path("responses/<int:response_id>/", views.response_page, name="response"),
    path("responses/<int:response_id>/pdf", views.response_pdf, name="response_pdf"),
    path("responses/<int:response_id>/authorise", views.response_authorise, name="response_authorise"),
    path("responses/<int:response_id>/return", views.response_return, name="response_return"),
    path("responses/<int:response_id>/reopen", views.response_reopen, name="response_reopen"),
    path("responses/<int:response_id>/correct", views.response_correct, name="response_correct"),
]
