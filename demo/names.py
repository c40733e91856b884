"""Names for the demo authority, by ethnicity, taken from Faker's provider classes (read as plain lists, never through
Faker's own random generator) plus a few short hand lists where Faker has nothing in Latin script.

Everything here is deterministic: callers pass their own `random.Random`.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from people.matching import nickname_rows


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the space-separated words of `text` (keeps long name lists readable)."""
    return tuple(text.split())


# England's mix, roughly (ONS 2021 census, all ages), as CIN census codes and percentages.
ETHNICITY_WEIGHTS: dict[str, float] = {
    "WBRI": 74.0,
    "WOTH": 6.0,
    "AIND": 3.0,
    "APKN": 2.7,
    "BAFR": 2.5,
    "AOTH": 1.6,
    "OOTH": 1.5,
    "ABAN": 1.1,
    "BCRB": 1.1,
    "MWBC": 1.0,
    "MWAS": 0.8,
    "MWBA": 0.7,
    "CHNE": 0.7,
    "MOTH": 0.5,
    "WIRI": 0.5,
    "BOTH": 0.5,
    "NOBT": 0.8,
    "REFU": 0.3,
    "WROM": 0.1,
    "WIRT": 0.1,
}

# Modern English first names (births from about 2000), to mix with Faker's en_GB lists, which lean older.
_MODERN_MALE = _words(
    "Oliver Harry George Jack Noah Leo Arthur Oscar Charlie Jacob Thomas Freddie Alfie Theo Archie Henry Joshua "
    "William James Isaac Logan Ethan Lucas Max Finley Mason Alexander Edward Teddy Reggie Tommy Albie Rory Hugo "
    "Ronnie Louie Riley Harrison Tyler Kai Jayden Dylan Ellis Jenson Elliot Sonny Frankie Zachary Toby Sebastian "
    "Caleb Jude Stanley Luca Ollie Bobby Callum Connor Kieran Reece Lewis Joseph Daniel Samuel Benjamin Matthew Ryan "
    "Luke Adam Liam Jamie Nathan Aaron Harvey Bradley Jake Louis Michael Owen Billy Alfred Elijah Ezra Grayson"
)
_MODERN_FEMALE = _words(
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy Sienna Poppy Elsie "
    "Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie Matilda Maya Sophie Alice Isabelle Ruby Jessica "
    "Chloe Holly Erin Megan Lucy Ellie Eva Scarlett Layla Maisie Esme Hallie Bonnie Darcie Lottie Aria Lola Bella "
    "Imogen Amber Molly Hannah Lauren Abigail Katie Bethany Georgia Paige Courtney Jade Leah Summer Lacey Niamh "
    "Zara Eleanor Harriet Emma Rebecca Amy Elizabeth Victoria Samantha Libby Thea Nancy Orla Edie Mabel"
)

