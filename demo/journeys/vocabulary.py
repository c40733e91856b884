"""The statutory codes and words the journeys pick from, with rough national weights."""

from __future__ import annotations

from ..texts import AT_SCHOOL, BABY, BORN, CRIMINAL_AGE, EXPLOITATION_AGE, Entry, text

SOURCES = (
    ("6", 29),
    ("2A", 18),
    ("2B", 1),
    ("3A", 4),
    ("3B", 3),
    ("3C", 1),
    ("3D", 2),
    ("3E", 2),
    ("3F", 3),
    ("5A", 6),
    ("5B", 3),
    ("5C", 2),
    ("5D", 4),
    ("1A", 5),
    ("1B", 1),
    ("1C", 1),
    ("1D", 1),
    ("4", 2),
    ("7", 1),
    ("8", 5),
    ("9", 2),
    ("10", 1),
)


REFERRER_ORGANISATIONS = {
    "6": ("Leicestershire Police",),
    "2A": (
        "Beaumont Leys Academy",
        "Birstall Primary School",
        "Hinckley Academy",
        "Loughborough Church of England Primary School",
        "Melton Vale Sixth Form College",
        "Ashby School",
        "Market Harborough C of E Academy",
        "Coalville Castle Rock Primary",
    ),
    "2B": ("Education welfare service", "Special educational needs team"),
    "3A": (
        "Charnwood Medical Group",
        "Hinckley Road Surgery",
        "Castle Mead Medical Centre",
        "Market Harborough Medical Centre",
    ),
    "3B": ("Health visiting team",),
    "3C": ("School nursing team",),
    "3D": ("Community midwifery team", "Community paediatrics"),
    "3E": ("Leicester Royal Infirmary emergency department",),
    "3F": ("Child and adolescent mental health service", "Adult mental health team"),
    "4": ("District council housing options team",),
    "5A": ("Children's social care (another team)", "Out-of-hours emergency duty team"),
    "5B": ("Youth justice service", "Early help hub"),
    "5C": ("Another local authority's children's services",),
    "5D": ("Early help team",),
    "7": ("Children and Family Court Advisory and Support Service (Cafcass)", "Probation service"),
    "8": ("Voluntary sector family support", "Women's Aid"),
}


REFERRER_PEOPLE = {"1A": "A relative", "1B": "A neighbour", "1C": "The young person", "1D": "A family friend"}


NEEDS = (("N1", 55), ("N2", 9), ("N3", 3), ("N4", 8), ("N5", 14), ("N6", 3), ("N7", 1), ("N8", 4), ("N9", 3))
# The youngest age (in whole years; -1: before birth) at which each primary need is a believable reason for a
# referral: before birth only the parents' circumstances (abuse or neglect feared, illness, stress, dysfunction, low
# income); a disability or absent parenting once born; socially unacceptable behaviour from the age of criminal
# responsibility.
NEED_FROM_AGE = {"N2": 0, "N6": CRIMINAL_AGE, "N8": 0, "N9": 0}


def needs_at(age: int | None) -> tuple[tuple[str, int], ...]:
    """NEEDS that fit a child of `age` (None: not yet born), with their weights."""
    years = -1 if age is None else age
    return tuple((need, w) for need, w in NEEDS if years >= NEED_FROM_AGE.get(need, -1))


# The primary need of a referral whose story the case notes tell (demo.texts CONCERNS keys).
STORY_NEEDS = {
    "neglect": "N1",
    "domestic_abuse": "N1",
    "injury": "N1",
    "pre_birth": "N1",
    "mental_health": "N3",
    "substance": "N5",
    "absence": "N5",
    "behaviour": "N4",
    "housing": "N7",
}

# Who made a story's contact (the kind demo.texts REFERRERS names) as a CIN census source of referral.
REFERRER_SOURCES = {
    "school": "2A",
    "GP": "3A",
    "health visitor": "3B",
    "health": "3F",
    "housing": "4",
    "police": "6",
    "neighbour": "1B",
    "parent": "1A",
    "anonymous": "9",
}


