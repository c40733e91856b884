"""SSDA903 code lists for the looked-after part of the journey, valid for the 2025-26 collection (2026).

Code values are the official ones: the sets the DfE validation rules accept in 2025-26, as implemented by Data to
Insight in csc-validator-be-903 0.1.17 (rules 146 PLACE, 149 REC, 1009 REASON_PLACE_CHANGE, 167 REVIEW_CODE,
196 SDQ_REASON, 1006 MISSING, 131 IN_TOUCH, 132 ACTIV, 133 ACCOM, 176 SEX_ADOPTR, 177 LS_ADOPTR,
120 REASON_PLACED_CEASED, 631 PREV_PERM, 105 UASC). In 2025-26 placement types Z11-Z14 replace Z1 and K3 (since
2023-24) replaces H5; P2 is gone; accommodation S and X exist only as S2 and X2 (never suitable).

Labels: the validator package holds no labels, and we could not read the DfE SSDA903 guide itself, so NONE of the
labels below is the official wording. All are ours: short plain-English summaries of what each code means in the
DfE guide. Where the meaning is stated by a validation rule we rely on that rule (adopters' legal status: rules 514,
517-520, 524; accommodation Z = former foster carers: rule 3001, T = foyer: rule 347; in touch RHOM: rule 344;
temporary placements T1, T3, T4: rules 375-379; SDQ1: rule 157; PN0: rules 440, 441). Labels ending "(check the DfE
guide)" are ones whose exact meaning we are not sure of: placement types K3, T0 and Z11-Z14, activities F4, P4, F5,
P5 and previous permanence P4. Replace any label with the guide's wording when it is to hand.

Also corrects the labels of reason_new_episode (loaded by 0002) to their SSDA903 meaning, which the validation rules
fix: L legal status only (434); P and T placement only (435), T with the same carers (217); B and U both (436), U with
the same carers (217); temporary placements start with P or B (380) and the return from one is P (383). B is not "back
to the same placement".
"""

from django.db import migrations

SSDA = "DfE SSDA903 guide 2025-26 (codes via csc-validator-be-903 0.1.17; labels ours)"
CHECK = " (check the DfE guide)"

