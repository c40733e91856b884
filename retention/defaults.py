"""The default retention schedule, with where each rule comes from (docs/evidence/retention-schedule.md): (class,
trigger, years, years after a death before 18, source). Shipped by migration 0002, and put back by
`retention.services.rule_rows` for any class that has no rule (an emptied table must never stop a record being saved).
Administrators change them at /retention/rules."""

RULES = [
    (
        "adoption",
        "adoption_order",
        100,
        None,
        "Adoption Agencies Regulations 2005, regulation 42: kept for at least 100 years from the date of the "
        "adoption order",
    ),
    (
        "looked_after",
        "birth",
        75,
        15,
        "Care Planning, Placement and Case Review (England) Regulations 2010, regulation 50: until the 75th "
        "anniversary of the child's date of birth, or 15 years from the date of death if the child dies before 18. "
        "An authority whose policy is 75 years from the 18th birthday sets 93 years",
    ),
    (
        "care_leaver",
        "birth",
        75,
        15,
        "A care leaver's record is their looked-after child's case record: Care Planning, Placement and Case Review "
        "(England) Regulations 2010, regulation 50 (75th anniversary of the date of birth)",
    ),
    (
        "child_protection",
        "case_closed",
        35,
        None,
        "The authority's retention schedule (default: 35 years after the case closes, a common local authority "
        "choice for child protection records; confirm against your schedule)",
    ),
    (
        "child_in_need",
        "birth",
        25,
        None,
        "The authority's retention schedule (default: until the 25th birthday, a common local authority choice for "
        "children in need who were not looked after; confirm against your schedule)",
    ),
    (
        "adult",
        "case_closed",
        8,
        None,
        "Records Management Code of Practice for Health and Social Care 2021: adult social care records, 8 years "
        "after care ended (the authority's schedule may say otherwise)",
    ),
    (
        "other",
        "last_activity",
        6,
        None,
        "The authority's retention schedule (default: 6 years after the last thing recorded, the Limitation Act 1980 "
        "period, for people known only through contacts or as relatives)",
    ),
]
