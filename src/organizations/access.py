"""Who may open a view.

Anonymous visitors are sent to sign in. A signed-in person without the right role gets 404, not
403: a page they may not use is, for them, a page that does not exist (DESIGN.md, "answer 404, not
403"). The decorated view receives a MemberRequest, whose organization and membership are set.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from organizations.models import Membership
from organizations.requests import MemberRequest

P = ParamSpec("P")
MemberView = Callable[Concatenate[MemberRequest, P], HttpResponseBase]
View = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def _requiring(allowed: Callable[[Membership], bool]) -> Callable[[MemberView[P]], View[P]]:
    def decorator(view: MemberView[P]) -> View[P]:
        def guarded(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None or not allowed(membership):
                raise Http404
            return view(request, *args, **kwargs)  # type: ignore[arg-type]

        update_wrapper(guarded, view)
        return guarded

    return decorator


def member_required(view: MemberView[P]) -> View[P]:
    """Any member of an organization: learners, course admins, org admins."""
    return _requiring(lambda membership: True)(view)


def course_admin_required(view: MemberView[P]) -> View[P]:
    """Course admins and org admins."""
    return _requiring(lambda membership: membership.is_course_admin)(view)


def org_admin_required(view: MemberView[P]) -> View[P]:
    return _requiring(lambda membership: membership.is_org_admin)(view)


def permission_required_in_org(permission_code: str) -> Callable[[MemberView[P]], View[P]]:
    """Course admins holding the permission set, and org admins (who hold every right)."""
    return _requiring(lambda membership: membership.holds(permission_code))