_PAKISTANI_MALE_COMMON = _words(
    "Mohammed Muhammad Ali Imran Asif Tariq Zahid Khalid Shahid Naveed Adnan Usman Bilal Hamza Ibrahim Yusuf Zain "
    "Ayaan Haris Rehan Faisal Kamran Sajid Waqas Amir Omar Umar Hassan Saqib Junaid Arslan Zubair Shoaib Rizwan "
    "Nadeem Arif Javed Aamir Idris Musa Eesa Zakariya Rayyan Ahmed"
)
_PAKISTANI_FEMALE = _words(
    "Fatima Aisha Ayesha Maryam Zainab Khadija Amina Hafsa Sana Saima Nazia Rubina Shazia Samina Farzana Nasreen "
    "Shabana Parveen Yasmin Bushra Mehreen Sadia Hina Iqra Alisha Aleena Inaya Hania Anaya Eshal Zara Noor Safa "
    "Hajra Asma Rukhsana Tahira Naila Kiran Sobia"
)
_PAKISTANI_SURNAMES = {
    "Khan": 10,
    "Hussain": 8,
    "Ahmed": 8,
    "Ali": 6,
    "Akhtar": 4,
    "Iqbal": 4,
    "Mahmood": 4,
    "Malik": 4,
    "Shah": 3,
    "Butt": 3,
    "Chaudhry": 3,
    "Rehman": 3,
    "Riaz": 2,
    "Rashid": 2,
    "Aslam": 2,
    "Javed": 2,
    "Mirza": 2,
    "Qureshi": 2,
    "Raja": 2,
    "Anwar": 2,
    "Nawaz": 2,
    "Sadiq": 2,
    "Younis": 2,
    "Zaman": 2,
    "Akram": 2,
    "Siddiqui": 2,
    "Sheikh": 2,
    "Yousaf": 2,
    "Bashir": 2,
    "Saleem": 2,
    "Hanif": 2,
    "Rafiq": 2,
    "Arshad": 2,
    "Latif": 2,
    "Majid": 1,
    "Karim": 1,
}
_BANGLADESHI_MALE = _words(
    "Mohammed Abdul Mohammad Rahim Karim Jamal Shahid Rafiq Salim Anwar Faruk Habib Jahid Kamal Mizanur Nazrul "
    "Rashid Sohel Tanvir Ayaan Rayhan Zayan Ibrahim Yusuf Adam Arif Shafiq Abu Ruhul Sabbir"
)
_BANGLADESHI_FEMALE = _words(
    "Fatema Rahima Shahana Nasima Rokeya Jasmin Ruksana Salma Shirin Taslima Sumaya Tahmina Nusrat Sadia Farhana "
    "Sharmin Afia Maryam Aisha Inaya Safiya Anisa Hafsa Labiba Mahima Nadia Rima Shapla Halima Jannat"
)
_BANGLADESHI_SURNAMES = {
    "Ahmed": 8,
    "Ali": 7,
    "Miah": 7,
    "Rahman": 7,
    "Uddin": 6,
    "Islam": 6,
    "Hussain": 5,
    "Khan": 4,
    "Choudhury": 4,
    "Hoque": 3,
    "Alam": 3,
    "Hassan": 2,
    "Karim": 2,
    "Akhtar": 2,
    "Haque": 2,
    "Mahmud": 2,
}
# South Asian women often keep (or are registered with) these family names rather than their husband's.
_SOUTH_ASIAN_FEMALE_SURNAMES = ("Begum", "Bibi", "Khatun", "Sultana")

_GUJARATI_PUNJABI_SURNAMES = {
    "Patel": 30,
    "Mistry": 6,
    "Parmar": 5,
    "Chauhan": 4,
    "Solanki": 4,
    "Lad": 2,
    "Mehta": 3,
    "Shah": 3,
    "Joshi": 3,
    "Pandya": 2,
    "Desai": 2,
    "Modi": 2,
    "Makwana": 2,
    "Rathod": 2,
    "Kotecha": 2,
    "Thakrar": 1,
    "Raval": 1,
    "Vaghela": 1,
    "Gohil": 1,
    "Singh": 8,
    "Sandhu": 2,
    "Gill": 2,
    "Dhillon": 2,
    "Johal": 1,
    "Sidhu": 1,
    "Bains": 1,
}

_CHINESE_SURNAMES = _words(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Chan Wong Cheung Lee Ng Ho Lam Leung Tang Yip Lau Chow "
    "Yeung Tsang Mak Kwok Hu Xu Sun"
)
_CHINESE_MALE = _words(
    "Wei Jun Hao Lei Jie Ming Tao Yi Bo Kai Chun Zihan Yuxuan Haoran Zhiwei Jian Daniel Jason Kevin Ryan Ethan "
    "Lucas Eric Michael"
)
_CHINESE_FEMALE = _words(
    "Jing Li Mei Xin Yan Hui Ying Fang Lan Xiaoling Yuxi Yutong Siqi Wing Emily Grace Chloe Jennifer Michelle "
    "Vivian Joyce Sophia"
)

