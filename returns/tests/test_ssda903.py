"""The SSDA903 tables built from the children in journeys.py: exact columns, every row from the known records, dates
DD/MM/YYYY, header-only tables, and the previous year's files."""

from __future__ import annotations

import csv

import pytest

from returns.ssda903 import FILE_NAMES, PREVIOUS_FOLDER, TABLES, build_ssda903

from .journeys import YEAR, upn

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(world, tmp_path):
    return build_ssda903(YEAR, tmp_path / "903", previous=True)


def read(directory, table) -> tuple[list[str], list[dict[str, str]]]:
    with (directory / FILE_NAMES[table]).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def rows(directory, table) -> list[dict[str, str]]:
    return read(directory, table)[1]


def test_eleven_tables_with_dfe_columns(written):
    assert sorted(p.name for p in written.directory.glob("*.csv")) == sorted(FILE_NAMES[t] for t in TABLES)
    assert len(TABLES) == 11
    for table, columns in TABLES.items():
        assert read(written.directory, table)[0] == list(columns), table
    assert TABLES["Episodes"] == (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    )
    assert written.counts == {
        "Header": 6,
        "Episodes": 8,
        "Reviews": 6,
        "UASC": 1,
        "OC2": 1,
        "OC3": 1,
        "AD1": 1,
        "PlacedAdoption": 1,
        "PrevPerm": 2,
        "Missing": 1,
        "SWEpisodes": 6,
    }
    # CRLF line ends, no index column, no quoting of plain values.
    assert (written.directory / "missing.csv").read_bytes().startswith(b"CHILD,DOB,MISSING,MIS_START,MIS_END\r\n")


def test_header(written, world):
    assert rows(written.directory, "Header") == [
        # leo: a boy, so no MOTHER
        {"CHILD": str(world.leo.pk), "SEX": "M", "DOB": "03/07/2014", "ETHNIC": "BCRB", "UPN": upn(3), "MOTHER": "", "MC_DOB": ""},
        # maya: a girl looked after in the year, with no child
        {"CHILD": str(world.maya.pk), "SEX": "F", "DOB": "15/03/2017", "ETHNIC": "MWBC", "UPN": upn(4), "MOTHER": "0", "MC_DOB": ""},
        # oscar: not yet of school age, no UPN
        {"CHILD": str(world.oscar.pk), "SEX": "M", "DOB": "20/01/2022", "ETHNIC": "WBRI", "UPN": "UN1", "MOTHER": "", "MC_DOB": ""},
        # jade: a mother, her daughter born 3 February 2025
        {"CHILD": str(world.jade.pk), "SEX": "F", "DOB": "15/10/2007", "ETHNIC": "WBRI", "UPN": upn(5), "MOTHER": "1", "MC_DOB": "03/02/2025"},
        # kaya: a care leaver not looked after in the year: no motherhood details (rule 628)
        {"CHILD": str(world.kaya.pk), "SEX": "F", "DOB": "20/06/2006", "ETHNIC": "BAFR", "UPN": upn(6), "MOTHER": "", "MC_DOB": ""},
        {"CHILD": str(world.samir.pk), "SEX": "M", "DOB": "05/05/2009", "ETHNIC": "OOTH", "UPN": upn(7), "MOTHER": "", "MC_DOB": ""},
    ]  # fmt: skip


