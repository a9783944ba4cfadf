"""
Queries that Django turns into SQL once per process instead of on every request.

Building a QuerySet and compiling it to SQL costs Django 0.2-1 ms per query on a small server,
several times what the database then takes to answer; on an uncached article page (six
queries) it was about half of the page's time (README, "Performance"). Those queries have the
same shape on every request: only the slug, the article or the language changes. A
PreparedQuery builds its QuerySet once with marker values in their place, keeps the SQL and
parameters Django made from it, together with what Django's own ModelIterable works out for
each run (which columns go to which model, the converters of their values, the populators of
select_related()), and from then on runs that SQL with the real values and makes the model
instances as the ORM does: values converted from the database, related objects attached,
fields the query did not load fetched on access. Working all that out again for each run, as
QuerySet.raw() does, took longer than the query itself.

What a prepared query may contain:
- Values as the SQL compares them, in exact lookups, or in LIKE lookups (contains,
  startswith, iexact ...), which Django escapes and wraps in % signs: the real value is
  escaped and wrapped the same way. A value the build changes in Python (lower(), strip(),
  folding) no longer matches its marker, and the query refuses to prepare: pass the value as
  the query uses it.
- Nothing that depends on the time of the request, such as `published()`, which compares with
  now: the SQL would keep the moment it was prepared, and nothing here can tell. Filter such
  rows in Python, and test it (tests/test_prepared.py moves the clock).
- select_related() (with only() naming the related fields to load), but no
  prefetch_related(), which would need queries of its own.
- Slices by constants only ([:2]): SQL gets LIMIT and OFFSET as numbers, not parameters.
  PreparedRows takes them as values of each call instead.

PreparedRows is the same for values() QuerySets: it returns the rows as dicts, without making
model instances, which costs more than the query for a list of 50 rows. They are keyed by the
SQL's column names: a translated field comes as modeltranslation selects it (description_en),
without its fallback to another language.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.query import ModelIterable, get_related_populators
from django.utils.translation import get_language

MARKERS = {
    # Values no real query uses, of the type each lookup expects.
    int: lambda position: -7_770_000_000 - position,
    # Capitals, an accent, "_" (which LIKE escapes) and control characters (which strip()
    # removes): a build that changes the value in Python loses the marker and is refused.
    str: lambda position: f"\x1fPrepared_välue_{position}\x1f",
}


class PreparedQuery:
    """
    `build(**markers)` returns the QuerySet; `kinds` names its values and their types (int or
    str). Calling the PreparedQuery with the values returns the list of model instances.
    """

    def __init__(self, build, **kinds):
        for name, kind in kinds.items():
            if kind not in MARKERS:
                raise ImproperlyConfigured(f"{name}: a prepared value must be int or str.")
        self.build = build
        self.kinds = kinds
        # Per language: modeltranslation may pick columns by the active one.
        self.prepared = {}

    def __call__(self, **values):
        self.check(values)
        return self.run(self.prepare(), values)

    def check(self, values):
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Expected the values {sorted(self.kinds)}, got {sorted(values)}.")
        for name, value in values.items():
            if not isinstance(value, self.kinds[name]):
                raise TypeError(f"{name} must be {self.kinds[name].__name__}, not {value!r}.")

    def prepare(self):
        language = get_language()
        if language not in self.prepared:
            markers = {name: MARKERS[kind](i) for i, (name, kind) in enumerate(self.kinds.items())}
            self.prepared[language] = Prepared(self.build(**markers), markers, self.row_maker)
        return self.prepared[language]

    def run(self, prepared, values, sql_end="", params_end=()):
        # The database the QuerySet chose when it was built (this site has one).
        connection = connections[prepared.db]
        params = fill(prepared.slots, values, connection)
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql + sql_end, [*params, *params_end])
            rows = cursor.fetchall()
        if prepared.converters:
            rows = [convert(row, prepared.converters, connection) for row in rows]
        return prepared.make_rows(rows)

    def row_maker(self, queryset, compiler):
        """A function that makes model instances of the query's rows, as ModelIterable does."""
        if queryset._iterable_class is not ModelIterable:
            raise ImproperlyConfigured("PreparedQuery is for QuerySets of model instances.")
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ImproperlyConfigured("A prepared query runs one query: no prefetch_related().")
        db = queryset.db
        select, klass_info = compiler.select, compiler.klass_info
        annotations = list(compiler.annotation_col_map.items())
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        related_populators = get_related_populators(klass_info, select, db)

        def make_rows(rows):
            objects = []
            for row in rows:
                obj = model.from_db(db, init_list, row[start:end])
                for populator in related_populators:
                    populator.populate(row, obj)
                for name, position in annotations:
                    setattr(obj, name, row[position])
                objects.append(obj)
            return objects

        return make_rows

    def __repr__(self):
        return f"<{type(self).__name__} {self.build.__qualname__}({', '.join(self.kinds)})>"


