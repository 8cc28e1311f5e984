from __future__ import annotations

from django.urls import path

from organizations.admin_tools import views

app_name = "admin_tools"

urlpatterns = [
    path("", views.menu, name="menu"),
    path("advanced/", views.advanced_settings, name="advanced_settings"),
    path("integrations/", views.integrations, name="integrations"),
]
