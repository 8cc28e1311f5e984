"""Inserting many new rows of one model at once: PostgreSQL's COPY where it is there, else
Django's bulk_create.

An attendance report is hundreds of rows a meeting (a segment per join, a record per person),
and an import of many meetings spends most of its CPU turning them into SQL: bulk_create builds
one statement whose parameters psycopg quotes one by one in Python, about 30 µs a row; COPY
streams the rows in psycopg's C row encoder, a tenth of that (docs/benchmarks.md, figure 1).
The rows are written exactly as bulk_create would write them (each field's `pre_save` and
`get_db_prep_save`, so auto_now and JSON fields too); their primary keys are not read back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def rows_insert(model: type[Model], objects: Sequence[Model]) -> None:
    """Insert `objects` (new, unsaved instances of `model`) in the current transaction."""
    if not objects:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_create(objects, batch_size=500)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # Each field's value as bulk_create would write it. Most values go as they are (strings,
    # numbers, aware datetimes, foreign keys' ids); only the fields that change or convert them
    # on the way (auto_now, JSON, ...) go through Django's field methods.
    plain = [
        field.get_internal_type() in _AS_THEY_ARE and not getattr(field, "auto_now", False)
        for field in fields
    ]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance in objects:
            copy.write_row(
                [
                    getattr(instance, field.attname)
                    if as_is
                    else field.get_db_prep_save(field.pre_save(instance, True), connection)
                    for field, as_is in zip(fields, plain, strict=True)
                ]
            )


# Internal types whose Python values psycopg writes exactly as Django would prepare them.
_AS_THEY_ARE = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "BigIntegerField",
        "BooleanField",
        "ForeignKey",
    }
)