class Prepared:
    """A QuerySet's SQL, where the values go in it, and how its rows become results."""

    def __init__(self, queryset, markers, row_maker):
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        # as_sql() also works out compiler.select, klass_info and annotation_col_map.
        sql, params = compiler.as_sql()
        self.sql = sql
        self.slots = parameter_slots(params, markers, connections[self.db])
        # What the ORM does to values from the database (JSON, dates, counts ...), as it does.
        expressions = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(expressions).items())
        self.make_rows = row_maker(queryset, compiler)


def parameter_slots(params, markers, connection):
    """
    Where each marker went in the SQL's parameters: a list of (name, like, constant), where
    `like` is the (prefix, suffix) Django put around a value it escaped for LIKE.
    """
    slots = []
    for param in params:
        slot = (None, None, param)
        for name, marker in markers.items():
            if type(param) is type(marker) and param == marker:
                slot = (name, None, None)
            elif isinstance(marker, str) and isinstance(param, str):
                escaped = connection.ops.prep_for_like_query(marker)
                if param.count(escaped) == 1:
                    slot = (name, tuple(param.split(escaped)), None)
        slots.append(slot)
    missing = set(markers) - {name for name, _like, _constant in slots}
    if missing:
        raise ImproperlyConfigured(
            f"The values {sorted(missing)} do not reach the SQL as they were given, so this "
            "query cannot be prepared; pass them as the query compares them, or use a plain "
            "QuerySet."
        )
    return slots


def fill(slots, values, connection):
    params = []
    for name, like, constant in slots:
        if name is None:
            params.append(constant)
        elif like is None:
            params.append(values[name])
        else:
            prefix, suffix = like
            params.append(prefix + connection.ops.prep_for_like_query(values[name]) + suffix)
    return params


def convert(row, converters, connection):
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


class PreparedRows(PreparedQuery):
    """
    A PreparedQuery of a values() QuerySet, returning its rows as dicts. With `paged`, each
    call also takes `limit` and `offset`, added to the SQL as parameters.
    """

    def __init__(self, build, *, paged=False, **kinds):
        super().__init__(build, **kinds)
        self.paged = paged

    def __call__(self, *, limit=None, offset=None, **values):
        if self.paged != (isinstance(limit, int) and isinstance(offset, int)):
            raise TypeError("limit and offset (int) are needed with paged=True, and only then.")
        self.check(values)
        if self.paged:
            return self.run(self.prepare(), values, " LIMIT %s OFFSET %s", (limit, offset))
        return self.run(self.prepare(), values)

    def row_maker(self, queryset, compiler):
        """A function that makes dicts of the query's rows, keyed by the SQL's column names."""
        query = queryset.query
        if query.low_mark or query.high_mark is not None:
            raise ImproperlyConfigured("Slice a PreparedRows query with limit and offset.")
        if query.default_cols:
            raise ImproperlyConfigured("PreparedRows is for values() QuerySets.")
        columns = [alias for _expression, _sql, alias in compiler.select]
        return lambda rows: [dict(zip(columns, row, strict=True)) for row in rows]
