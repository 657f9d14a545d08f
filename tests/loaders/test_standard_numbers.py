"""Standard numbers as written in the CNAS 方法程序及编号 column; every cell quoted here is a real value
from ../shared/data/cnas/inspection_bodies/scope.csv."""

from __future__ import annotations

import csv
import re

import pytest

from loaders.standard_numbers import (
    KINDS,
    StandardRef,
    main,
    parse_report,
    parse_standard_cell,
    parse_standard_title,
    standard_id,
)
from tests.conftest import shared


def numbers(cell: str) -> list[str]:
    return [r.number for r in parse_standard_cell(cell)]


def one(cell: str) -> StandardRef:
    refs = parse_standard_cell(cell)
    assert len(refs) == 1, refs
    return refs[0]


# --- written forms of one number -------------------------------------------------


def test_full_width_dash_is_a_dash():
    assert numbers("GB 50982－2014") == ["GB 50982-2014"]


def test_missing_space_after_the_prefix_is_restored():
    r = one("GB/T50152-2012")
    assert (r.number, r.base, r.year, r.kind) == ("GB/T 50152-2012", "GB/T 50152", 2012, "GB/T")


def test_space_before_the_year_dash_is_dropped():
    assert numbers("GB/T 17519 -2013") == ["GB/T 17519-2013"]


def test_double_space_after_the_prefix_is_collapsed():
    assert numbers("SY/T  0087.1-2006") == ["SY/T 0087.1-2006"]


def test_spaces_inside_the_slash_of_the_prefix_are_dropped():
    assert numbers("GB /T5699-2017") == ["GB/T 5699-2017"]
    assert numbers("GB/ T 8927-2008") == ["GB/T 8927-2008"]


def test_stray_newline_inside_a_number():
    assert numbers("API MPMS Chapter\n17.12 -2015") == ["API MPMS 17.12-2015"]


@pytest.mark.parametrize(
    "cell, number",
    [("GBT 50312-2016", "GB/T 50312-2016"), ("JGJT363-2014", "JGJ/T 363-2014"),
     ("SNT 2389.11-2012", "SN/T 2389.11-2012"), ("TSGR7001-2013", "TSG R7001-2013"),
     ("JTGD63-2007", "JTG D63-2007"), ("JTGT H21-2011", "JTG/T H21-2011")],
)  # fmt: skip
def test_prefix_written_without_its_slash_or_space(cell, number):
    assert numbers(cell) == [number]


def test_local_standard_keeps_the_dbxx_slash_form():
    r = one("DB 31/329.2-2005")
    assert (r.number, r.kind) == ("DB31/329.2-2005", "local")


def test_recommended_local_standard():
    assert numbers("DB11/T140-2015") == ["DB11/T 140-2015"]


def test_place_name_before_a_local_number_is_a_note():
    r = one("上海DG/TJ08-803-2013")
    assert (r.number, r.kind, r.note) == ("DG/TJ 08-803-2013", "local", "上海")


def test_group_and_enterprise_kinds():
    assert [(r.number, r.kind) for r in parse_standard_cell("T/CECS 488-2017")] == [("T/CECS 488-2017", "group")]
    assert [(r.number, r.kind) for r in parse_standard_cell("Q/GDW 11591-2016")] == [("Q/GDW 11591-2016", "enterprise")]


def test_tsg_safety_specification_is_read_as_a_standard():
    r = one("TSG 21-2016")
    assert (r.number, r.base, r.year, r.kind) == ("TSG 21-2016", "TSG 21", 2016, "industry")


# --- years -----------------------------------------------------------------------


def test_two_digit_year_after_a_colon():
    r = one("CECS40:92")
    assert (r.number, r.year, r.kind) == ("CECS 40-1992", 1992, "group")


def test_two_digit_year_after_a_dash():
    assert one("GB/T 2011-87").year == 1987


def test_two_digit_part_number_is_not_a_year():
    r = one("JTG/T B07-01-2006")
    assert (r.base, r.year) == ("JTG/T B07-01", 2006)


def test_truncated_year_is_left_unknown_with_a_note():
    r = one("GB/T 8089-200")
    assert (r.number, r.year) == ("GB/T 8089", None)
    assert "200" in r.note


def test_number_without_year():
    r = one("IEC 62443-2-4")
    assert (r.number, r.base, r.year) == ("IEC 62443-2-4", "IEC 62443-2-4", None)


# --- international documents -------------------------------------------------------


def test_iso_year_after_a_dash_is_written_with_a_colon():
    r = one("ISO 4706-2008")
    assert (r.number, r.base, r.year, r.kind) == ("ISO 4706:2008", "ISO 4706", 2008, "international")


def test_full_width_colon_before_the_year():
    assert numbers("IEC 60079-31：2013") == ["IEC 60079-31:2013"]


def test_iso_language_mark_is_a_note():
    r = one("ISO 6153:1989 (E)")
    assert (r.number, r.note) == ("ISO 6153:1989", "E")


