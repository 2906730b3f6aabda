"""Whole numbers unless the unit of measure admits decimals, enforced by the database itself:
a check constraint cannot see the meta's unit, so a trigger does."""

from django.db import migrations

from poa.migrations._triggers import POSTGRES, POSTGRES_DROP, SQLITE, SQLITE_DROP, run


class Migration(migrations.Migration):
    dependencies = [("poa", "0002_conac_clasificacion_funcional")]
    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