_SOMALI_MALE = _words(
    "Mohamed Abdi Ahmed Hassan Ali Omar Yusuf Abdirahman Abdullahi Ibrahim Ismail Mustafa Hamza Liban Said Yasin "
    "Khalid Bashir Farah Guled"
)
_SOMALI_FEMALE = _words(
    "Amina Hodan Fadumo Sahra Hibo Ayaan Ifrah Nasra Sagal Hamdi Asha Khadra Fartun Ubah Nimco Ladan Sumaya Hawa "
    "Idil Deqa"
)
_SOMALI_SURNAMES = _words(
    "Mohamed Abdi Ahmed Hassan Ali Omar Farah Warsame Hussein Jama Osman Aden Nur Yusuf Ismail Egal Dahir Mohamud "
    "Abdullahi Hirsi"
)

_NIGERIAN_MALE = _words(
    "Oluwaseun Chinedu Adebayo Tunde Emeka Obinna Femi Kunle Chukwuemeka Ifeanyi Olumide Segun Babatunde Ayodele "
    "Nnamdi Uchenna Temitope David Daniel Joshua Samuel Michael Victor Tobi Damilola"
)
_NIGERIAN_FEMALE = _words(
    "Ngozi Chiamaka Folake Ifeoma Adaeze Funmilayo Yetunde Bukola Chioma Nkechi Amaka Titilayo Oluwakemi Abimbola "
    "Temitope Blessing Precious Esther Deborah Favour Comfort Adaora Damilola Ronke Simisola"
)
_NIGERIAN_SURNAMES = _words(
    "Adebayo Okafor Eze Nwosu Balogun Ogunleye Okoro Obi Bello Afolabi Adeyemi Okonkwo Olawale Chukwu Ibrahim "
    "Oyelaran Adeleke Nwachukwu Oladipo Ogunbiyi Akinola Onyeka Okeke Uche Oyewole"
)

_CARIBBEAN_SURNAMES = _words(
    "Campbell Brown Williams Thomas Clarke Francis Johnson Robinson Grant Reid Henry Lewis Morgan Gordon Edwards "
    "Walker Richards James Bailey Samuels Stewart Simpson Dixon Wright Green Allen Blake Bennett Spencer Forbes"
)
_CARIBBEAN_MALE = _words("Delroy Winston Leroy Errol Jermaine Tyrone Kemar Marlon Dwayne Jahmal Andre Courtney")
_CARIBBEAN_FEMALE = _words("Marcia Beverley Shanice Tanisha Keisha Aaliyah Jasmine Simone Monique Chantelle")

_TRAVELLER_SURNAMES = _words(
    "Ward McDonagh Joyce Connors Maughan Doran O'Brien Delaney Cash McGinley Collins Sweeney Stokes Reilly Mongan "
    "Quilligan Nevin"
)
_ROMANY_SURNAMES = _words("Smith Lee Price Lovell Boswell Cooper Loveridge Buckland Wood Taylor Herne Gray Ripley")
_ROMANY_MALE = _words("Levi Elijah Tyson Romeo Frankie Jimmy Bradley Johnny Noah Caine")
_ROMANY_FEMALE = _words("Mary Kathleen Shannon Britney Rosie Violet Dolly Roseanne Lavender Keeley")

_NOT_ENGLISH = frozenset(
    _words(
        "Ahmed Akhtar Ali Begum Bibi Chan Hussain Iqbal Khan Mahmood Miah Mistry Patel Rahman Shah Singh Wong "
        "Abdul Mohamed Mohammad Mohammed"
    )
)

# Polish surnames ending -ski/-cki/-dzki take -ska/-cka/-dzka for women.
_POLISH_FEMININE = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))