LISTS = {
    "placement_type": [
        ("A3", "Placed for adoption with parental or guardian consent, with current foster carers"),
        ("A4", "Placed for adoption with parental or guardian consent, not with current foster carers"),
        ("A5", "Placed for adoption with a placement order, with current foster carers"),
        ("A6", "Placed for adoption with a placement order, not with current foster carers"),
        ("K1", "Secure children's home"),
        ("K2", "Children's home subject to the Children's Homes Regulations"),
        ("K3", "Supported accommodation registered with Ofsted, for ages 16 and 17" + CHECK),
        ("P1", "Placed with own parents or other person with parental responsibility"),
        ("P3", "Residential employment"),
        ("R1", "Residential care home"),
        ("R2", "NHS or health trust, or other establishment giving medical or nursing care"),
        ("R3", "Family centre or mother and baby unit"),
        ("R5", "Young offender institution or prison"),
        ("S1", "Residential school, unless also registered as a children's home"),
        ("T0", "Temporary move of any other kind" + CHECK),
        ("T1", "Temporary period in hospital"),
        ("T2", "Temporary absence of the child on holiday"),
        ("T3", "Temporary accommodation while the usual foster carers are on holiday"),
        ("T4", "Temporary accommodation of seven days or less, for a reason not covered by T1 to T3"),
        ("U1", "Foster placement with a relative or friend: long-term fostering"),
        ("U2", "Foster placement with a relative or friend who is an approved adopter: fostering for adoption or concurrent planning"),
        ("U3", "Foster placement with a relative or friend: not long-term, not fostering for adoption"),
        ("U4", "Foster placement with other foster carers: long-term fostering"),
        ("U5", "Foster placement with other foster carers who are approved adopters: fostering for adoption or concurrent planning"),
        ("U6", "Foster placement with other foster carers: not long-term, not fostering for adoption"),
        ("Z11", "Other placement, not registered with Ofsted: Z11" + CHECK),
        ("Z12", "Other placement, not registered with Ofsted: Z12" + CHECK),
        ("Z13", "Other placement, not registered with Ofsted: Z13" + CHECK),
        ("Z14", "Other placement, not registered with Ofsted: Z14" + CHECK),
    ],
    "reason_episode_ceased": [
        ("X1", "Episode ends and a new one starts the same day: the child stays looked after"),
        ("E11", "Adopted: application for the adoption order unopposed"),
        ("E12", "Adopted: consent dispensed with by the court"),
        ("E2", "Died"),
        ("E3", "Care taken over by another local authority in the UK"),
        ("E4A", "Returned home to parents or others with parental responsibility, as part of the care plan"),
        ("E4B", "Returned home to parents or others with parental responsibility, not as part of the care plan"),
        ("E13", "Left care to live with parents, relatives or others without parental responsibility"),
        ("E41", "Residence order or child arrangements order (who the child lives with) granted"),
        ("E45", "Special guardianship order made to former foster carers who are relatives or friends"),
        ("E46", "Special guardianship order made to former foster carers who are not relatives or friends"),
        ("E47", "Special guardianship order made to carers, not former foster carers, who are relatives or friends"),
        ("E48", "Special guardianship order made to carers, not former foster carers, who are not relatives or friends"),
        ("E5", "Moved to independent living with formal advice and support (such as a hostel or foyer)"),
        ("E6", "Moved to independent living without formal advice and support (such as a flat or bedsit)"),
        ("E7", "Transferred to residential care funded by adult social care"),
        ("E8", "Stopped being looked after for any other reason"),
        ("E9", "Sentenced to custody"),
        ("E14", "Accommodation on remand ended"),
        ("E15", "Age assessment found the young person is 18 or over"),
        ("E16", "Child moved abroad"),
        ("E17", "Aged 18 or over and stayed with the current carers (including staying put)"),
    ],
    "reason_place_change": [
        ("CARPL", "Change to, or carrying out of, the care plan"),
        ("CLOSE", "Provider resigned or the provision closed"),
        ("ALLEG", "Allegation (section 47)"),
        ("STAND", "Concern about standards of care"),
        ("APPRR", "Approval removed"),
        ("CREQB", "Carers asked for the placement to end because of the child's behaviour"),
        ("CREQO", "Carers asked for the placement to end, for another reason"),
        ("CHILD", "Child asked for the placement to end"),
        ("LAREQ", "Responsible or area authority asked for the placement to end"),
        ("PLACE", "Change in the status of the placement only"),
        ("CUSTOD", "Custody arrangement"),
        ("OTHER", "Other"),
    ],
    "review_participation": [
        ("PN0", "Child under 4 at the time of the review"),
        ("PN1", "Child attends and speaks for themselves"),
        ("PN2", "Child attends and an advocate speaks for them"),
        ("PN3", "Child attends and conveys their views without words"),
        ("PN4", "Child attends but does not convey their views"),
        ("PN5", "Child does not attend but briefs an advocate to speak for them"),
        ("PN6", "Child does not attend but conveys their views another way"),
        ("PN7", "Child does not attend and their views are not conveyed"),
    ],
    "sdq_reason": [
        ("SDQ1", "No form returned: child under 4 or over 16 at the latest assessment"),
        ("SDQ2", "Carers refused to complete and return the questionnaire"),
        ("SDQ3", "Not possible because of the severity of the child's disability"),
        ("SDQ4", "Other"),
        ("SDQ5", "Child or young person refused to allow an SDQ to be completed"),
    ],
    "missing_type": [("M", "Missing"), ("A", "Away from placement without authorisation")],
    "oc3_in_touch": [
        ("YES", "Yes, in touch"),
        ("NO", "Not in touch"),
        ("DIED", "Young person has died"),
        ("REFU", "Young person refuses contact"),
        ("NREQ", "Young person no longer needs services"),
        ("RHOM", "Returned to live with parents or others with parental responsibility for 6 months or more"),
    ],
    "oc3_activity": [
        ("F1", "Full time in higher education"),
        ("P1", "Part time in higher education"),
        ("F2", "Full time in education other than higher education"),
        ("P2", "Part time in education other than higher education"),
        ("F4", "Full time in training or an apprenticeship" + CHECK),
        ("P4", "Part time in training or an apprenticeship" + CHECK),
        ("F5", "Full time in employment" + CHECK),
        ("P5", "Part time in employment" + CHECK),
        ("G4", "Not in education, training or employment: illness or disability"),
        ("G5", "Not in education, training or employment: other reasons"),
        ("G6", "Not in education, training or employment: pregnancy or parenting"),
        ("0", "Not applicable"),
    ],
    "oc3_accommodation": [
        (f"{letter}{n}", f"{place}: {'suitable' if n == 1 else 'not suitable'}")
        for letter, place, suffixes in [
            ("B", "With parents or relatives", (1, 2)),
            ("C", "Community home or other residential care", (1, 2)),
            ("D", "Semi-independent, transitional accommodation", (1, 2)),
            ("E", "Supported lodgings", (1, 2)),
            ("G", "Gone abroad", (1, 2)),
            ("H", "Deported", (1, 2)),
            ("K", "Ordinary lodgings, without formal support", (1, 2)),
            ("R", "Residence not known", (1, 2)),
            ("S", "No fixed abode or homeless", (2,)),
            ("T", "Foyer or similar supported accommodation (18 and over)", (1, 2)),
            ("U", "Independent living, such as a tenancy of a flat or house", (1, 2)),
            ("V", "Emergency accommodation, such as a night shelter or emergency hostel", (1, 2)),
            ("W", "Bed and breakfast", (1, 2)),
            ("X", "In custody", (2,)),
            ("Y", "Other accommodation", (1, 2)),
            ("Z", "With former foster carers", (1, 2)),
        ]
        for n in suffixes
    ]
    + [("0", "Not applicable")],
    "adopter_sex": [
        ("M1", "One adopter, male"),
        ("F1", "One adopter, female"),
        ("MM", "Two adopters, both male"),
        ("FF", "Two adopters, both female"),
        ("MF", "Two adopters, male and female"),
    ],
    "adopter_legal_status": [
        ("L0", "Single adopter"),
        ("L11", "Married couple of different sexes"),
        ("L12", "Married couple of the same sex"),
        ("L2", "Civil partners"),
        ("L3", "Unmarried couple of different sexes"),
        ("L4", "Unmarried couple of the same sex"),
    ],
    "reason_placed_ceased": [
        ("RD1", "The child's needs changed after the decision"),
        ("RD2", "The court did not make a placement order"),
        ("RD3", "Prospective adopters could not be found"),
        ("RD4", "Any other reason"),
    ],
    "prev_perm": [
        ("P1", "Adoption"),
        ("P2", "Special guardianship order"),
        ("P3", "Residence order or child arrangements order (who the child lives with)"),
        ("P4", "Previous permanence option P4" + CHECK),
        ("Z1", "No previous permanence arrangement"),
    ],
    "uasc": [("0", "Not an unaccompanied asylum-seeking child"), ("1", "Unaccompanied asylum-seeking child")],
}

VALID_FROM = {("placement_type", code): 2026 for code in ("Z11", "Z12", "Z13", "Z14")}

REASON_NEW_EPISODE = [
    ("S", "Started to be looked after"),
    ("L", "Change of legal status only"),
    ("P", "Change of placement and carers"),
    ("T", "Change of placement, same carers"),
    ("B", "Change of legal status, placement and carers"),
    ("U", "Change of legal status and placement, same carers"),
]


def load(apps, schema_editor):
    Code = apps.get_model("core", "Code")
    for list_name, rows in LISTS.items():
        for order, (code, label) in enumerate(rows):
            Code.objects.update_or_create(
                list_name=list_name,
                code=code,
                defaults={
                    "label": label,
                    "source": SSDA,
                    "sort_order": order,
                    "valid_from_year": VALID_FROM.get((list_name, code)),
                },
            )
    for order, (code, label) in enumerate(REASON_NEW_EPISODE):
        Code.objects.filter(list_name="reason_new_episode", code=code).update(label=label, sort_order=order)


def unload(apps, schema_editor):
    apps.get_model("core", "Code").objects.filter(list_name__in=list(LISTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_looked_after"), ("core", "0002_code_lists")]
    operations = [migrations.RunPython(load, unload)]
