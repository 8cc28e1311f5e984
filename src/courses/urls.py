from __future__ import annotations

from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.course_index, name="list"),
    path("<int:course_id>/", views.course_detail, name="detail"),
    path("<int:course_id>/lessons/", views.lesson_add, name="lesson_add"),
    path("<int:course_id>/lessons/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path(
        "<int:course_id>/lessons/<int:lesson_id>/title/",
        views.lesson_title_change,
        name="lesson_title",
    ),
    path("<int:course_id>/lessons/<int:lesson_id>/text/", views.text_add, name="text_add"),
    path("<int:course_id>/lessons/<int:lesson_id>/text/new/", views.text_new, name="text_new"),
    path(
        "<int:course_id>/lessons/<int:lesson_id>/components/",
        views.component_menu_page,
        name="component_menu",
    ),
]