class Pool:
    """A weighted list to draw from quickly with a caller's Random."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, weighted: Mapping[str, float] | Sequence[str]) -> None:
        if isinstance(weighted, Mapping):
            items = [k for k, w in weighted.items() if w > 0]
            weights = [float(weighted[k]) for k in items]
        else:
            items = list(dict.fromkeys(weighted))
            weights = [1.0] * len(items)
        if not items:
            raise ValueError("empty name pool")
        self.items = items
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]

    @staticmethod
    def merge(*parts: tuple[Pool, float]) -> Pool:
        """A pool drawing from each part with the given share."""
        out: dict[str, float] = {}
        for pool, share in parts:
            prev = 0.0
            for item, c in zip(pool.items, pool.cum, strict=True):
                out[item] = out.get(item, 0.0) + (c - prev) / pool.total * share
                prev = c
        return Pool(out)


def _faker(locale: str) -> Any:
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _weighted(values: Any) -> dict[str, float]:
    """Faker lists are tuples, lists or OrderedDicts of weights; make them {name: weight}."""
    if isinstance(values, dict):
        return {str(k): float(v) for k, v in values.items()}
    out: dict[str, float] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0.0) + 1.0
    return out


def _clean(names: dict[str, float]) -> dict[str, float]:
    """Drop anything that is not a plain Latin-script name (initials, digits, very long compound names)."""
    out: dict[str, float] = {}
    for k, w in names.items():
        k = k.strip()
        if not k or len(k) > 30 or any(ch.isdigit() for ch in k):
            continue
        if not all(ch.isalpha() or ch in " -'" for ch in k):
            continue
        if any(ord(ch) > 0x24F for ch in k):  # beyond Latin Extended-B: not Latin script
            continue
        out[k] = out.get(k, 0.0) + w
    return out


@dataclass(frozen=True)
class Origin:
    """Where a family's names come from: first-name pools by sex, and family names."""

    name: str
    male: Pool
    female: Pool
    family: Pool
    # First languages (with weights) adults of this origin may speak; "English" is always possible.
    languages: tuple[tuple[str, float], ...] = (("English", 1.0),)
    modern_male: Pool | None = None
    modern_female: Pool | None = None
    # Women's family names that are not shared with a husband (Begum, Bibi, ...), and how often.
    female_family: Pool | None = None
    female_family_share: float = 0.0
    feminine_surnames: bool = False

    def given(self, rng: random.Random, sex: str, born_year: int) -> str:
        if sex not in ("M", "F"):
            sex = "M" if rng.random() < 0.5 else "F"
        modern = self.modern_male if sex == "M" else self.modern_female
        if modern is not None and born_year >= 2000 and rng.random() < 0.65:
            return modern.pick(rng)
        return (self.male if sex == "M" else self.female).pick(rng)

    def surname(self, rng: random.Random) -> str:
        return self.family.pick(rng)

    def surname_for(self, surname: str, sex: str) -> str:
        """The form of a family name a person of `sex` uses (Polish -ski/-ska)."""
        if self.feminine_surnames and sex == "F":
            for masc, fem in _POLISH_FEMININE:
                if surname.endswith(masc):
                    return surname[: -len(masc)] + fem
        return surname

    def language(self, rng: random.Random) -> str:
        r = rng.random() * sum(w for _, w in self.languages)
        for lang, w in self.languages:
            r -= w
            if r <= 0:
                return lang
        return self.languages[-1][0]


