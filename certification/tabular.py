"""Reading and writing spreadsheets (CSV and XLSX) safely, for imports and exports.

Reading: size and type are checked before anything else; CSV text may be UTF-8 (with or
without BOM) or Windows-1252, delimited by comma or semicolon; row numbers are those the
spreadsheet shows (the header is row 1). Cells that look like formulas are refused.
Writing: cells that a spreadsheet would run as a formula are neutralised with an apostrophe,
which reading removes again, so an export imports back unchanged.
"""

import codecs
import csv
import datetime
import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
# An XLSX is a zip: refuse one that inflates far beyond what a roster needs (zip bombs).
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
EXTENSIONS = ("csv", "xlsx")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet runs as a formula (OWASP "CSV injection").
# A tab or carriage return first also starts a formula in some spreadsheets (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# = or @ first; + or - before anything but a digit or space; or + or - before a number that
# goes on with an operator ("-2+3"). A phone number ("+502 5555 1234") is not a formula.
_FORMULA_LIKE = re.compile(r"^(?:[=@]|[+\-][^\d\s]|[+\-]\d.*[^\d\s().\-/])", re.DOTALL)
_ESCAPED = re.compile(r"^'(?=[=+\-@\t\r])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"MZ")


@dataclass
class Table:
    """A sheet read whole: the header (with its row number) and the data rows."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


def normalize_header(text) -> str:
    """'Número de documento ' -> 'numero_de_documento': case, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def normalize_word(text) -> str:
    """A cell value compared loosely (choices, unit names): no case, accents or extra spaces."""
    return normalize_header(text).replace("_", " ")


# --- Checking an upload ---------------------------------------------------------------------


def file_kind(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Upload a CSV or Excel (.xlsx) file; %(name)s is neither."), params={"name": name}, code="type"
        )
    return extension


def check_upload(uploaded_file) -> str:
    """Checks an uploaded file before anything is saved: its kind ("csv" or "xlsx"), size,
    that it is what its name says, and that CSV text can be decoded. Raises ValidationError."""
    kind = file_kind(uploaded_file.name)
    size = uploaded_file.size
    if size is None:  # a stream of unknown length: measure it
        size = sum(len(chunk) for chunk in uploaded_file.chunks())
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB. Split it into smaller files."),
            params={"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_IMPORT_BYTES // 1024 // 1024},
            code="too_large",
        )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    if kind == "xlsx":
        _check_xlsx(data)
    else:
        decode_csv_bytes(data)
    return kind


def _check_xlsx(data: bytes) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Save it from your spreadsheet as .xlsx or CSV."),
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("The Excel workbook is damaged and cannot be read."), code="bad_xlsx"
        ) from exc
    if "xl/workbook.xml" not in names:
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Save it from your spreadsheet as .xlsx or CSV."),
            code="not_xlsx",
        )
    if inflated > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise ValidationError(_("The Excel workbook is too large to read."), code="too_large")


