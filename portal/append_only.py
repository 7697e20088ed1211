"""Tables whose rows are never changed (the audit, the account log, case notes): on
PostgreSQL a trigger refuses UPDATE and DELETE of any row, whoever connects.  Their
models and querysets refuse too, on every database; this is the database's own guard.

PostgreSQL only: SQLite has no TRUNCATE, and the test flushes there DELETE every row."""

from django.db import migrations


def _create(table: str, message: str) -> str:
    function = f"{table}_append_only"
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {function}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""


def _drop(table: str) -> str:
    function = f"{table}_append_only"
    return f"""
DROP TRIGGER IF EXISTS {function} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""


def append_only(*tables: str, message: str) -> migrations.RunPython:
    """A migration operation putting the trigger on each of ``tables`` (reversible)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_create(table, message))

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_drop(table))

    return migrations.RunPython(create, drop)