def test_episodes(written, world):
    leo, maya, oscar, jade, samir = (str(p.pk) for p in (world.leo, world.maya, world.oscar, world.jade, world.samir))
    columns = TABLES["Episodes"]
    expected = [
        (leo, "10/07/2025", "S", "V2", "N1", "U6", "PR1", "20/08/2025", "X1", "", "LS7 3QB", "LS8 2QP", "SC123456"),
        (leo, "20/08/2025", "L", "C1", "N1", "U6", "PR1", "03/11/2025", "X1", "CARPL", "LS7 3QB", "LS8 2QP", "SC123456"),
        (leo, "03/11/2025", "P", "C1", "N1", "K2", "PR4", "", "", "", "LS7 3QB", "LS11 5DR", "SC654321"),
        (maya, "05/06/2023", "S", "C2", "N1", "U4", "PR1", "", "", "", "LS7 3QB", "LS6 2AA", "SC123456"),
        # oscar's first episode ended before the year; the placement order (L) one ended when he was placed
        (oscar, "02/09/2024", "L", "E1", "N1", "U6", "PR1", "12/05/2025", "X1", "CARPL", "LS7 3QB", "LS8 2QP", "SC123456"),
        (oscar, "12/05/2025", "P", "E1", "N1", "A6", "PR1", "20/11/2025", "E11", "", "LS7 3QB", "LS16 6NL", "XXXXXXX"),
        (jade, "01/11/2021", "S", "V2", "N1", "U6", "PR1", "15/10/2025", "E6", "", "LS7 3QB", "LS8 2QP", "SC123456"),
        # an unaccompanied asylum-seeking child has no home postcode
        (samir, "01/08/2025", "S", "V2", "N1", "K3", "PR4", "", "", "", "", "LS9 8AB", "SC765432"),
    ]  # fmt: skip
    assert rows(written.directory, "Episodes") == [dict(zip(columns, row, strict=True)) for row in expected]


def test_reviews_missing_and_uasc(written, world):
    assert [(r["CHILD"], r["DOB"], r["REVIEW"], r["REVIEW_CODE"]) for r in rows(written.directory, "Reviews")] == [
        (str(world.leo.pk), "03/07/2014", "05/08/2025", "PN1"),
        (str(world.maya.pk), "15/03/2017", "20/06/2025", "PN1"),
        (str(world.maya.pk), "15/03/2017", "15/12/2025", "PN1"),
        (str(world.oscar.pk), "20/01/2022", "01/07/2025", "PN0"),
        (str(world.jade.pk), "15/10/2007", "14/05/2025", "PN1"),
        (str(world.samir.pk), "05/05/2009", "28/08/2025", "PN1"),
    ]
    assert rows(written.directory, "Missing") == [
        {"CHILD": str(world.leo.pk), "DOB": "03/07/2014", "MISSING": "M", "MIS_START": "01/12/2025", "MIS_END": "02/12/2025"}
    ]  # fmt: skip
    assert rows(written.directory, "UASC") == [
        {
            "CHILD": str(world.samir.pk),
            "SEX": "M",
            "DOB": "05/05/2009",
            "DUC": "05/05/2027",
        }  # still UASC: 18th birthday
    ]


def test_health_outcomes_for_the_child_looked_after_all_year(written, world):
    # Only maya was looked after for the 12 months to 31 March. Aged 9: no conviction or health promotion question.
    assert rows(written.directory, "OC2") == [
        {
            "CHILD": str(world.maya.pk),
            "DOB": "15/03/2017",
            "SDQ_SCORE": "14",
            "SDQ_REASON": "",
            "CONVICTED": "",
            "HEALTH_CHECK": "",
            "IMMUNISATIONS": "1",
            "TEETH_CHECK": "1",
            "HEALTH_ASSESSMENT": "1",
            "SUBSTANCE_MISUSE": "0",
            "INTERVENTION_RECEIVED": "",
            "INTERVENTION_OFFERED": "",
        }
    ]


def test_care_leavers(written, world):
    # kaya's 19th birthday was in the year. jade left care on her 18th birthday, so was looked after on it: her
    # contact is not reported (rule 1016).
    assert rows(written.directory, "OC3") == [
        {"CHILD": str(world.kaya.pk), "DOB": "20/06/2006", "IN_TOUCH": "YES", "ACTIV": "P5", "ACCOM": "B1"}
    ]


