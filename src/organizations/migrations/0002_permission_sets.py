"""The permission sets Campus knows: a data migration, so every database (tests too) has them."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

PERMISSION_SETS = [
    (
        "course_builder",
        "Course Builder",
        "Course Builder: may add and edit lessons and live events",
    ),
    (
        "course_reporter",
        "Course Reporter",
        "Course Reporter: may see attendance and recordings reports of courses",
    ),
]


def add_permission_sets(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    permission_set = apps.get_model("organizations", "PermissionSet")
    for code, name, description in PERMISSION_SETS:
        permission_set.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )


def remove_permission_sets(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    permission_set = apps.get_model("organizations", "PermissionSet")
    permission_set.objects.filter(code__in=[code for code, _, _ in PERMISSION_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]

    operations = [migrations.RunPython(add_permission_sets, remove_permission_sets)]