def test_astm_two_digit_year_and_reapproval():
    r = one("ASTM E300-03(2009)")
    assert (r.number, r.base, r.year, r.note) == ("ASTM E300-2003", "ASTM E300", 2003, "2009")


def test_astm_editorial_mark_goes_to_the_note():
    r = one("ASTM D4006-16e1")
    assert (r.number, r.note) == ("ASTM D4006-2016", "e1")


def test_amendment_goes_to_the_note():
    r = one("EN 13674-1:2011+A1:2017")
    assert (r.number, r.note) == ("EN 13674-1:2011", "+A1:2017")


def test_asme_boiler_code_section_in_roman_numerals():
    assert numbers("ASME Ⅷ-1-2015") == ["ASME BPVC.VIII.1-2015"]
    assert numbers("ASME Section I -2015") == ["ASME BPVC.I-2015"]


def test_api_doc_type_spelling_is_unified():
    assert numbers("API SPEC 16C-2015") == numbers("API Spec 16C-2015") == ["API Spec 16C-2015"]


# --- several numbers in one cell ---------------------------------------------------


def test_bracket_holds_further_numbers():
    refs = parse_standard_cell("EN50128:2011(GB/T 28808-2012、IEC 62279:2015)")
    assert [(r.number, r.kind) for r in refs] == [
        ("EN 50128:2011", "international"), ("GB/T 28808-2012", "GB/T"), ("IEC 62279:2015", "international")
    ]  # fmt: skip


def test_semicolons_and_newlines_separate_numbers():
    assert numbers("GB 3836.3-2010;IEC 60079-7: 2015;IEC 60079-7: 2017") == [
        "GB 3836.3-2010", "IEC 60079-7:2015", "IEC 60079-7:2017"
    ]  # fmt: skip
    assert numbers("GB/T 14124-2009\nISO 4866:1990") == ["GB/T 14124-2009", "ISO 4866:1990"]


def test_slash_after_a_year_separates_an_equivalent_standard():
    assert numbers("GB/T21109.3-2007/IEC61511-3:2003") == ["GB/T 21109.3-2007", "IEC 61511-3:2003"]
    assert numbers("GB 3836.20－2010 /IEC60079-26:2010/IEC60079-26:2014") == [
        "GB 3836.20-2010", "IEC 60079-26:2010", "IEC 60079-26:2014"
    ]  # fmt: skip


def test_numbers_run_together_without_a_separator():
    refs = parse_standard_cell("CCIC-WI-018-03-2013CCIC-WI-017-03-2013GB 1353-2009")
    assert [(r.number, r.kind) for r in refs] == [
        ("CCIC-WI-018-03-2013", "method"), ("CCIC-WI-017-03-2013", "method"), ("GB 1353-2009", "GB")
    ]  # fmt: skip


def test_range_of_parts_is_expanded():
    assert numbers("GB/T 150.1~4-2011") == ["GB/T 150.1-2011", "GB/T 150.2-2011", "GB/T 150.3-2011", "GB/T 150.4-2011"]


def test_range_across_editions_keeps_only_its_two_ends():
    assert numbers("SN/T 2389.1-2012~ SN/T 2389.14-2013") == ["SN/T 2389.1-2012", "SN/T 2389.14-2013"]


def test_same_number_twice_is_read_once():
    assert numbers("EN50128:2001； EN50128:2011；  IEC 62279:2015") == [
        "EN 50128:2001", "EN 50128:2011", "IEC 62279:2015"
    ]  # fmt: skip
    assert numbers("RFJ04-2009RFJ04-2009") == ["RFJ04-2009"]


# --- notes ---------------------------------------------------------------------------


def test_bracketed_partial_revision_is_a_note():
    r = one("CJJ69-1995（2003年局部修订）")
    assert (r.number, r.year, r.kind, r.note) == ("CJJ 69-1995", 1995, "industry", "2003年局部修订")


def test_edition_in_brackets_with_inner_space_is_a_note():
    r = one("GB 50015-2003（2009 年版）")
    assert (r.number, r.note) == ("GB 50015-2003", "2009年版")


def test_clause_numbers_after_a_number_are_a_note():
    r = one("GB 50140-2005 5.1、6.1")
    assert (r.number, r.note) == ("GB 50140-2005", "5.1; 6.1")


def test_note_before_the_number_attaches_to_it():
    r = one("(2005年确认)  JB/T 4732-1995")
    assert (r.number, r.note) == ("JB/T 4732-1995", "2005年确认")


def test_edition_alone_is_unparseable():
    assert parse_standard_cell("第60版") == []
    assert parse_standard_cell("2019-2020") == []


def test_empty_and_padding_only():
    assert parse_standard_cell("") == [] and parse_standard_cell("   \n ") == [] and parse_standard_cell(None) == []


# --- methods ---------------------------------------------------------------------------


def test_in_house_work_instruction_is_a_method():
    r = one("CCIC-HUN-WI-086-04-2016")
    assert (r.number, r.base, r.year, r.kind) == ("CCIC-HUN-WI-086-04-2016", "CCIC-HUN-WI-086-04-2016", None, "method")