def test_adoption(written, world):
    assert rows(written.directory, "AD1") == [
        {
            "CHILD": str(world.oscar.pk),
            "DOB": "20/01/2022",
            "DATE_INT": "03/06/2024",
            "DATE_MATCH": "01/05/2025",
            "FOSTER_CARE": "0",
            "NB_ADOPTR": "2",
            "SEX_ADOPTR": "MF",
            "LS_ADOPTR": "L11",
        }
    ]
    assert rows(written.directory, "PlacedAdoption") == [
        {
            "CHILD": str(world.oscar.pk),
            "DOB": "20/01/2022",
            "DATE_PLACED": "03/06/2024",
            "DATE_PLACED_CEASED": "",
            "REASON_PLACED_CEASED": "",
        }
    ]


def test_previous_permanence_for_children_starting_care_in_the_year(written, world):
    # leo and samir started in the year; maya's Z1 is for a period of care that started in 2023 (rule 634).
    assert rows(written.directory, "PrevPerm") == [
        {"CHILD": str(world.leo.pk), "DOB": "03/07/2014", "PREV_PERM": "Z1", "LA_PERM": "", "DATE_PERM": ""},
        {"CHILD": str(world.samir.pk), "DOB": "05/05/2009", "PREV_PERM": "Z1", "LA_PERM": "", "DATE_PERM": ""},
    ]


def test_social_worker_episodes(written, world):
    worker, other = f"XX{world.worker.pk:04d}", f"XX{world.other_worker.pk:04d}"
    assert [
        (r["CHILD"], r["SW_ID"], r["SW_DECOM"], r["SW_DEC"], r["SW_REASON"])
        for r in rows(written.directory, "SWEpisodes")
    ] == [
        # leo's first worker (FCONTA: first contact) left; the change's reason is the new episode's reason
        (str(world.leo.pk), worker, "01/07/2025", "09/11/2025", "FCONTA"),
        (str(world.leo.pk), other, "10/11/2025", "", "LEFTRL"),
        (str(world.maya.pk), worker, "05/06/2023", "", "FCONTA"),
        (str(world.oscar.pk), worker, "01/02/2024", "", "FCONTA"),
        (str(world.jade.pk), worker, "01/11/2021", "", "FCONTA"),
        (str(world.samir.pk), worker, "01/08/2025", "", "FCONTA"),
    ]


def test_previous_year_files(written, world):
    previous = written.previous
    assert previous is not None and previous.year == YEAR - 1
    assert previous.directory == written.directory / PREVIOUS_FOLDER
    assert sorted(p.name for p in previous.directory.glob("*.csv")) == sorted(FILE_NAMES[t] for t in TABLES)
    # 2024-25: maya, oscar, jade and kaya were looked after; leo and samir not yet.
    assert [r["CHILD"] for r in rows(previous.directory, "Header")] == [
        str(p.pk) for p in (world.maya, world.oscar, world.jade, world.kaya)
    ]
    # On 31 March 2025 jade and oscar were still looked after: their episodes are open as at that day.
    episodes = rows(previous.directory, "Episodes")
    assert [(r["CHILD"], r["DECOM"], r["DEC"], r["REC"]) for r in episodes] == [
        (str(world.maya.pk), "05/06/2023", "", ""),
        (str(world.oscar.pk), "01/02/2024", "02/09/2024", "X1"),
        (str(world.oscar.pk), "02/09/2024", "", ""),
        (str(world.jade.pk), "01/11/2021", "", ""),
        (str(world.kaya.pk), "01/09/2020", "20/06/2024", "E6"),
    ]
    # kaya left on her 18th birthday, so has no OC3 row for it; a girl looked after that year: MOTHER 0.
    assert rows(previous.directory, "OC3") == []
    assert read(previous.directory, "OC3")[0] == list(TABLES["OC3"])
    kaya = next(r for r in rows(previous.directory, "Header") if r["CHILD"] == str(world.kaya.pk))
    assert kaya["MOTHER"] == "0"


def test_empty_tables_are_header_only(world, tmp_path):
    result = build_ssda903(YEAR - 1, tmp_path / "prev")
    assert result.counts["AD1"] == 0 and result.counts["Missing"] == 0
    assert (tmp_path / "prev" / FILE_NAMES["AD1"]).read_bytes() == (",".join(TABLES["AD1"]) + "\r\n").encode()
