"""
Queries that Django turns into SQL once per process instead of on every request.

Building a QuerySet and compiling it to SQL costs Django 0.2-1 ms per query on a small server,
several times what the database then takes to answer; on an uncached article page (six
queries) it was about half of the page's time (README, "Performance"). Those queries have the
same shape on every request: only the slug, the article or the language changes. A
PreparedQuery builds its QuerySet once with marker values in their place, keeps the SQL and
parameters Django made from it, and from then on runs that SQL with the real values through
QuerySet.raw(), which makes model instances as the ORM does (values converted from the
database, fields the query did not load fetched on access).

What a prepared query may contain:
- Values as the SQL compares them, in exact lookups, or in LIKE lookups (contains,
  startswith, iexact ...), which Django escapes and wraps in % signs: the real value is
  escaped and wrapped the same way. A value the build changes in Python (lower(), strip(),
  folding) no longer matches its marker, and the query refuses to prepare: pass the value as
  the query uses it.
- Nothing that depends on the time of the request, such as `published()`, which compares with
  now: the SQL would keep the moment it was prepared, and nothing here can tell. Filter such
  rows in Python, and test it (tests/test_prepared.py moves the clock).
- No select_related(): raw() cannot fill related objects. `joined` does that for foreign keys:
  it selects the named fields of the related row through the join and attaches an instance,
  as select_related() would, so the page still needs one query.
- No slicing: SQL gets LIMIT and OFFSET as numbers, not parameters. PreparedRows takes them
  as values of each call instead.

PreparedRows is the same for values() QuerySets: it returns the rows as dicts, without making
model instances, which costs more than the query for a list of 50 rows. They are keyed by the
SQL's column names: a translated field comes as modeltranslation selects it (description_en),
without its fallback to another language.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F
from django.db.models.query import RawQuerySet
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
    str); `joined` maps foreign keys of the model to the fields of the related model to load.
    Calling the PreparedQuery with the values returns the list of model instances.
    """

    def __init__(self, build, *, joined=None, **kinds):
        for name, kind in kinds.items():
            if kind not in MARKERS:
                raise ImproperlyConfigured(f"{name}: a prepared value must be int or str.")
        self.build = build
        self.kinds = kinds
        self.joined = joined or {}
        # Per language: modeltranslation may pick columns by the active one.
        self.prepared = {}

    def __call__(self, **values):
        self.check(values)
        model, db, sql, slots, joins = self.prepare()
        params = fill(slots, values, connections[db])
        objects = list(RawQuerySet(sql, model=model, params=params, using=db))
        for set_related in joins:
            for obj in objects:
                set_related(obj)
        return objects

    def check(self, values):
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Expected the values {sorted(self.kinds)}, got {sorted(values)}.")
        for name, value in values.items():
            if not isinstance(value, self.kinds[name]):
                raise TypeError(f"{name} must be {self.kinds[name].__name__}, not {value!r}.")

    def prepare(self):
        # Keeps the database the QuerySet chose when it was built (this site has one).
        language = get_language()
        if language not in self.prepared:
            markers = self.markers()
            self.prepared[language] = self.compile(self.build(**markers), markers)
        return self.prepared[language]

    def markers(self):
        return {name: MARKERS[kind](i) for i, (name, kind) in enumerate(self.kinds.items())}

    def compile(self, queryset, markers):
        model, db = queryset.model, queryset.db
        connection = connections[db]
        joins = []
        for relation, fields in self.joined.items():
            foreign_key = model._meta.get_field(relation)
            aliases = {f"prepared_{relation}_{name}": name for name in fields}
            queryset = queryset.annotate(
                **{alias: F(f"{relation}__{name}") for alias, name in aliases.items()}
            )
            joins.append(related_setter(foreign_key, aliases, db, connection))
        sql, params = queryset.query.get_compiler(using=db).as_sql()
        return model, db, sql, parameter_slots(params, markers, connection), joins

    def __repr__(self):
        return f"<PreparedQuery {self.build.__qualname__}({', '.join(self.kinds)})>"


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
        (columns, converters), db, sql, slots, _joins = self.prepare()
        connection = connections[db]
        params = fill(slots, values, connection)
        if self.paged:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [convert(row, converters, connection) for row in rows]
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def compile(self, queryset, markers):
        query = queryset.query
        if query.low_mark or query.high_mark is not None:
            raise ImproperlyConfigured("Slice a PreparedRows query with limit and offset.")
        if query.default_cols:
            raise ImproperlyConfigured("PreparedRows is for values() QuerySets.")
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        columns = [alias for _expression, _sql, alias in compiler.select]
        # What the ORM does to values from the database (counts to int, dates ...), as it does.
        converters = compiler.get_converters([expression for expression, *_ in compiler.select])
        connection = connections[queryset.db]
        slots = parameter_slots(params, markers, connection)
        return (columns, list(converters.items())), queryset.db, sql, slots, []


def convert(row, converters, connection):
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


def related_setter(foreign_key, aliases, db, connection):
    """A function that replaces the joined columns on an object by its related instance."""
    related_model = foreign_key.related_model
    pk_name = related_model._meta.pk.attname
    # Model.from_db() takes the values in the order of the model's fields.
    order = [field.attname for field in related_model._meta.concrete_fields]
    names = sorted([pk_name, *aliases.values()], key=order.index)
    pk_position = names.index(pk_name)
    aliases = dict(sorted(aliases.items(), key=lambda item: order.index(item[1])))
    columns = [
        related_model._meta.get_field(name).get_col(related_model._meta.db_table)
        for name in aliases.values()
    ]
    # raw() converts the model's own columns (JSON, dates ...) but not annotations.
    converters = [
        connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        for column in columns
    ]

    def set_related(obj):
        if foreign_key.attname not in obj.__dict__:
            raise ImproperlyConfigured(
                f"Load {foreign_key.attname} to join {foreign_key.name} in a prepared query."
            )
        values = []
        for alias, column, column_converters in zip(aliases, columns, converters, strict=True):
            value = obj.__dict__.pop(alias)
            for converter in column_converters:
                value = converter(value, column, connection)
            values.append(value)
        pk = getattr(obj, foreign_key.attname)
        values.insert(pk_position, pk)
        related = None if pk is None else related_model.from_db(db, names, values)
        setattr(obj, foreign_key.name, related)

    return set_related
