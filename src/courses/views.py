"""Course pages. Members read; Course Builders (and org admins) add and rename lessons, and in a
lesson's edit mode add components where they choose through the Components menu."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.components import (
    component_extras,
    component_menu,
    component_position_asked,
    component_template,
)
from courses.forms import LessonTitleForm, TextComponentAddForm
from courses.models import Course, Lesson
from courses.selectors import (
    course_get,
    course_list,
    lesson_component_list,
    lesson_get,
    lesson_list,
)
from courses.services import lesson_create, lesson_rename, lesson_text_add
from organizations.access import member_required, permission_required_in_org
from organizations.models import PermissionSet, User
from organizations.requests import MemberRequest

builder_required = permission_required_in_org(PermissionSet.COURSE_BUILDER)


@member_required
def course_index(request: MemberRequest) -> HttpResponse:
    courses = course_list(organization=request.organization, learner=_learner(request))
    return render(request, "courses/course_list.html", {"courses": courses})


@member_required
def course_detail(request: MemberRequest, course_id: int) -> HttpResponse:
    course = course_get(
        organization=request.organization, course_id=course_id, learner=_learner(request)
    )
    return _course_page(request, course, LessonTitleForm())


@builder_required
@require_POST
def lesson_add(request: MemberRequest, course_id: int) -> HttpResponse:
    course = course_get(
        organization=request.organization, course_id=course_id, learner=_learner(request)
    )
    form = LessonTitleForm(request.POST)
    if not form.is_valid():
        return _course_page(request, course, form, status=400)
    lesson = lesson_create(course=course, title=form.cleaned_data["title"])
    messages.success(request, f"Lesson “{lesson.title}” added.")
    return redirect("courses:lesson", course_id=course.pk, lesson_id=lesson.pk)


@member_required
def lesson_detail(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(
        organization=request.organization,
        course_id=course_id,
        lesson_id=lesson_id,
        learner=_learner(request),
    )
    return _lesson_page(request, lesson, LessonTitleForm(initial={"title": lesson.title}))


@builder_required
@require_GET
def component_menu_page(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """The Components menu as a page of its own: where (+) Add leads without JavaScript."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "component_menu": component_menu(),
        "position": component_position_asked(request.GET),
    }
    return render(request, "courses/component_menu_page.html", context)


@builder_required
@require_GET
def text_new(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = TextComponentAddForm(initial={"position": component_position_asked(request.GET)})
    return _text_page(request, lesson, form)


@builder_required
@require_POST
def lesson_title_change(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = LessonTitleForm(request.POST)
    if not form.is_valid():
        return _lesson_page(request, lesson, form, status=400, editing=True)
    lesson_rename(lesson=lesson, title=form.cleaned_data["title"])
    messages.success(request, "Lesson renamed.")
    return redirect(lesson_edit_url(lesson))


@builder_required
@require_POST
def text_add(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = TextComponentAddForm(request.POST)
    if not form.is_valid():
        return _text_page(request, lesson, form, status=400)
    lesson_text_add(
        lesson=lesson, body=form.cleaned_data["body"], position=form.cleaned_data["position"]
    )
    messages.success(request, "Text added to the lesson.")
    return redirect(lesson_edit_url(lesson))


def _learner(request: MemberRequest) -> User | None:
    """The learner whose enrollments limit what the page shows; None for course and org admins."""
    return None if request.membership.is_course_admin else request.user


def lesson_edit_url(lesson: Lesson) -> str:
    """The lesson page in edit mode, where a builder lands after adding a component."""
    return reverse("courses:lesson", args=[lesson.course_id, lesson.pk]) + "?edit=1"


def _text_page(
    request: MemberRequest, lesson: Lesson, form: TextComponentAddForm, status: int = 200
) -> HttpResponse:
    context = {"course": lesson.course, "lesson": lesson, "form": form}
    return render(request, "courses/text_new.html", context, status=status)


def _course_page(
    request: MemberRequest, course: Course, lesson_form: LessonTitleForm, status: int = 200
) -> HttpResponse:
    context = {"course": course, "lessons": lesson_list(course=course), "lesson_form": lesson_form}
    return render(request, "courses/course_detail.html", context, status=status)


def _lesson_page(
    request: MemberRequest,
    lesson: Lesson,
    title_form: LessonTitleForm,
    status: int = 200,
    editing: bool = False,
) -> HttpResponse:
    rows = list(lesson_component_list(lesson=lesson))
    extras = component_extras(request, lesson, rows)
    components = [
        (component, component_template(component.kind), extras.get(component.pk))
        for component in rows
    ]
    # Edit mode is the builders' view of the page; for anyone else ?edit=1 changes nothing.
    editing = request.membership.is_course_builder and (editing or request.GET.get("edit") == "1")
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "components": components,
        "title_form": title_form,
        "editing": editing,
        "component_menu": component_menu() if editing else [],
    }
    return render(request, "courses/lesson_detail.html", context, status=status)
