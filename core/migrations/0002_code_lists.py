"""Official code lists, with their source and the collection years they are valid for.

Years are the year a collection ends (2025 = 2024-25). Sex M/F/U replaced 1/2/0 in the CIN census and SSDA903 from
2024-25.
"""

from django.db import migrations

CIN = "DfE CIN census guide"
LISTS = {
    "ethnicity": (
        CIN,
        None,
        [
            ("WBRI", "White British"),
            ("WIRI", "White Irish"),
            ("WIRT", "Traveller of Irish heritage"),
            ("WOTH", "Any other White background"),
            ("WROM", "Gypsy or Roma"),
            ("MWBC", "White and Black Caribbean"),
            ("MWBA", "White and Black African"),
            ("MWAS", "White and Asian"),
            ("MOTH", "Any other mixed background"),
            ("AIND", "Indian"),
            ("APKN", "Pakistani"),
            ("ABAN", "Bangladeshi"),
            ("AOTH", "Any other Asian background"),
            ("BCRB", "Black Caribbean"),
            ("BAFR", "Black African"),
            ("BOTH", "Any other Black background"),
            ("CHNE", "Chinese"),
            ("OOTH", "Any other ethnic group"),
            ("REFU", "Refused"),
            ("NOBT", "Information not yet obtained"),
        ],
    ),
    "sex": (CIN, 2025, [("M", "Male"), ("F", "Female"), ("U", "Not known")]),
}


def load(apps, schema_editor):
    Code = apps.get_model("core", "Code")
    for list_name, (source, from_year, rows) in LISTS.items():
        for order, (code, label) in enumerate(rows):
            Code.objects.update_or_create(
                list_name=list_name,
                code=code,
                defaults={"label": label, "source": source, "valid_from_year": from_year, "sort_order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
