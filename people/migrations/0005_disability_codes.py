"""The CIN census disability codes (DfE CIN census guide)."""

from django.db import migrations

CODES = [
    ("NONE", "No disability"),
    ("MOB", "Mobility"),
    ("HAND", "Hand function"),
    ("PC", "Personal care"),
    ("INC", "Incontinence"),
    ("COMM", "Communication"),
    ("LD", "Learning"),
    ("HEAR", "Hearing"),
    ("VIS", "Vision"),
    ("BEH", "Behaviour"),
    ("CON", "Consciousness"),
    ("AUT", "Autism or Asperger syndrome"),
    ("DDA", "Other disability (Equality Act 2010)"),
]


def load(apps, schema_editor):
    Code = apps.get_model("core", "Code")
    for order, (code, label) in enumerate(CODES):
        Code.objects.update_or_create(
            list_name="disability", code=code, defaults={"label": label, "source": "DfE CIN census guide", "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0004_person_disabilities"), ("core", "0002_code_lists")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