def test_versioned_work_instruction_keeps_its_version():
    assert [(r.number, r.kind) for r in parse_standard_cell("IND-WI-13(V1.3)")] == [("IND-WI-13(V1.3)", "method")]


def test_ministry_order_is_a_method():
    assert [(r.number, r.kind) for r in parse_standard_cell("交通部2004年第3号令")] == [("交通部2004年第3号令", "method")]


def test_railway_notice_with_tortoise_shell_brackets_is_a_method():
    assert [(r.number, r.kind) for r in parse_standard_cell("铁总运﹝2015﹞156号")] == [("铁总运(2015)156号", "method")]


def test_bracketed_order_alone_is_read_as_a_method():
    assert numbers("（交通部2004年第3号令）") == ["交通部2004年第3号令"]


def test_padding_separates_two_methods():
    assert numbers("CCIC-WI-008-03-2013                CCIC-SD-WI-13-04-2014") == [
        "CCIC-WI-008-03-2013", "CCIC-SD-WI-13-04-2014"
    ]  # fmt: skip


def test_industry_code_inside_an_in_house_code_is_not_a_standard():
    assert [r.kind for r in parse_standard_cell("WI-SL-002-2017")] == ["method"]
    assert [r.kind for r in parse_standard_cell("ZDS JC0022-2015")] == ["method"]


def test_methods_and_standards_mixed():
    refs = parse_standard_cell("CCIC-WI-047-01-2016 / CIC-WI-024-03-2016 / GB/T 1997-2008")
    assert [(r.number, r.kind) for r in refs] == [
        ("CCIC-WI-047-01-2016", "method"), ("CIC-WI-024-03-2016", "method"), ("GB/T 1997-2008", "GB/T")
    ]  # fmt: skip


def test_latin_title_is_not_cut_at_its_commas():
    cell = ("Specification for Sucker Rods, Polished Rods and Liners, Couplings, Sinker Bars, Polished Rod Clamps, "
            "Stuffing Boxes, and Pumping Tees")  # fmt: skip
    assert [r.kind for r in parse_standard_cell(cell)] == ["method"]


def test_standard_id_prefixes_methods():
    refs = parse_standard_cell("HN-WI-01-2006-01、GB/T 7909-1999")
    assert [standard_id(r) for r in refs] == ["method:HN-WI-01-2006-01", "GB/T 7909-1999"]
    assert refs[1].id == "GB/T 7909-1999"


# --- titles ------------------------------------------------------------------------------


def test_title_loses_its_book_marks():
    assert parse_standard_title("《信息安全技术 信息系统安全等级保护基本要求》") == "信息安全技术 信息系统安全等级保护基本要求"


def test_title_brackets_are_width_folded():
    assert parse_standard_title("《公路工程竣（交）工验收办法》") == "公路工程竣(交)工验收办法"


# --- the whole real column ------------------------------------------------------------------


@pytest.fixture(scope="module")
def scope_rows() -> list[dict[str, str]]:
    with open(shared("cnas", "inspection_bodies", "scope.csv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_real_cell_parses_and_most_name_something(scope_rows):
    rep = parse_report(r["方法程序及编号"] for r in scope_rows)
    assert rep.cells > 7000
    # Cells that name nothing are editions only ("第60版", "V2.0") or bare numbers without an issuer.
    assert rep.unparsed / rep.cells < 0.03, rep.unparsed_samples[:20]
    assert rep.with_standards / rep.cells > 0.6
    for sample in rep.unparsed_samples:
        assert not re.search(r"(?<![A-Za-z])(GB|ISO|IEC|JGJ|CJJ|DB\d\d)\s*/?\s*T?\s*\d", sample), sample


def test_every_real_ref_is_well_formed(scope_rows):
    for cell in dict.fromkeys(r["方法程序及编号"] for r in scope_rows):
        for ref in parse_standard_cell(cell):
            assert ref.kind in KINDS, (cell, ref)
            assert ref.number.startswith(ref.base), (cell, ref)
            assert ref.number == ref.number.strip() and "  " not in ref.number, (cell, ref)
            if ref.kind == "method":
                assert ref.year is None
            else:
                assert ref.year is None or 1950 <= ref.year <= 2035, (cell, ref)
                assert "-WI-" not in ref.number, (cell, ref)  # in-house instructions are never standards


def test_most_real_rows_link_to_a_standard(scope_rows):
    with_standard = sum(any(r.kind != "method" for r in parse_standard_cell(row["方法程序及编号"])) for row in scope_rows)
    assert with_standard / len(scope_rows) > 0.6


def test_report_command_prints_the_figures(capsys):
    assert main([str(shared("cnas", "inspection_bodies", "scope.csv"))]) == 0
    out = capsys.readouterr().out
    assert "distinct non-empty cells:" in out and "unparsed:" in out and "unparsed samples" in out