# What a contact says, by the primary need: each entry said in ways that fit the child's age on the day (the first
# that fits is taken; see demo.texts.choose). No school before school age, no exploitation under 11, no offending under
# the age of criminal responsibility, and an unborn baby's contact is about the pregnancy.
CONCERNS: dict[str, tuple[Entry, ...]] = {
    "N1": (
        (
            text(
                "Bruising to the child's upper arm noticed at school; the explanation given did not fit the injury.",
                ages=AT_SCHOOL,
            ),
            text(
                "Bruising to the baby's upper arm seen by the health visitor; the explanation given did not fit.",
                ages=BABY,
            ),
            text(
                "Bruising to the child's upper arm noticed at nursery; the explanation given did not fit the injury.",
                ages=BORN,
            ),
        ),
        (
            text("Police attended a domestic incident at the home overnight; the child was in the house.", ages=BORN),
            text("Police attended a domestic incident at the home overnight; the mother is pregnant."),
        ),
        (
            text(
                "Home conditions are very poor and the child often arrives at school hungry and in unwashed clothes.",
                ages=AT_SCHOOL,
            ),
            text(
                "Home conditions are very poor and the child is often hungry and in a soiled nappy when the health "
                "visitor calls.",
                ages=BORN,
            ),
        ),
        text("The child told a teacher that a parent hits them when angry.", ages=(5, 18)),
        (
            text("A parent was found under the influence of drugs while caring for the child.", ages=BORN),
            text("The expectant mother was found under the influence of drugs; the midwife is worried for the baby."),
        ),
        (
            text("Repeated missed health appointments and concerns about the child's weight.", ages=BORN),
            text("Repeated missed antenatal appointments and concerns about the baby's growth."),
        ),
        text(
            "Concerns about sexual exploitation: the child is seen getting into cars with older men.",
            ages=(EXPLOITATION_AGE, 18),
        ),
    ),
    "N2": (
        (
            text("The family are struggling to meet the child's needs arising from a severe disability.", ages=BORN),
            text("Scans show the baby will be born with a severe disability; the parents have asked for support."),
        ),
        text("Request for an assessment of short breaks and support for a disabled child.", ages=BORN),
    ),
    "N3": ("A parent's mental health has deteriorated and they are struggling to care for the children.",),
    "N4": (
        "The family are facing eviction and are living in one room at a relative's house.",
        "A parent has died suddenly and the surviving parent is not coping.",
    ),
    "N5": (
        (
            text("Ongoing conflict between the parents, with the child caught in the middle.", ages=BORN),
            text("Ongoing conflict between the parents during the pregnancy."),
        ),
        "A parent is drinking heavily and arguments at home are frequent.",
    ),
    "N6": (
        text("The child has been arrested for criminal damage and is out late most nights.", ages=(CRIMINAL_AGE, 18)),
        (
            text(
                "The child's behaviour at home is out of control and a parent says they can no longer cope.",
                ages=(5, 18),
            ),
            text("A parent says they can no longer cope with the child's behaviour and has asked for help.", ages=BORN),
            text("A parent says they cannot cope with the pregnancy and the other children, and has asked for help."),
        ),
    ),
    "N7": ("The family have no money for food or heating and have asked for help.",),
    "N8": (
        (
            text("The child has been left at home alone for several days.", ages=(8, 18)),
            text("The child was found at home alone overnight.", ages=BORN),
            text("The expectant mother has been sleeping rough and has no home for the baby."),
        ),
        (
            text("The parent is in custody and the child is staying with a friend of the family.", ages=BORN),
            text("The expectant mother is in custody; the baby is due before her release."),
        ),
    ),
    "N9": (
        text("Notification of a private fostering arrangement.", ages=BORN),
        "Request for a report for court proceedings.",
    ),
}


