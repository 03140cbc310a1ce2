"""Inserting a new row without the ORM's save machinery, for the hot write paths.

``Model.save()`` spends more CPU choosing and compiling its INSERT than the database
spends running it. ``insert`` writes the same row the ORM would — each field's
``pre_save`` (``auto_now_add`` and the like) and its own conversion to the database
value — in one ``INSERT … RETURNING`` whose text is built once per model. Only for models
whose ``save()`` adds nothing to an insert (the audit record's only refuses updates) and
with no signal receivers (Fengqiao has none). Used by the write paths of cases, the API
and the audit log. On PostgreSQL their statements, and the compiled reads' (``Read``),
run prepared (``prepared``)."""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.query import ModelIterable, get_related_populators

from .db.postgresql import preparing_cursor


def prepared():
    """A cursor for the hot paths' inserts, updates and reads by key: on PostgreSQL
    their statements are prepared once per connection (``preparing_cursor``); never for
    a search or list, whose plan depends on the values."""
    return preparing_cursor(connections[DEFAULT_DB_ALIAS])


_SQL: dict[tuple[str, type], tuple[str, list]] = {}


def _statement(model: type[models.Model], connection) -> tuple[str, list]:
    key = (connection.vendor, model)
    found = _SQL.get(key)
    if found is None:
        meta, quote = model._meta, connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"RETURNING {quote(meta.pk.column)}"
        )
        found = _SQL[key] = (sql, fields)
    return found


Statement = tuple[str, list]


def together(statements: list[Statement]) -> list[Statement]:
    """``statements`` (INSERT, UPDATE or DELETE, none but the last reading a result) as
    few round trips as the database allows: on PostgreSQL one statement, each but the
    last in a WITH clause (all see the same snapshot and run to completion; none may
    change a row another changes); on SQLite, which has no round trips, as they are."""
    if connection.vendor != "postgresql" or len(statements) < 2:
        return statements
    first = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(statements[:-1]))
    params = [value for _, values in statements for value in values]
    return [(f"WITH {first} {statements[-1][0]}", params)]


def insert(obj: models.Model, *, along: list[Statement] = ()) -> models.Model:
    """Insert a new ``obj`` as ``obj.save(force_insert=True)`` would; sets its pk.
    ``along``: other writes to run in the same round trip (``together``): on SQLite
    before it, on PostgreSQL with it, in no fixed order, so none may depend on another
    or on the insert."""
    # The connection itself: each field's conversion reads it several times, and every
    # read through Django's ``connection`` proxy looks it up again.
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement(type(obj), connection)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    with prepared() as c:
        for statement, params in together([*along, (sql, values)]):
            c.execute(statement, params)
        obj.pk = c.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert_many(objs: list[models.Model]) -> list[models.Model]:
    """Insert new objects of one model in one multi-row ``INSERT … RETURNING``, as
    ``bulk_create`` does (the ids come back in the order of the rows, as Django's own
    bulk insert relies on for both databases); sets their pks."""
    if not objs:
        return objs
    connection = connections[DEFAULT_DB_ALIAS]
    sql, fields = _statement(type(objs[0]), connection)
    head, _, tail = sql.partition(" VALUES ")
    row, _, returning = tail.partition(" RETURNING ")
    values = [
        f.get_db_prep_save(f.pre_save(obj, add=True), connection) for obj in objs for f in fields
    ]
    rows = ", ".join([row] * len(objs))
    with prepared() as c:
        c.execute(f"{head} VALUES {rows} RETURNING {returning}", values)
        ids = c.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


class Read:
    """A read whose SQL the ORM compiles once per process instead of on every request
    (for a one-row read by key, compiling costs more CPU than running it). ``build``
    makes the queryset from stand-in values; each call runs the same statement with the
    real values and returns what the queryset would: model instances (``select_related``
    included) or ``values()`` dicts, through the ORM's own value conversions. Only for
    exact lookups (the stand-ins must reach the statement as they are) and querysets
    without annotations or prefetches."""

    def __init__(self, build, *kinds: type):
        self.build, self.kinds = build, kinds
        self.compiled: dict[str, tuple] = {}

    def _stand_ins(self) -> list:
        return [
            -7_340_117 - i if kind is int else f"\x01stand-in-{i}\x01"
            for i, kind in enumerate(self.kinds)
        ]

    def _compile(self) -> tuple:
        stand_ins = self._stand_ins()
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for value in stand_ins:
            found = [i for i, param in enumerate(params) if param == value]
            if len(found) != 1:
                raise ValueError("a stand-in value did not reach the statement once")
            slots.append(found[0])
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        if queryset._fields is not None or queryset._iterable_class is not ModelIterable:
            names = list(queryset.query.values_select) or [c.target.attname for c in columns]
            make = _dicts(names)
        else:
            make = _instances(compiler)
        return sql, list(params), slots, compiler, converters, make

    def __call__(self, *values) -> list:
        found = self.compiled.get(connection.vendor)
        if found is None:
            found = self.compiled[connection.vendor] = self._compile()
        sql, params, slots, compiler, converters, make = found
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            params[slot] = value
        with prepared() as c:
            c.execute(sql, params)
            rows = c.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return make(rows)

    def first(self, *values):
        found = self(*values)
        return found[0] if found else None


def _dicts(names: list[str]):
    return lambda rows: [dict(zip(names, row, strict=True)) for row in rows]


def _instances(compiler):
    """Rows to model instances as ``ModelIterable`` makes them."""
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    init_list = [column.target.attname for column, _, _ in select[start:end]]
    model = klass_info["model"]

    def make(rows):
        populators = get_related_populators(klass_info, select, connection.alias)
        objects = []
        for row in rows:
            obj = model.from_db(connection.alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects

    return make


def first_of(queryset):
    """``queryset[:1]`` in the order ``.first()`` reads it (by pk when unordered)."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
