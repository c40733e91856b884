"""Where looked-after children live: foster carers, children's homes and supported accommodation in the county."""

from __future__ import annotations

import random
from datetime import date

from cases.rules.looked_after import Placement

from ..places import county_postcodes


class Placements:
    """Foster carers, children's homes and supported accommodation in the county: real postcodes, Ofsted URNs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.postcodes = [p.postcode for p in county_postcodes()]
        self.fostering_urns = {"PR1": "SC063312", "PR4": "SC366902", "PR5": "SC049271"}
        self.homes = [self._registered("K2", rng.choice(("PR1", "PR4", "PR4", "PR5"))) for _ in range(40)]
        self.supported = [self._registered("K3", rng.choice(("PR4", "PR5"))) for _ in range(20)]
        self.residential = [self._registered("R1", "PR4") for _ in range(6)]

    def _registered(self, kind: str, provider: str) -> Placement:
        urn = f"SC{self.rng.randrange(100000, 999999)}" if kind != "K3" else f"2{self.rng.randrange(100000, 999999)}"
        return Placement(kind, provider, self.rng.choice(self.postcodes), urn)

    def postcode(self, rng: random.Random, not_: str = "") -> str:
        while True:
            pc = rng.choice(self.postcodes)
            if pc != not_:
                return pc

    def foster(self, rng: random.Random, kind: str, home: str) -> Placement:
        provider = "PR1" if kind in ("U1", "U2", "U3") or rng.random() < 0.6 else rng.choice(("PR4", "PR5"))
        return Placement(kind, provider, self.postcode(rng, home), self.fostering_urns[provider])

    def home(self, rng: random.Random, home: str) -> Placement:
        p = rng.choice(self.homes)
        return p if p.postcode != home else self.homes[0]

    def supported_accommodation(self, rng: random.Random, home: str) -> Placement:
        p = rng.choice(self.supported)
        return p if p.postcode != home else self.supported[0]


def placement_on(chain: list[tuple[date, str, Placement]], day: date) -> Placement:
    """The placement of a period of care's `chain` (from, legal status, placement) on `day`."""
    current = chain[0][2]
    for frm, _, pl in chain:
        if frm <= day:
            current = pl
    return current
