"""Every existing chronology entry gets its whole text: case notes and visits from their records (their summaries
were cut at 300 characters with line breaks collapsed), the rest from the summary they have."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def whole_text(apps, schema_editor):
    entry = apps.get_model("recording", "ChronologyEntry")
    note = apps.get_model("recording", "CaseNote")
    visit = apps.get_model("recording", "Visit")
    entry.objects.filter(source_type="case_note").update(
        text=Coalesce(Subquery(note.objects.filter(pk=OuterRef("source_id")).values("body")[:1]), F("summary"))
    )
    entry.objects.filter(source_type="visit").update(
        text=Coalesce(Subquery(visit.objects.filter(pk=OuterRef("source_id")).values("notes")[:1]), F("summary"))
    )
    entry.objects.exclude(source_type__in=["case_note", "visit"]).update(text=F("summary"))


class Migration(migrations.Migration):
    dependencies = [("recording", "0003_full_text_corrections_and_siblings")]

    operations = [migrations.RunPython(whole_text, migrations.RunPython.noop)]
