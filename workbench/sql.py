"""Hand-written SELECTs for the hot paths, turned into model instances as the ORM would.

Building a queryset with joins costs more CPU than running it (about 1 ms per query here, most
of a token-authenticated API read). The few queries on every read and save are written once as
SQL; `Columns` lists one model's columns under a table alias and builds instances from a result
row with the same database converters the ORM applies (JSON decoding, SQLite datetimes and
booleans), so callers get ordinary model instances. Fields left out are deferred: reading one
loads it from the database, exactly like `.only()`.

A JSON column named in `raw_json` is not decoded: the instance gets the database's JSON text as
`<attname>_json` and the field itself stays deferred, so a read that only passes the document
on to a client skips decoding it and encoding it again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model


class Columns:
    """The concrete fields of `model` (all, or those named in `only`) under table `alias`;
    the JSON fields named in `raw_json` come as text (see the module's docstring)."""

    def __init__(
        self,
        model: type[Model],
        alias: str,
        *,
        only: Iterable[str] | None = None,
        raw_json: Iterable[str] = (),
    ):
        wanted = set(only) if only is not None else None
        self.model = model
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if wanted is None or field.name in wanted or field.attname in wanted
        ]
        raw = set(raw_json)
        unknown = raw - {f.name for f in self.fields if f.get_internal_type() == "JSONField"}
        if unknown:
            raise ValueError(f"not JSON fields of {model.__name__} here: {sorted(unknown)}")
        self.raw = [(i, f"{f.attname}_json") for i, f in enumerate(self.fields) if f.name in raw]
        self.decoded = [i for i, f in enumerate(self.fields) if f.name not in raw]
        self.attnames = [self.fields[i].attname for i in self.decoded]
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in self.fields)
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for(self, db) -> list[tuple[int, list[Any], Any]]:
        found = self._converters.get(db.vendor)
        if found is None:
            found = []
            for i in self.decoded:
                column = self.fields[i].get_col(self.alias)
                converters = db.ops.get_db_converters(column) + column.get_db_converters(db)
                if converters:
                    found.append((i, converters, column))
            self._converters[db.vendor] = found
        return found

    def build(self, values: Sequence[Any], db=connection) -> Any:
        """A model instance from this model's slice of a result row."""
        row = list(values)
        for i, converters, column in self._converters_for(db):
            for convert in converters:
                row[i] = convert(row[i], column, db)
        if not self.raw:
            return self.model.from_db(db.alias, self.attnames, row)
        instance = self.model.from_db(db.alias, self.attnames, [row[i] for i in self.decoded])
        for i, name in self.raw:
            setattr(instance, name, row[i])
        return instance


def concrete_field(model: type[Model], name: str) -> Field:
    """The column-backed field `name` of `model` (not a reverse relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def column_of(model: type[Model], name: str) -> str:
    """The database column of field `name` of `model`."""
    column = concrete_field(model, name).column
    if column is None:
        raise TypeError(f"{model.__name__}.{name} has no column")
    return column


def fetch_row(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a SELECT, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def split_row(row: Sequence[Any], *parts: Columns | int) -> list[Sequence[Any]]:
    """Cut a result row into consecutive slices: one per Columns, or `n` plain values."""
    out = []
    at = 0
    for part in parts:
        width = part if isinstance(part, int) else len(part)
        out.append(row[at : at + width])
        at += width
    return out


@functools.cache
def _insert_sql(model: type[Model], attnames: tuple[str, ...]) -> tuple[str, list[Any]]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    marks = ", ".join("%s" for _ in fields)
    sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
    return sql, fields


def insert_row(model: type[Model], values: dict[str, Any]) -> None:
    """INSERT one row of `model` (attname -> value), each value prepared as the ORM would."""
    sql, fields = _insert_sql(model, tuple(values))
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_row_unless_present(
    model: type[Model], values: dict[str, Any], *, unique: tuple[str, ...]
) -> int | None:
    """INSERT one row of `model` unless a row with the same `unique` columns (a unique
    constraint) exists: the new row's id, or None when one existed. No savepoint is needed,
    since a conflict raises nothing (PostgreSQL and SQLite 3.35+ both have ON CONFLICT and
    RETURNING)."""
    sql, fields = _insert_sql(model, tuple(values))
    sql = f"{sql} ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING id"
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def set_column_compression(schema_editor, table: str, columns: Iterable[str], method: str) -> None:
    """ALTER the TOAST compression of `columns` (PostgreSQL 14+; a no-op elsewhere).

    PostgreSQL compresses every value over about 2 KB; its default pglz costs several times
    the CPU of lz4. Only values written afterwards are affected. A server built without lz4
    keeps pglz.
    """
    db = schema_editor.connection
    if db.vendor != "postgresql" or db.pg_version < 140000:
        return
    changes = ", ".join(
        f"ALTER COLUMN {schema_editor.quote_name(column)} SET COMPRESSION {method}"
        for column in columns
    )
    try:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} {changes}")
    except Exception as exc:
        if "not supported" not in str(exc):
            raise
