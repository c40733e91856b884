"""SW_REASON FCONTA is "first contact": the reason on a child's first social worker episode, or on one that starts
after a gap (DfE's rules SW10aSTG2/SW10bSTG2 exempt it from the 7-day continuity check). 0002 called it "Family or
child asked for a change"."""

from django.db import migrations

LABEL = "First contact (the child's first social worker, or a new start after a gap)"
OLD = "Family or child asked for a change"


def relabel(apps, schema_editor):
    apps.get_model("core", "Code").objects.filter(list_name="sw_change_reason", code="FCONTA").update(label=LABEL)


def restore(apps, schema_editor):
    apps.get_model("core", "Code").objects.filter(list_name="sw_change_reason", code="FCONTA").update(label=OLD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_transfers_in_and_health_tasks")]

    operations = [migrations.RunPython(relabel, restore)]
