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
- Values compared as they are: exact lookups on text and integer columns. A marker that
  Django changed on its way into SQL (as `iexact` or `contains` do) is not found, and the
  query refuses to prepare.
- Nothing that depends on the time of the request, such as `published()`, which compares with
  now: the SQL would keep the moment it was prepared, and nothing here can tell. Filter such
  rows in Python, and test it (tests/test_prepared.py moves the clock).
- No select_related(): raw() cannot fill related objects. `joined` does that for foreign keys:
  it selects the named fields of the related row through the join and attaches an instance,
  as select_related() would, so the page still needs one query.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F
from django.db.models.query import RawQuerySet
from django.utils.translation import get_language

MARKERS = {
    # Values no real query uses, of the type each lookup expects.
    int: lambda position: -7_770_000_000 - position,
    str: lambda position: f"\x1fprepared-value-{position}\x1f",
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
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Expected the values {sorted(self.kinds)}, got {sorted(values)}.")
        for name, value in values.items():
            if not isinstance(value, self.kinds[name]):
                raise TypeError(f"{name} must be {self.kinds[name].__name__}, not {value!r}.")
        model, db, sql, slots, joins = self.prepare()
        params = [values[name] if name else constant for name, constant in slots]
        objects = list(RawQuerySet(sql, model=model, params=params, using=db))
        for set_related in joins:
            for obj in objects:
                set_related(obj)
        return objects

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
        by_value = {(type(marker), marker): name for name, marker in markers.items()}
        slots = [(by_value.get((type(value), value)), value) for value in params]
        missing = set(markers) - {name for name, _value in slots}
        if missing:
            raise ImproperlyConfigured(
                f"The values {sorted(missing)} do not reach the SQL unchanged, so this "
                "query cannot be prepared; use a plain QuerySet."
            )
        return model, db, sql, slots, joins

    def __repr__(self):
        return f"<PreparedQuery {self.build.__qualname__}({', '.join(self.kinds)})>"


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
