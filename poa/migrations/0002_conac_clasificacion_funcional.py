"""Loads the CONAC functional classification (DOF 27-12-2010): a national catalog that every
year's units point to, so it is present in every database without a separate step."""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "conac.json"


def load(apps, schema_editor):
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        model = apps.get_model(row["model"])
        fields = {
            (f"{key}_id" if key in ("finalidad", "funcion") else key): value
            for key, value in row["fields"].items()
        }
        model.objects.update_or_create(clave=row["pk"], defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("poa", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