@lru_cache(maxsize=1)
def origins() -> dict[str, Origin]:
    gb, ie, ind, pk = _faker("en_GB"), _faker("en_IE"), _faker("en_IN"), _faker("en_PK")
    ng, ke, pl, ro = _faker("en_NG"), _faker("en_KE"), _faker("pl_PL"), _faker("ro_RO")
    tr, pt, it = _faker("tr_TR"), _faker("pt_PT"), _faker("it_IT")

    def pool(values: Any) -> Pool:
        return Pool(_clean(_weighted(values)))

    # Faker's en_GB lists are the whole UK's; names here are chosen by ethnicity, so the White British pool leaves out
    # names that other pools carry (Khan, Patel, Mohammed, ...).
    gb_male = Pool({k: w for k, w in _clean(_weighted(gb.first_names_male)).items() if k not in _NOT_ENGLISH})
    gb_female = pool(gb.first_names_female)
    gb_family = Pool({k: w for k, w in _clean(_weighted(gb.last_names)).items() if k not in _NOT_ENGLISH})
    modern_m = Pool.merge((Pool(_MODERN_MALE), 0.8), (pool(ie.first_names_male), 0.2))
    modern_f = Pool.merge((Pool(_MODERN_FEMALE), 0.8), (pool(ie.first_names_female), 0.2))
    english = Origin("english", gb_male, gb_female, gb_family, (("English", 1.0),), modern_m, modern_f)
    pk_male = Pool.merge((Pool(_PAKISTANI_MALE_COMMON), 0.75), (pool(pk.first_names), 0.25))
    pk_family = Pool.merge((Pool(_PAKISTANI_SURNAMES), 0.85), (pool(pk.last_names), 0.15))
    south_asian_female_family = Pool(_SOUTH_ASIAN_FEMALE_SURNAMES)
    polish_family = Pool.merge((pool(pl.unisex_last_names), 0.6), (pool(pl.male_last_names), 0.4))
    ng_male = Pool.merge((pool(ng.first_names_male), 0.4), (Pool(_NIGERIAN_MALE), 0.6))
    ng_female = Pool.merge((pool(ng.first_names_female), 0.4), (Pool(_NIGERIAN_FEMALE), 0.6))
    ng_family = Pool.merge((pool(ng.last_names), 0.4), (Pool(_NIGERIAN_SURNAMES), 0.6))
    return {
        "english": english,
        "irish": Origin("irish", pool(ie.first_names_male), pool(ie.first_names_female), pool(ie.last_names)),
        "traveller": Origin(
            "traveller",
            pool(ie.first_names_male),
            pool(ie.first_names_female),
            Pool(_TRAVELLER_SURNAMES),
            (("English", 0.9), ("Shelta", 0.1)),
        ),
        "romany": Origin(
            "romany",
            Pool.merge((Pool(_ROMANY_MALE), 0.5), (gb_male, 0.5)),
            Pool.merge((Pool(_ROMANY_FEMALE), 0.5), (gb_female, 0.5)),
            Pool(_ROMANY_SURNAMES),
            (("English", 0.9), ("Romany", 0.1)),
        ),
        "polish": Origin(
            "polish",
            pool(pl.first_names_male),
            pool(pl.first_names_female),
            polish_family,
            (("Polish", 0.8), ("English", 0.2)),
            feminine_surnames=True,
        ),
        "romanian": Origin(
            "romanian",
            pool(ro.first_names_male),
            pool(ro.first_names_female),
            pool(ro.last_names),
            (("Romanian", 0.75), ("Romani", 0.1), ("English", 0.15)),
        ),
        "turkish": Origin(
            "turkish",
            pool(tr.first_names_male),
            pool(tr.first_names_female),
            pool(tr.last_names),
            (("Turkish", 0.6), ("Kurdish", 0.2), ("English", 0.2)),
        ),
        "portuguese": Origin(
            "portuguese",
            pool(pt.first_names_male),
            pool(pt.first_names_female),
            pool(pt.last_names),
            (("Portuguese", 0.8), ("English", 0.2)),
        ),
        "italian": Origin(
            "italian",
            pool(it.first_names_male),
            pool(it.first_names_female),
            pool(it.last_names),
            (("Italian", 0.6), ("English", 0.4)),
        ),
        "indian": Origin(
            "indian",
            pool(ind.first_names_male),
            pool(ind.first_names_female),
            Pool.merge((Pool(_GUJARATI_PUNJABI_SURNAMES), 0.6), (pool(ind.last_names), 0.4)),
            (("Gujarati", 0.4), ("Punjabi", 0.2), ("Hindi", 0.05), ("English", 0.35)),
        ),
        "pakistani": Origin(
            "pakistani",
            pk_male,
            Pool(_PAKISTANI_FEMALE),
            pk_family,
            (("Urdu", 0.4), ("Punjabi", 0.2), ("English", 0.4)),
            female_family=south_asian_female_family,
            female_family_share=0.2,
        ),
        "bangladeshi": Origin(
            "bangladeshi",
            Pool(_BANGLADESHI_MALE),
            Pool(_BANGLADESHI_FEMALE),
            Pool(_BANGLADESHI_SURNAMES),
            (("Bengali", 0.4), ("Sylheti", 0.2), ("English", 0.4)),
            female_family=south_asian_female_family,
            female_family_share=0.35,
        ),
        "nigerian": Origin(
            "nigerian", ng_male, ng_female, ng_family, (("English", 0.8), ("Yoruba", 0.1), ("Igbo", 0.1))
        ),
        "kenyan": Origin(
            "kenyan",
            pool(ke.first_names_male),
            pool(ke.first_names_female),
            pool(ke.last_names),
            (("English", 0.7), ("Swahili", 0.3)),
        ),
        "somali": Origin(
            "somali",
            Pool(_SOMALI_MALE),
            Pool(_SOMALI_FEMALE),
            Pool(_SOMALI_SURNAMES),
            (("Somali", 0.8), ("English", 0.2)),
        ),
        "caribbean": Origin(
            "caribbean",
            Pool.merge((gb_male, 0.8), (Pool(_CARIBBEAN_MALE), 0.2)),
            Pool.merge((gb_female, 0.8), (Pool(_CARIBBEAN_FEMALE), 0.2)),
            Pool.merge((Pool(_CARIBBEAN_SURNAMES), 0.6), (gb_family, 0.4)),
            (("English", 1.0),),
            modern_m,
            modern_f,
        ),
        "chinese": Origin(
            "chinese",
            Pool(_CHINESE_MALE),
            Pool(_CHINESE_FEMALE),
            Pool(_CHINESE_SURNAMES),
            (("Cantonese", 0.35), ("Mandarin", 0.35), ("English", 0.3)),
        ),
    }


