from __future__ import annotations

from django.contrib.auth.views import LoginView

from organizations.forms import SignInForm


class SignInView(LoginView):
    form_class = SignInForm
    template_name = "campus/sign_in.html"
    redirect_authenticated_user = True
