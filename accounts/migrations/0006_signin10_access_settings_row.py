"""The one AccessSettings row (pk=1) with its defaults, so that reading the settings on every request never writes
(accounts.sign_in.session_timeouts still creates it if it has gone)."""

from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("accounts", "AccessSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_access_settings_tokens_notifications")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
