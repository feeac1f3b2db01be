"""Sheets to .xlsx and back through openpyxl: header, rows, frozen pane, filter, widths."""
from __future__ import annotations

import io

import openpyxl
import pytest

from pipeline.exports.workbook import MAX_WIDTH, Sheet, display_width, sheet_title, write_workbook


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


SAMPLE = Sheet("汇总", ("编号", "单位名称", "count"),
               (("A-0001", "示例经济技术开发区管理委员会", 3), ("A-0002", "示例公司", None)))


def test_headers_and_rows_read_back_with_their_types():
    sheet = read(write_workbook([SAMPLE]))["汇总"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("编号", "单位名称", "count"), ("A-0001", "示例经济技术开发区管理委员会", 3),
        ("A-0002", "示例公司", None)]
    assert sheet["C2"].data_type == "n" and sheet["A1"].font.bold


def test_the_header_row_is_frozen_and_filtered():
    sheet = read(write_workbook([SAMPLE]))["汇总"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"


def test_an_empty_sheet_keeps_its_header_and_filter():
    sheet = read(write_workbook([Sheet("空", ("编号", "单位"), ())]))["空"]
    assert list(sheet.iter_rows(values_only=True)) == [("编号", "单位")]
    assert sheet.auto_filter.ref == "A1:B1"


@pytest.mark.parametrize("text, width", [("abc", 3), ("单位", 4), ("ＡＢ", 4), ("单位ab", 6),
                                         ("短\n较长的一行", 10), ("", 0)])
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


def test_chinese_columns_are_wider_than_latin_ones_of_the_same_length():
    sheet = Sheet("w", ("a", "b"), (("abcdefghij", "一二三四五六七八九十"),))
    columns = read(write_workbook([sheet]))["w"].column_dimensions
    assert (columns["A"].width, columns["B"].width) == (12, 22)


def test_long_text_is_capped_in_width_and_wraps():
    sheet = read(write_workbook([Sheet("w", ("简介",), (("字" * 500,),))]))["w"]
    assert sheet.column_dimensions["A"].width == MAX_WIDTH
    assert sheet["A2"].alignment.wrap_text and not sheet["A1"].alignment.wrap_text


def test_text_that_looks_like_a_formula_stays_text():
    sheet = read(write_workbook([Sheet("f", ("x",), (("=HYPERLINK(\"http://x\")",),))]))["f"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=HYPERLINK(\"http://x\")"


def test_characters_xml_cannot_hold_are_dropped_and_booleans_are_words():
    sheet = read(write_workbook([Sheet("c", ("x", "y"), (("单位\x07名称\x00", True),))]))["c"]
    assert (sheet["A2"].value, sheet["B2"].value) == ("单位名称", "是")


def test_sheet_titles_follow_excels_rules_and_stay_unique():
    taken: set[str] = set()
    titles = [sheet_title(t, taken) for t in ("a/b:c", "x" * 40, "X" * 40, "[问题]", "")]
    assert titles == ["a_b_c", "x" * 31, "X" * 29 + "_2", "_问题_", "Sheet"]
    assert all(len(t) <= 31 for t in titles)


def test_sheets_keep_their_order():
    book = read(write_workbook([Sheet("b", ("x",), ()), Sheet("a", ("y",), ())]))
    assert book.sheetnames == ["b", "a"]


def test_cells_lose_bidi_and_format_characters_and_keep_their_lines():
    row = ("照片\u202egpj.exe", "第一行\n第二行\u200b\ufeff", "单位\x85")
    sheet = read(write_workbook([Sheet("h", ("a", "b\u202e", "c"), (row,))]))["h"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("a", "b", "c"), ("照片gpj.exe", "第一行\n第二行", "单位")]
