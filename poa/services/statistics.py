"""The database's statistics of its tables, which its planner reads to choose how to run each
query. PostgreSQL gathers them on its own only some time after a table changes; right after a
bulk load (a year's workbook, a generated municipality) the planner would still believe the
tables empty and could choose a plan that walks every meta for every row. So the loads refresh
them as soon as their transaction is committed (SQLite keeps the same kind of statistics)."""

from django.db import connection, transaction


def refresh_after_commit():
    """ANALYZE once the transaction under way is committed (at once outside one)."""
    transaction.on_commit(refresh)


def refresh():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