FACTORS = {
    "N1": (
        ("16A", 30),
        ("17A", 20),
        ("3A", 25),
        ("3B", 25),
        ("18B", 8),
        ("19B", 3),
        ("2B", 12),
        ("1B", 10),
        ("4B", 20),
        ("11A", 3),
    ),
    "N2": (("6A", 60), ("5A", 30), ("7A", 5)),
    "N3": (("4B", 60), ("6B", 30), ("5B", 10)),
    "N4": (("4B", 20), ("20", 40), ("3B", 20)),
    "N5": (("3B", 40), ("4B", 30), ("1B", 20), ("2B", 15)),
    "N6": (("14A", 50), ("24A", 20), ("13A", 10), ("2A", 15), ("10A", 10)),
    "N7": (("20", 60), ("4B", 20)),
    "N8": (("16A", 40), ("20", 30), ("8B", 5)),
    "N9": (("20", 50), ("8E", 20), ("21", 30)),
}


ABUSE = (("NEG", 48), ("EMO", 38), ("PHY", 7), ("SAB", 4), ("MUL", 3))


AGENCIES = (
    "Police, health visitor, school",
    "Police, school, GP",
    "Police, health, education",
    "Police, community paediatrician, school",
    "Police and health",
)


CIN_REVIEW_SUMMARIES: tuple[Entry, ...] = (
    (
        text(
            "Plan reviewed with the family and school: progress on routines and attendance; actions carried forward.",
            ages=AT_SCHOOL,
        ),
        text("Plan reviewed with the family and the health visitor: progress on routines; actions carried forward."),
    ),
    "Review meeting held at home. Parents engaging; support from the family support worker continues.",
    (
        text(
            "Plan reviewed with health visitor and nursery. Some improvement; outstanding actions reassigned.",
            ages=(0, 5),
        ),
        text("Plan reviewed with the school nurse and the school. Some improvement; outstanding actions reassigned."),
    ),
    (
        text(
            "Review held at school. Attendance improving; young person's views recorded and plan updated.",
            ages=(11, 18),
        ),
        text(
            "Review held at school. Attendance improving; the child's views recorded and plan updated.", ages=AT_SCHOOL
        ),
        text("Review held at the children's centre. The child is meeting milestones; plan updated."),
    ),
)


HEALTH_ASSESSORS = (
    "Looked-after children's nurse",
    "Community paediatrician",
    "Designated doctor for looked-after children",
    "Specialist nurse, looked-after children's health team",
)


PARTICIPATION = (("PN1", 55), ("PN2", 10), ("PN3", 3), ("PN4", 5), ("PN5", 7), ("PN6", 12), ("PN7", 8))


CHANGE_REASONS = (
    ("LEFTRL", 30),
    ("TSPROC", 25),
    ("MANAGE", 15),
    ("ABSENC", 10),
    ("ORGRST", 5),
    ("CHCHAN", 10),
    ("OTHERS", 5),
)


PLACE_CHANGE = (
    ("CARPL", 30),
    ("CREQB", 20),
    ("CHILD", 10),
    ("CREQO", 12),
    ("STAND", 6),
    ("ALLEG", 4),
    ("LAREQ", 6),
    ("CLOSE", 4),
    ("OTHER", 8),
)


CL_ACTIVITY = (("F2", 25), ("F1", 8), ("F4", 8), ("F5", 12), ("P5", 8), ("G5", 25), ("G4", 6), ("G6", 8))


CL_ACCOMMODATION = (
    ("D1", 25),
    ("U1", 20),
    ("B1", 12),
    ("E1", 8),
    ("Z1", 10),
    ("T1", 6),
    ("K1", 5),
    ("C1", 4),
    ("V2", 3),
    ("S2", 3),
    ("X2", 2),
    ("W2", 2),
)


OTHER_AUTHORITIES = ("856", "857", "855", "892", "891", "860", "937", "931", "935", "383", "380", "873")


UASC_ORIGINS = (
    ("pakistani", "AOTH", ("Pashto", "Dari", "Pashto")),
    ("somali", "BAFR", ("Tigrinya", "Arabic", "Somali")),
    ("turkish", "OOTH", ("Kurdish", "Arabic", "Kurdish")),
    ("pakistani", "OOTH", ("Arabic", "Farsi")),
)


PLAN_END_REASONS = (
    "Risks reduced: step down to a child in need plan",
    "Risks reduced: step down to a child in need plan",
    "Risks reduced: plan no longer needed",
    "Family moved to another local authority",
)