# Which name origins a person of each ethnicity draws from (origin, weight).
ETHNICITY_ORIGINS: dict[str, tuple[tuple[str, float], ...]] = {
    "WBRI": (("english", 1.0),),
    "WIRI": (("irish", 0.75), ("english", 0.25)),
    "WIRT": (("traveller", 1.0),),
    "WROM": (("romanian", 0.5), ("romany", 0.5)),
    "WOTH": (
        ("polish", 0.4),
        ("romanian", 0.25),
        ("portuguese", 0.1),
        ("italian", 0.1),
        ("turkish", 0.05),
        ("english", 0.1),
    ),
    "AIND": (("indian", 1.0),),
    "APKN": (("pakistani", 1.0),),
    "ABAN": (("bangladeshi", 1.0),),
    "AOTH": (("indian", 0.6), ("pakistani", 0.4)),
    "BAFR": (("nigerian", 0.45), ("somali", 0.25), ("kenyan", 0.3)),
    "BCRB": (("caribbean", 1.0),),
    "BOTH": (("caribbean", 0.5), ("nigerian", 0.5)),
    "CHNE": (("chinese", 1.0),),
    "OOTH": (("turkish", 0.35), ("pakistani", 0.35), ("portuguese", 0.3)),
    "NOBT": (("english", 0.85), ("polish", 0.05), ("indian", 0.05), ("nigerian", 0.05)),
    "REFU": (("english", 0.85), ("polish", 0.05), ("indian", 0.05), ("caribbean", 0.05)),
}

# Mixed ethnicities: the two parents' ethnicities (the first is the mother's in most families).
MIXED_PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "MWBC": (("WBRI", "BCRB"), ("BCRB", "WBRI")),
    "MWBA": (("WBRI", "BAFR"), ("BAFR", "WBRI")),
    "MWAS": (("WBRI", "AIND"), ("WBRI", "APKN"), ("AIND", "WBRI")),
    "MOTH": (("WBRI", "CHNE"), ("WOTH", "OOTH"), ("WBRI", "OOTH"), ("WBRI", "AOTH")),
}