def decode_csv_bytes(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or Windows-1252, as spreadsheet
    programs save it. Anything else is refused with a message saying what to do."""
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            _("This looks like an Excel workbook renamed to .csv. Upload it with the .xlsx extension."),
            code="binary",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data[:4096]):
        raise ValidationError(
            _("The file is saved as UTF-16 (Unicode text). Save it as CSV UTF-8 and upload it again."),
            code="encoding",
        )
    if b"\x00" in data[:8192] or data.startswith(_BINARY_MAGIC):
        raise ValidationError(_("This is not a text (CSV) file."), code="binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # what Excel writes for "CSV (comma delimited)" on Windows
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file's text encoding is not recognised. Save it as CSV UTF-8 and upload it again."),
                code="encoding",
            ) from exc
    if _CONTROL.search(text):
        raise ValidationError(
            _("The file contains characters that are not text. Save it as CSV UTF-8 and upload it again."),
            code="encoding",
        )
    return text


def _looks_utf16(head: bytes) -> bool:
    # UTF-16 without a BOM: every other byte of ASCII text is zero.
    return len(head) >= 4 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4


# --- Reading --------------------------------------------------------------------------------


def read_table(data: bytes, *, kind: str) -> Table:
    """The whole sheet (first worksheet of a workbook). Blank rows are skipped, keeping the
    numbering the spreadsheet shows. Raises ValidationError for an unreadable file."""
    rows = _csv_rows(decode_csv_bytes(data)) if kind == "csv" else _xlsx_rows(data)
    header_row, headers, body = 0, [], []
    for number, cells in rows:
        if not any(_is_filled(cell) for cell in cells):
            continue
        if not header_row:
            header_row, headers = number, [str(cell or "").strip() for cell in cells]
            continue
        body.append((number, list(cells)))
        if len(body) > MAX_IMPORT_ROWS:
            raise ValidationError(
                _("The file has more than %(limit)s rows. Split it into smaller files."),
                params={"limit": f"{MAX_IMPORT_ROWS:,}"},
                code="too_many_rows",
            )
    if not header_row:
        raise ValidationError(_("The file has no rows."), code="empty")
    return Table(header_row=header_row, headers=headers, rows=body)


def _is_filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in Spanish locales) or tab: whichever the header line uses most."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        # One record is one spreadsheet row, even when a quoted cell spans lines.
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ValidationError(
            _("The CSV file cannot be read near row %(row)s: %(error)s"),
            params={"row": reader.line_num, "error": str(exc)},
            code="csv",
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # heavy: only when a workbook is read

    _check_xlsx(data)
    try:
        # data_only=False: formulas come back as their text ("=..."), so they can be refused.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(
            _("The Excel workbook is damaged and cannot be read."), code="bad_xlsx"
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()
    yield from rows


def cell_text(value) -> str:
    """A cell as text: numbers typed into a spreadsheet lose their '.0', dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def looks_like_formula(text: str) -> bool:
    """'=SUM(A1)', '@cmd', '-2+3' are formulas; '+502 5555 1234' and '-' are not."""
    return bool(_FORMULA_LIKE.match(text))


def unescape(text: str) -> str:
    """Removes the apostrophe our exports put before a formula-like cell."""
    return _ESCAPED.sub("", text, count=1)


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value) -> datetime.date | None:
    """ISO (2024-03-31) or day first (31/03/2024), or a spreadsheet date cell. None if blank;
    ValueError if it is not a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.date.fromisoformat(text)
    raise ValueError(text)


# --- Writing --------------------------------------------------------------------------------


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list], *, delimiter: str = ",") -> Iterator[str]:
    """CSV lines for StreamingHttpResponse. Starts with a BOM so Excel reads UTF-8 accents."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def xlsx_file(rows: Iterable[list], *, sheet_title: str):
    """An XLSX written row by row (write-only mode) into a temporary file, rewound, for
    FileResponse. Dates are real date cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(None if value in (None, "") else neutralise(str(value)))
        sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115 - the caller closes it
    workbook.save(out)
    out.seek(0)
    return out


# --- Columns --------------------------------------------------------------------------------


def map_columns(
    headers: list[str], *, aliases: dict[str, str], required: Iterable[str], labels: dict[str, str]
) -> tuple[dict[str, int], list[str]]:
    """Which position holds each known column. `aliases` maps normalised header texts to
    column keys. Unknown columns are ignored (a filled-in export carries extra ones). Returns
    the positions and the problems found (missing or repeated columns)."""
    positions: dict[str, int] = {}
    problems = []
    for index, header in enumerate(headers):
        key = aliases.get(normalize_header(header))
        if key is None:
            continue
        if key in positions:
            problems.append(
                _("The column %(column)s appears twice (%(first)s and %(second)s).")
                % {"column": labels[key], "first": headers[positions[key]], "second": header}
            )
            continue
        positions[key] = index
    missing = [labels[key] for key in required if key not in positions]
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s. The first row must hold the column names.")
            % {"columns": ", ".join(missing)}
        )
    return positions, problems


def row_cells(cells: list, positions: dict[str, int]) -> tuple[dict, list[str]]:
    """The known cells of a row by column key (text unescaped, date cells kept as dates),
    and the keys of the cells that hold a formula."""
    values, formulas = {}, []
    for key, index in positions.items():
        value = cells[index] if index < len(cells) else None
        if isinstance(value, datetime.date):
            values[key] = value
            continue
        text = cell_text(value)
        if looks_like_formula(text):
            formulas.append(key)
        values[key] = unescape(text)
    return values, formulas
