"""Tabular exports people open in Excel: CSV with a byte-order mark, and real .xlsx files."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


def csv_response(stem: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    response.write("\ufeff")  # Excel needs the BOM to read UTF-8 Chinese text correctly
    writer = csv.writer(response)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return response


def xlsx_response(
    stem: str, title: str, header: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    return xlsx_workbook_response(stem, [(title, header, rows)])


def xlsx_workbook_response(
    stem: str, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]
) -> HttpResponse:
    """An .xlsx file with one sheet per (title, header, rows)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        header = [str(h) for h in header]
        for index, label in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(label) * 2 + 4)
        sheet.append(header)
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "xlsx")}"'
    return response


def _safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value if isinstance(value, int | float) else str(value)
