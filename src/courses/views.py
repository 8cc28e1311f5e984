"""Course pages. Members read; Course Builders (and org admins) add and rename lessons and text."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from courses.components import component_template
from courses.forms import LessonTitleForm, TextComponentForm
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
from organizations.models import PermissionSet
from organizations.requests import MemberRequest

builder_required = permission_required_in_org(PermissionSet.COURSE_BUILDER)


@member_required
def course_index(request: MemberRequest) -> HttpResponse:
    courses = course_list(organization=request.organization)
    return render(request, "courses/course_list.html", {"courses": courses})


@member_required
def course_detail(request: MemberRequest, course_id: int) -> HttpResponse:
    course = course_get(organization=request.organization, course_id=course_id)
    return _course_page(request, course, LessonTitleForm())


@builder_required
@require_POST
def lesson_add(request: MemberRequest, course_id: int) -> HttpResponse:
    course = course_get(organization=request.organization, course_id=course_id)
    form = LessonTitleForm(request.POST)
    if not form.is_valid():
        return _course_page(request, course, form, status=400)
    lesson = lesson_create(course=course, title=form.cleaned_data["title"])
    messages.success(request, f"Lesson “{lesson.title}” added.")
    return redirect("courses:lesson", course_id=course.pk, lesson_id=lesson.pk)


@member_required
def lesson_detail(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    return _lesson_page(request, lesson, LessonTitleForm(initial={"title": lesson.title}))


@builder_required
@require_POST
def lesson_title_change(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = LessonTitleForm(request.POST)
    if not form.is_valid():
        return _lesson_page(request, lesson, form, status=400)
    lesson_rename(lesson=lesson, title=form.cleaned_data["title"])
    messages.success(request, "Lesson renamed.")
    return redirect("courses:lesson", course_id=course_id, lesson_id=lesson.pk)


@builder_required
@require_POST
def text_add(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = TextComponentForm(request.POST)
    if not form.is_valid():
        title_form = LessonTitleForm(initial={"title": lesson.title})
        return _lesson_page(request, lesson, title_form, text_form=form, status=400)
    lesson_text_add(lesson=lesson, body=form.cleaned_data["body"])
    messages.success(request, "Text added to the lesson.")
    return redirect("courses:lesson", course_id=course_id, lesson_id=lesson.pk)


def _course_page(
    request: MemberRequest, course: Course, lesson_form: LessonTitleForm, status: int = 200
) -> HttpResponse:
    context = {"course": course, "lessons": lesson_list(course=course), "lesson_form": lesson_form}
    return render(request, "courses/course_detail.html", context, status=status)


def _lesson_page(
    request: MemberRequest,
    lesson: Lesson,
    title_form: LessonTitleForm,
    text_form: TextComponentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    components = [
        (component, component_template(component.kind))
        for component in lesson_component_list(lesson=lesson)
    ]
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "components": components,
        "title_form": title_form,
        "text_form": text_form or TextComponentForm(),
    }
    return render(request, "courses/lesson_detail.html", context, status=status)
