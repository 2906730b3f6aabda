"""The whole-number triggers of migration 0003, kept here so later migrations that rebuild
poa_meta or poa_unidadmedida on SQLite (which drops and renames the table) can take them down
first and put them back after."""

MESSAGE = "La unidad de medida solo admite números enteros."

SQLITE = [
    f"""
    CREATE TRIGGER poa_progress_whole_{event.lower()} BEFORE {event} ON poa_quarterlyprogress
    WHEN (SELECT u.admite_decimales FROM poa_meta m
          JOIN poa_unidadmedida u ON u.id = m.unidad_medida_id WHERE m.id = NEW.meta_id) = 0
     AND (CAST(NEW.programado AS REAL) <> CAST(CAST(NEW.programado AS REAL) AS INTEGER)
          OR (NEW.alcanzado IS NOT NULL
              AND CAST(NEW.alcanzado AS REAL) <> CAST(CAST(NEW.alcanzado AS REAL) AS INTEGER)))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
] + [
    f"""
    CREATE TRIGGER poa_meta_whole_{event.lower()} BEFORE {event} ON poa_meta
    WHEN (SELECT admite_decimales FROM poa_unidadmedida WHERE id = NEW.unidad_medida_id) = 0
     AND CAST(NEW.meta_anual AS REAL) <> CAST(CAST(NEW.meta_anual AS REAL) AS INTEGER)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS poa_{table}_whole_{event};"
    for table in ("progress", "meta")
    for event in ("insert", "update")
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION poa_progress_whole() RETURNS trigger AS $$
    BEGIN
      IF NOT (SELECT u.admite_decimales FROM poa_meta m
              JOIN poa_unidadmedida u ON u.id = m.unidad_medida_id WHERE m.id = NEW.meta_id)
         AND (NEW.programado <> trunc(NEW.programado)
              OR coalesce(NEW.alcanzado <> trunc(NEW.alcanzado), false)) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER poa_progress_whole BEFORE INSERT OR UPDATE ON poa_quarterlyprogress
    FOR EACH ROW EXECUTE FUNCTION poa_progress_whole();
    """,
    f"""
    CREATE OR REPLACE FUNCTION poa_meta_whole() RETURNS trigger AS $$
    BEGIN
      IF NOT (SELECT admite_decimales FROM poa_unidadmedida WHERE id = NEW.unidad_medida_id)
         AND NEW.meta_anual <> trunc(NEW.meta_anual) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER poa_meta_whole BEFORE INSERT OR UPDATE ON poa_meta
    FOR EACH ROW EXECUTE FUNCTION poa_meta_whole();
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS poa_progress_whole ON poa_quarterlyprogress;",
    "DROP TRIGGER IF EXISTS poa_meta_whole ON poa_meta;",
    "DROP FUNCTION IF EXISTS poa_progress_whole();",
    "DROP FUNCTION IF EXISTS poa_meta_whole();",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


def drop_and_recreate(operations):
    """operations wrapped by dropping the SQLite triggers before and creating them after."""
    from django.db import migrations

    drop = migrations.RunPython(run({"sqlite": SQLITE_DROP}), run({"sqlite": SQLITE}))
    create = migrations.RunPython(run({"sqlite": SQLITE}), run({"sqlite": SQLITE_DROP}))
    return [drop, *operations, create]
