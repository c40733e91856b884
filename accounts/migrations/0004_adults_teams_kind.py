"""Teams already marked as adults' services are adults' teams (they hold no children's cases)."""

from django.db import migrations


def adults_kind(apps, schema_editor):
    Team = apps.get_model("accounts", "Team")
    Team.objects.filter(service_area="adults").update(kind="adults")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_team_kind")]

    operations = [migrations.RunPython(adults_kind, migrations.RunPython.noop)]