def pick_from(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    r = rng.random() * sum(w for _, w in weighted)
    for item, w in weighted:
        r -= w
        if r <= 0:
            return item
    return weighted[-1][0]


_ETHNICITY_POOL = Pool(ETHNICITY_WEIGHTS)
# For families: mixed-heritage children have parents of two other ethnicities, so mixed families are drawn about
# twice as often to keep the share of mixed-heritage people near the national one.
_FAMILY_ETHNICITY_POOL = Pool({k: w * (2.2 if k in MIXED_PARENTS else 1.0) for k, w in ETHNICITY_WEIGHTS.items()})


def pick_ethnicity(rng: random.Random) -> str:
    return _ETHNICITY_POOL.pick(rng)


def pick_family_ethnicity(rng: random.Random) -> str:
    return _FAMILY_ETHNICITY_POOL.pick(rng)


def origin_for(rng: random.Random, ethnicity: str) -> Origin:
    if ethnicity in MIXED_PARENTS:  # a mixed-heritage adult with no family around: either parent's names
        ethnicity = rng.choice(rng.choice(MIXED_PARENTS[ethnicity]))
    return origins()[pick_from(rng, ETHNICITY_ORIGINS.get(ethnicity, (("english", 1.0),)))]


# --- nicknames ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nickname_index() -> dict[str, list[str]]:
    """Name (lower case) -> names it pairs with in one row of the file (formal <-> nickname only)."""
    out: dict[str, list[str]] = {}
    for canonical, nicks in nickname_rows():
        for n in nicks:
            out.setdefault(canonical, []).append(n)
            out.setdefault(n, []).append(canonical)
    return out


def nickname_for(rng: random.Random, given: str) -> str | None:
    """A nickname or formal name paired with `given` in nicknames.csv, in title case; None if there is none."""
    first = given.split(" ")[0].lower()
    options = _nickname_index().get(first)
    if not options:
        return None
    return rng.choice(options).capitalize()


def formal_nickname(rng: random.Random, given: str) -> str | None:
    """A nickname for a formal first name (William -> Bill), for preferred names; None if it has none."""
    first = given.split(" ")[0].lower()
    for canonical, nicks in nickname_rows():
        if canonical == first:
            return rng.choice(nicks).capitalize()
    return None


# --- misspelling ----------------------------------------------------------------------------------------------

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@lru_cache(maxsize=1)
def _neighbours() -> dict[str, str]:
    pos = {ch: (r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)}
    out = {}
    for ch, (r, c) in pos.items():
        near = [o for o, (r2, c2) in pos.items() if o != ch and abs(r2 - r) <= 1 and abs(c2 - c) <= 1]
        out[ch] = "".join(sorted(near))
    return out


EDITS = ("substitute", "transpose", "delete", "double")


def one_edit(rng: random.Random, word: str, kind: str | None = None) -> str:
    """One typing slip in `word`: a neighbouring key, two letters swapped, a letter left out or typed twice.

    The first letter is left alone (people rarely get it wrong, and search keys lean on it). Returns `word` unchanged
    if it is too short to change.
    """
    letters = [i for i, ch in enumerate(word) if ch.isalpha() and ch.lower() in _neighbours()]
    letters = [i for i in letters if i > 0]
    if len(word) < 3 or not letters:
        return word
    kind = kind or rng.choice(EDITS)
    i = rng.choice(letters)
    if kind == "substitute":
        ch = word[i]
        new = rng.choice(_neighbours()[ch.lower()])
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if kind == "transpose":
        if i >= len(word) - 1 or word[i] == word[i + 1] or not word[i + 1].isalpha():
            i -= 1
        if i < 1 or word[i] == word[i + 1]:
            return one_edit(rng, word, "substitute")
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "delete":
        if len(word) <= 3:
            return one_edit(rng, word, "substitute")
        return word[:i] + word[i + 1 :]
    return word[: i + 1] + word[i] + word[i + 1 :]  # double


def misspell(rng: random.Random, word: str, edits: int = 1) -> str:
    """`word` with one or two typing slips; always different from `word` when it has three letters or more."""
    out = word
    for _ in range(10):
        out = word
        for _ in range(edits):
            out = one_edit(rng, out)
        if out.lower() != word.lower():
            return out
    return out
