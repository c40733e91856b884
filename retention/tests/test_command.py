"""`casework retention due|hold|release|recalculate` as an operator uses them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from people.tests.factories import person
from retention.models import LegalHold, PersonRetention

pytestmark = [pytest.mark.django_db]


def run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_due_lists_each_record_with_its_rule_and_holds_leave_it_off():
    child = person("Ava", "Stone", date(1980, 1, 1))
    assert run("due") == "No records are due for disposal review.\n"
    PersonRetention.objects.filter(person=child).update(review_on=timezone.localdate() - timedelta(days=1))
    listed = json.loads(run("due", "--json"))
    assert listed["count"] == 1
    assert listed["due"][0]["person_id"] == child.pk
    assert "Source: Records Management Code of Practice" in listed["due"][0]["rule"]
    assert f"Record {child.pk}: Adult, due" in run("due")

    placed = run("hold", "--person", str(child.pk), "--kind", "inquiry", "--reason", "Public inquiry")
    hold = LegalHold.objects.get()
    assert placed.startswith(f"Legal hold {hold.pk} placed on record {child.pk}")
    assert json.loads(run("due", "--json"))["count"] == 0
    assert run("release", "--hold", str(hold.pk), "--reason", "Inquiry closed").startswith(f"Legal hold {hold.pk}")
    assert json.loads(run("due", "--json"))["count"] == 1
    with pytest.raises(CommandError, match="This hold was already released on"):
        run("release", "--hold", str(hold.pk), "--reason", "Again")


def test_unknown_records_and_holds_are_named():
    with pytest.raises(CommandError, match="There is no record 999999"):
        run("hold", "--person", "999999", "--kind", "litigation", "--reason", "Claim")
    with pytest.raises(CommandError, match="There is no legal hold 999999"):
        run("release", "--hold", "999999", "--reason", "Done")


def test_recalculate_works_out_every_record():
    child = person("Ava", "Stone", date(1980, 1, 1))
    PersonRetention.objects.all().delete()
    assert run("recalculate") == "Retention worked out for 1 record.\n"
    assert PersonRetention.objects.get(person=child).retention_class == "adult"
