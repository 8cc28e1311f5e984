from __future__ import annotations

from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.people, name="people"),
]
