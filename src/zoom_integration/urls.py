from __future__ import annotations

from django.urls import path

from zoom_integration import recording_views, views

app_name = "zoom_integration"

urlpatterns = [
    path("admin-tools/integrations/zoom/", views.configure, name="configure"),
    path("admin-tools/integrations/zoom/authenticate/", views.authenticate, name="authenticate"),
    # No trailing slash: this is the redirect URL registered with Zoom, matched exactly.
    path("admin-tools/integrations/zoom/callback", views.callback, name="callback"),
    path(
        "admin-tools/integrations/zoom/server-to-server/",
        views.server_to_server,
        name="server_to_server",
    ),
    path("admin-tools/integrations/zoom/disable/", views.disable, name="disable"),
    path("zoom/webhooks/", views.webhook, name="webhook"),
    path(
        "live-events/sessions/<int:session_id>/recordings/import/",
        recording_views.recording_import,
        name="recording_import",
    ),
]
