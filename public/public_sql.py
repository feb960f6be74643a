"""What the hand-written queries of the busiest pages (the article page and its read-next lists)
share: `published()` as SQL, and rows turned into model instances as the ORM would.

Building a queryset and compiling it cost more than running it on those pages (2.5 ms against
0.5 ms for the article itself), so their SQL is written out. Which articles are public is still
`Article.objects.published()`: its WHERE clause is compiled once per process and embedded, with
the current time put in its place on every call.
"""

import functools
import json
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

from articles.models import Article

# Any fixed time would do: it marks where the current time goes in the compiled parameters.
COMPILED_AT = datetime(2000, 1, 1, tzinfo=UTC)


@functools.lru_cache(maxsize=8)
def compiled_public_condition(vendor):
    query = Article.objects.published(at=COMPILED_AT).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    return sql, tuple(params)


@functools.lru_cache(maxsize=8)
def public_condition_with_literals(vendor):
    """The same clause with every value but the time written into the SQL (PostgreSQL): a
    prepared statement's one plan can then use the partial indexes on public articles, which a
    status passed as a parameter rules out."""
    sql, params = compiled_public_condition(vendor)
    marker = connection.ops.adapt_datetimefield_value(COMPILED_AT)
    assert "%%" not in sql and sql.count("%s") == len(params)  # noqa: S101 (compiled by Django)
    pieces = sql.split("%s")
    written = [pieces[0]]
    for param, piece in zip(params, pieces[1:], strict=True):
        written.append("%s" if param == marker else connection.ops.compose_sql("%s", [param]))
        written.append(piece)
    return "".join(written)


def public_condition(*, literals=False):
    """(sql, params): the WHERE clause of `published()` on the table's own name, as of now.
    With `literals` (PostgreSQL only), the time is the one parameter."""
    # Adapted as the compiler adapts them (strings on SQLite), so they compare equal.
    marker = connection.ops.adapt_datetimefield_value(COMPILED_AT)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if literals:
        return public_condition_with_literals(connection.vendor), [now]
    sql, params = compiled_public_condition(connection.vendor)
    return sql, [now if param == marker else param for param in params]


def prepares_statements():
    """Whether this database plans a statement once per connection (`fetch_all(prepare=True)`):
    PostgreSQL, unless the settings turned prepared statements off (behind PgBouncer's
    transaction pooling before 1.21, for instance)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    )


def fetch_all(sql, params, *, prepare=False):
    """Every row of `sql`. With `prepare` where `prepares_statements()`, PostgreSQL plans it
    once per connection instead of on every run: planning was 1.2 ms of read-next's 2.8 ms, and
    0.6 ms of the article's 1.1 ms, at 10,000 articles.

    Django's cursors bind parameters in Python, which cannot prepare; this one binds them on
    the server. It is wrapped as Django wraps its own, so errors, query logging and the test
    suite's query counts see it like any other query."""
    with connection.cursor() as cursor:
        if prepare and prepares_statements():
            import psycopg

            with connection._prepare_cursor(psycopg.Cursor(connection.connection)) as binding:
                binding.execute(sql, params)
                if connection.queries_logged:
                    # psycopg forgets a statement bound on the server once it is sent, so
                    # Django's log (DEBUG, the tests' query counts) would hold None as its SQL.
                    connection.queries_log[-1]["sql"] = connection.ops.compose_sql(sql, params)
                return binding.fetchall()
        cursor.execute(sql, params)
        return cursor.fetchall()


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name):
    """`table.column` for the field `name`, quoted."""
    return f"{table(model)}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def columns(model, fields=None):
    """`table.column, …` for `fields` (default: every concrete field), quoted."""
    quote = connection.ops.quote_name
    return ", ".join(f"{table(model)}.{quote(field.column)}" for field in fields or concrete(model))


def concrete(model, *, leave_out=()):
    return [field for field in model._meta.concrete_fields if field.name not in leave_out]


@functools.lru_cache(maxsize=64)
def converters(fields, vendor):
    """Per column, what the ORM applies to a value read from the database (JSON text parsed,
    SQLite's date strings made datetimes, …)."""
    found = []
    for position, field in enumerate(fields):
        expression = field.get_col(field.model._meta.db_table)
        steps = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
        if steps:
            found.append((position, expression, steps))
    return tuple(found)


class Layout:
    """How a row holding `fields`' columns, in order, becomes an instance of `model`, as a
    queryset builds it (fields left out are deferred): worked out once, not for every row (a
    lookup keyed by the fields hashed each of them, thirty for an article, on every row)."""

    def __init__(self, model, fields):
        self.model = model
        self.fields = tuple(fields)
        self.attnames = [field.attname for field in self.fields]
        self.json_positions = [
            n for n, field in enumerate(self.fields) if isinstance(field, models.JSONField)
        ]
        self.converters_for = {}

    def __len__(self):
        return len(self.fields)

    def instance(self, row):
        """The instance of a row as the database sent it."""
        steps_by_column = self.converters_for.get(connection.vendor)
        if steps_by_column is None:
            steps_by_column = converters(self.fields, connection.vendor)
            self.converters_for[connection.vendor] = steps_by_column
        values = list(row)
        for position, expression, steps in steps_by_column:
            for step in steps:
                values[position] = step(values[position], expression, connection)
        return loaded(self.model, self.attnames, values)

    def from_json(self, values):
        """The instance of values read out of JSON: plain numbers and strings, and JSON fields
        either decoded already (PostgreSQL) or as text (SQLite stores them as text)."""
        if self.json_positions:
            values = list(values)
            for position in self.json_positions:
                if isinstance(values[position], str):
                    values[position] = json.loads(values[position])
        return loaded(self.model, self.attnames, values)


def instance(model, fields, row):
    """`Layout(model, fields).instance(row)`, for a row read once."""
    return Layout(model, fields).instance(row)


def loaded(model, attnames, values):
    """`model.from_db(…)`: an instance of values read from the database, the other fields
    deferred, with the `post_init` signal sent (an image field's dimensions listen to it).

    Without `Model.__init__`'s walk over every field, which was most of the cost of the
    two dozen instances an article page loads; a model something wants to hear `pre_init`
    for (it gets `__init__`'s arguments) is built by `from_db` itself."""
    # Rows here always come through `connection`, the default database: its alias without
    # asking the connection proxy (a thread-local lookup) for every instance.
    if signals.pre_init.has_listeners(model):
        return model.from_db(DEFAULT_DB_ALIAS, attnames, values)
    made = model.__new__(model)
    made._state = state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    made.__dict__.update(zip(attnames, values, strict=True))
    if signals.post_init.has_listeners(model):
        signals.post_init.send(sender=model, instance=made)
    return made
