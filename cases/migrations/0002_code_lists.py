"""Statutory code lists for the children's journey (CIN census and SSDA903), with their sources and the collection
years they are valid for (the year a collection ends: 2026 for 2025-26; None means open-ended). Local policy
defaults for timescales an authority may change."""

from django.db import migrations

CIN = "DfE CIN census guide"
SSDA = "DfE SSDA903 guide"

LISTS = {
    "referral_source": (CIN, [
        ("1A", "Individual: family member, relative or carer"), ("1B", "Individual: acquaintance"),
        ("1C", "Individual: self"), ("1D", "Individual: other"), ("2A", "Schools"), ("2B", "Education services"),
        ("3A", "Health: GP"), ("3B", "Health: health visitor"), ("3C", "Health: school nurse"),
        ("3D", "Health: other primary health services"), ("3E", "Health: A&E"), ("3F", "Health: other"),
        ("4", "Housing"), ("5A", "LA services: social care"), ("5B", "LA services: other internal"),
        ("5C", "LA services: external"), ("5D", "LA services: early help"), ("6", "Police"),
        ("7", "Other legal agency"), ("8", "Other"), ("9", "Anonymous"), ("10", "Unknown"),
    ]),
    "primary_need": (CIN, [
        ("N1", "Abuse or neglect"), ("N2", "Child's disability or illness"), ("N3", "Parental disability or illness"),
        ("N4", "Family in acute stress"), ("N5", "Family dysfunction"), ("N6", "Socially unacceptable behaviour"),
        ("N7", "Low income"), ("N8", "Absent parenting"), ("N9", "Cases other than children in need"),
        ("N0", "Not stated"),
    ]),
    "closure_reason": (CIN, [
        ("RC1", "Adopted"), ("RC2", "Died"), ("RC3", "Child arrangements order"), ("RC4", "Special guardianship order"),
        ("RC5", "Transferred to services of another local authority"), ("RC6", "Transferred to adult social care"),
        ("RC7", "Services ceased for any other reason, including child no longer in need"),
        ("RC8", "Case closed after assessment, no further action"), ("RC9", "Case closed after assessment, referred to early help"),
    ]),
    "abuse_category": (CIN, [("NEG", "Neglect"), ("PHY", "Physical abuse"), ("SAB", "Sexual abuse"), ("EMO", "Emotional abuse"), ("MUL", "Multiple")]),
    "assessment_factor": (CIN, [
        ("1A", "Alcohol misuse: child"), ("1B", "Alcohol misuse: parent"), ("1C", "Alcohol misuse: other person"),
        ("2A", "Drug misuse: child"), ("2B", "Drug misuse: parent"), ("2C", "Drug misuse: other person"),
        ("3A", "Domestic abuse: child"), ("3B", "Domestic abuse: parent"), ("3C", "Domestic abuse: other person"),
        ("4A", "Mental health: child"), ("4B", "Mental health: parent"), ("4C", "Mental health: other person"),
        ("5A", "Learning disability: child"), ("5B", "Learning disability: parent"), ("5C", "Learning disability: other person"),
        ("6A", "Physical disability or illness: child"), ("6B", "Physical disability or illness: parent"),
        ("6C", "Physical disability or illness: other person"), ("7A", "Young carer"),
        ("8B", "Privately fostered: other"), ("8C", "Privately fostered: overseas, intending to stay"),
        ("8D", "Privately fostered: overseas, not intending to stay"), ("8E", "Privately fostered: UK family, intending to stay"),
        ("8F", "Privately fostered: UK family, not intending to stay"), ("9A", "Unaccompanied asylum-seeking child"),
        ("10A", "Missing"), ("11A", "Child sexual exploitation"), ("12A", "Trafficking"), ("13A", "Gangs"),
        ("14A", "Socially unacceptable behaviour"), ("15A", "Self-harm"), ("16A", "Abuse or neglect: neglect"),
        ("17A", "Abuse or neglect: emotional abuse"), ("18B", "Abuse or neglect: physical abuse by a parent or carer"),
        ("18C", "Abuse or neglect: physical abuse by another person"), ("19B", "Abuse or neglect: sexual abuse by a parent or carer"),
        ("19C", "Abuse or neglect: sexual abuse by another person"), ("20", "Other"), ("21", "No factors identified"),
        ("22A", "Female genital mutilation"), ("23A", "Faith or belief linked abuse"), ("24A", "Child criminal exploitation"),
    ]),
    "legal_status": (SSDA, [
        ("C1", "Interim care order"), ("C2", "Full care order"), ("D1", "Freeing order granted"),
        ("E1", "Placement order granted"), ("V2", "Single period of accommodation under section 20"),
        ("V3", "Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded"),
        ("V4", "Accommodated under an agreed series of short-term breaks, when agreements are recorded"),
        ("L1", "Under police protection and in local authority accommodation"), ("L2", "Emergency protection order"),
        ("L3", "Under child assessment order and in local authority accommodation"),
        ("J1", "Remanded to local authority accommodation or youth detention accommodation"),
        ("J2", "Placed in local authority accommodation under PACE"), ("J3", "Sentenced to a youth rehabilitation order with residence or fostering requirement"),
    ]),
    "reason_new_episode": (SSDA, [
        ("S", "Started to be looked after"), ("L", "Change of legal status only"), ("P", "Change of placement only"),
        ("T", "Change of legal status and placement"), ("B", "Back to the same placement after a break"),
        ("U", "Change of legal status and back to the same placement"),
    ]),
    "la_category_of_need": (SSDA, [
        ("N1", "Abuse or neglect"), ("N2", "Child's disability"), ("N3", "Parental illness or disability"),
        ("N4", "Family in acute stress"), ("N5", "Family dysfunction"), ("N6", "Socially unacceptable behaviour"),
        ("N7", "Low income"), ("N8", "Absent parenting"),
    ]),
    "placement_provider": (SSDA, [
        ("PR0", "Parent or other person with parental responsibility"), ("PR1", "Own provision (by the council)"),
        ("PR2", "Other local authority provision"), ("PR3", "Other public provision"), ("PR4", "Private provision"),
        ("PR5", "Voluntary or third sector provision"),
    ]),
    "sw_change_reason": (SSDA, [
        ("MANAGE", "Management decision"), ("FCONTA", "Family or child asked for a change"),
        ("LEFTRL", "Social worker left the role"), ("ORGRST", "Organisational restructure"),
        ("TSPROC", "Transfer between teams as part of normal process"), ("ABSENC", "Social worker absent"),
        ("CHCHAN", "Change in the child's circumstances"), ("PCCHAN", "Change in placement"),
        ("SWDIED", "Social worker died"), ("OTHERS", "Other"),
    ]),
}


def load(apps, schema_editor):
    Code = apps.get_model("core", "Code")
    for list_name, (source, rows) in LISTS.items():
        for order, (code, label) in enumerate(rows):
            Code.objects.update_or_create(
                list_name=list_name, code=code, defaults={"label": label, "source": source, "sort_order": order}
            )
    Policy = apps.get_model("cases", "TimescalePolicy")
    for key, value, unit, description in [
        ("cp_visit_interval", 10, "working_days", "Visits to a child on a child protection plan, at most every"),
        ("cin_review_interval", 3, "months", "Child in need plan reviews, at most every"),
    ]:
        Policy.objects.get_or_create(key=key, defaults={"value": value, "unit": unit, "description": description})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("core", "0002_code_lists")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
