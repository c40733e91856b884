"""Contact with care leavers around their 17th to 21st birthdays (SSDA903 OC3)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from cases.codes import check_code
from cases.models import LookedAfterEpisode
from cases.models_looked_after import CareLeaverContact
from cases.rules.timescales import CARE_LEAVER_MAX_AGE, CARE_LEAVER_MIN_AGE, oc3_birthday
from cases.services.kernel import audit_step, date_errors, noon, ordinal, require_born
from cases.services.looked_after.episodes_read import episode_on
from core.actors import Actor, actor_or_none
from core.codes import label
from core.dates import age_on, long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def care_leaver_contact_record(
    *, actor: Actor, person: Person, contact_on: date | None, in_touch: str, activity: str, accommodation: str
) -> CareLeaverContact:
    """Contact with a care leaver aged 16 to 25: whether the authority is in touch, and the young person's activity
    and accommodation. A contact around the 17th to 21st birthday counts for the SSDA903 OC3 return."""
    errors = date_errors(contact_on, "contact_on", "date of the contact", person)
    errors.update(check_code("oc3_in_touch", in_touch, "in_touch", "Select whether you are in touch"))
    errors.update(check_code("oc3_activity", activity, "activity", "Select the young person's activity"))
    errors.update(
        check_code("oc3_accommodation", accommodation, "accommodation", "Select the young person's accommodation")
    )
    if errors:
        raise RuleError(errors)
    assert contact_on is not None
    born = require_born(person, "record contact with them as a care leaver")
    age = age_on(born, contact_on)
    if age < CARE_LEAVER_MIN_AGE:
        raise RuleError(
            {
                "contact_on": f"{person.full_name} was {age}: care leaver contacts are for young people aged 16 to 25. "
                "Record contact with a looked-after child as a visit."
            }
        )
    if age > CARE_LEAVER_MAX_AGE:
        raise RuleError(
            {
                "contact_on": f"{person.full_name} was {age}: leaving care support ends at 25. Record the contact as a "
                "case note."
            }
        )
    if not LookedAfterEpisode.objects.filter(person=person, started_on__lte=contact_on).exists():
        # SSDA903 rule 1002
        raise RuleError(f"{person.full_name} has no period of care recorded, so is not a care leaver")
    if episode_on(person, contact_on) is not None:
        raise RuleError(
            {"contact_on": f"{person.full_name} was still looked after on {long_date(contact_on)}: record a visit"}
        )
    if in_touch in ("DIED", "RHOM") and (activity != "0" or accommodation != "0"):
        raise RuleError(
            # SSDA903 rule 344
            {
                "activity": "When the young person has died or returned home, select not applicable for activity and accommodation"
            }
        )
    if in_touch == "YES" and (activity == "0" or accommodation == "0"):
        raise RuleError(
            # SSDA903 rule 345
            {"activity": "When you are in touch, record the young person's activity and accommodation"}
        )
    if CareLeaverContact.objects.filter(person=person, in_touch="DIED", contact_on__lt=contact_on).exists():
        # SSDA903 rule 348
        raise RuleError("This young person has been recorded as having died")
    counts_for = oc3_birthday(born, contact_on)
    if counts_for == 17 and accommodation.startswith("Z"):
        raise RuleError(
            # SSDA903 rule 3001
            {"accommodation": "At 17 a young person cannot be living with former foster carers: select where they live"}
        )
    if accommodation.startswith("T") and age < 18:
        raise RuleError(
            # SSDA903 rule 347
            {"accommodation": "Care leavers under 18 cannot be accommodated in a foyer: select where they live"}
        )
    if CareLeaverContact.objects.filter(person=person, contact_on=contact_on).exists():
        raise RuleError({"contact_on": f"A contact on {long_date(contact_on)} is already recorded"})
    contact = CareLeaverContact.objects.create(
        person=person,
        contact_on=contact_on,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        birthday=counts_for,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    chronology_add(
        person=person,
        occurred_at=noon(contact_on),
        entry_type=EntryType.LOOKED_AFTER,
        title="Care leaver contact" + (f" around the {ordinal(counts_for)} birthday" if counts_for else ""),
        summary=(
            f"In touch: {label('oc3_in_touch', in_touch)}. Activity: {label('oc3_activity', activity)}. "
            f"Accommodation: {label('oc3_accommodation', accommodation)}."
        ),
        source_type="careleavercontact",
        source_id=contact.pk,
        actor=actor,
    )
    audit_step(
        actor,
        AuditAction.CREATE,
        contact,
        person.pk,
        ["contact_on", "in_touch", "activity", "accommodation", "birthday"],
    )
    return contact
