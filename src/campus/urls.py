"""Campus URLs. Integration apps add their own under admin-tools/integrations/<name>/."""

from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import include, path
from django.views.generic import RedirectView

from campus.views import SignInView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="courses:list"), name="home"),
    path("sign-in/", SignInView.as_view(), name="sign_in"),
    # Django's LogoutView answers POST only, so a link (or a prefetch) cannot sign anyone out.
    path("sign-out/", LogoutView.as_view(), name="sign_out"),
    path("courses/", include("courses.urls")),
    path("courses/", include("live_events.urls")),
    path("people/", include("organizations.urls")),
    path("admin-tools/", include("organizations.admin_tools.urls")),
    # The Zoom pages under admin-tools/integrations/zoom/, and Zoom's webhook endpoint.
    path("", include("zoom_integration.urls")),
]

# Pages in Campus's look, with the navigation, saying what happened and where to go.
handler403 = "campus.error_pages.permission_denied"
handler404 = "campus.error_pages.page_not_found"
