from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("conflicts/", views.conflicts, name="conflicts"),
]
