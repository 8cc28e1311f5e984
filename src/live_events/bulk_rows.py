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
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model


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
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # Each field's value as bulk_create would write it. Most values go as they are (strings,
    # numbers, aware datetimes, foreign keys' ids); only the fields that change or convert them
    # on the way (auto_now, JSON, ...) go through Django's field methods.
    kinds = [_kind(field) for field in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance in objects:
            row = []
            for field, kind in zip(fields, kinds, strict=True):
                value = getattr(instance, field.attname) if kind != _PREPARED else None
                if kind == _PREPARED or (kind == _AWARE and value is not None and not value.tzinfo):
                    value = field.get_db_prep_save(field.pre_save(instance, True), connection)
                row.append(value)
            copy.write_row(row)


_AS_IS, _AWARE, _PREPARED = "as is", "aware", "prepared"


def _kind(field: Field[Any, Any]) -> str:
    """How a field's value is written: as it is, as it is when an aware datetime (Django would
    make a naive one aware, with a warning), or through Django's field methods."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _PREPARED
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return _AWARE
    return _AS_IS if internal in _AS_THEY_ARE else _PREPARED


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
