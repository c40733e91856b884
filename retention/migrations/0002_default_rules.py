"""The default retention schedule, with where each rule comes from (docs/evidence/retention-schedule.md).
Administrators change them at /retention/rules; a change is audited and the records of that class worked out again."""

from django.db import migrations

from retention.defaults import RULES


def load(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for cls, trigger, years, after_death, source in RULES:
        RetentionRule.objects.update_or_create(
            retention_class=cls,
            defaults={"trigger": trigger, "years": years, "after_death_years": after_death, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
