"""The one CSV writer and the one XLSX writer: every spreadsheet the application hands out is
written here, so that none can be turned against its reader (CWE-1236, « CSV injection »).

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what a
spreadsheet reads as a formula (``=HYPERLINK("http://…?"&C2,"Voir")`` sends the row elsewhere
on one click). Such a text is *neutralised*, following OWASP's CSV injection guidance:

- in CSV it is written with a leading single quote (``'=HYPERLINK(…)``): Excel and LibreOffice
  then read the cell as text, and a reader sees the apostrophe;
- in XLSX it is written as an explicit string cell (never ``data_type "f"``, which openpyxl
  otherwise gives to any text starting with ``=``) carrying the « quote prefix » style, so that
  the spreadsheet shows it unchanged and keeps it as text even when the cell is edited.

Only texts are neutralised: numbers (negative ones included), dates and decimals stay typed.
Write-only (streamed) workbooks stay streamed: rows without a dangerous text are handed to
openpyxl unchanged."""

import csv
import datetime
import decimal
import io

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_dangerous(value):
    """``True`` for a text a spreadsheet could read as a formula (see the module docstring)."""
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def neutralise(value):
    """A dangerous text with a leading single quote; any other value unchanged."""
    return "'" + value if is_dangerous(value) else value


# --- CSV -------------------------------------------------------------------------------------


def csv_value(value):
    """One CSV cell as text: empty for ``None``, dates ``jj/mm/aaaa``, decimals with the decimal
    comma French spreadsheets expect, texts neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime.date):  # datetimes included
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, decimal.Decimal):
        return str(value).replace(".", ",")
    return str(value)


class _Echo:
    """A file-like object whose ``write`` hands the line back (csv.writer's ``writerow``
    returns what ``write`` returns)."""

    def write(self, value):
        return value


class CsvWriter:
    """Lines of CSV as text, one row at a time (so that they can be streamed).

    ``quoting=False`` is for files read by a platform with no quoting rules (the Ma Démarche FSE
    file): cells are joined by the delimiter, and a cell containing the delimiter or a line break
    is a programming error (the caller cleans its values first)."""

    def __init__(self, *, delimiter=";", lineterminator="\r\n", quoting=True):
        self.delimiter = delimiter
        self.lineterminator = lineterminator
        self._writer = None
        if quoting:
            self._writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator=lineterminator)

    def line(self, cells):
        # a plain text that cannot be read as a formula is its own cell: no call per cell for it
        # (an export writes tens of thousands of lines); anything else goes through csv_value
        values = [
            cell if type(cell) is str and not cell.startswith(DANGEROUS_PREFIXES) else csv_value(cell)
            for cell in cells
        ]
        if self._writer is not None:
            return self._writer.writerow(values)
        line = self.delimiter.join(values)
        if line.count(self.delimiter) != len(values) - 1 or "\n" in line or "\r" in line:
            for value in values:  # the first culprit, named
                if self.delimiter in value or "\n" in value or "\r" in value:
                    raise ValueError(f"Cellule non délimitable dans un CSV sans guillemets : {value!r}")
        return line + self.lineterminator

    def lines(self, rows):
        for cells in rows:
            yield self.line(cells)


def csv_bytes(rows, *, bom=True, encoding="utf-8", **options):
    """The whole CSV of ``rows`` as bytes (UTF-8 with a BOM by default, so that Excel reads the
    accents); ``options`` go to :class:`CsvWriter`."""
    writer = CsvWriter(**options)
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    for line in writer.lines(rows):
        buffer.write(line)
    return buffer.getvalue().encode(encoding)


# --- XLSX ------------------------------------------------------------------------------------


class XlsxWriter:
    """One workbook. ``sheet(title)`` adds a sheet; ``append(sheet, cells, **style)`` adds a row
    (values or cells from :meth:`cell`); ``content()`` / ``save(path)`` write the file.

    With ``write_only=True`` the workbook is streamed (openpyxl's write-only mode, memory flat);
    otherwise the sheets can be styled afterwards (widths, number formats, frozen panes…), and
    :meth:`content` checks every cell once more before saving."""

    def __init__(self, *, write_only=False, title=None):
        from openpyxl import Workbook

        self.write_only = write_only
        self.workbook = Workbook(write_only=write_only)
        if not write_only:
            self.workbook.remove(self.workbook.active)
        if title:
            self.workbook.properties.title = title

    def sheet(self, title):
        return self.workbook.create_sheet(title[:31])

    def cell(self, sheet, value, *, font=None, fill=None, alignment=None, number_format=None):
        """A cell of ``sheet`` holding ``value`` (a dangerous text as an explicit, quote-prefixed
        string cell), with the given style."""
        from openpyxl.cell import Cell

        cell = Cell(sheet, row=1, column=1, value=value)  # placed by ``append``
        if is_dangerous(value):
            _as_text(cell)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def append(self, sheet, cells, **style):
        """Append one row; ``style`` (font, fill, alignment, number_format) applies to each of its
        cells. A row of plain values without a dangerous text goes to openpyxl as it is."""
        from openpyxl.cell import Cell

        cells = list(cells)
        if style or any(is_dangerous(value) for value in cells):
            # Every value becomes its own cell: openpyxl's write-only ``append`` reuses the last
            # cell given for the values that follow it, which would carry its style along.
            cells = [
                _checked(value)
                if isinstance(value, Cell)
                else (None if value is None else self.cell(sheet, value, **style))
                for value in cells
            ]
        else:
            cells = [_checked(value) if isinstance(value, Cell) else value for value in cells]
        sheet.append(cells)

    def _check_all(self):
        for sheet in self.workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or is_dangerous(cell.value):
                        _as_text(cell)

    def save(self, path):
        if not self.write_only:
            self._check_all()
        self.workbook.save(path)

    def content(self):
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


def _as_text(cell):
    cell.data_type = "s"
    cell.quotePrefix = True


def _checked(cell):
    if cell.data_type == "f" or is_dangerous(cell.value):
        _as_text(cell)
    return cell
