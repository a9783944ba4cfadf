"""CSV for spreadsheet programs: text that is shown, never run."""

import csv

from django.http import HttpResponse

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a quote so that spreadsheet programs show the text instead of running it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_download(filename, header, rows):
    """
    A CSV file to download: UTF-8 with a byte order mark, so that spreadsheet programs read
    umlauts correctly, and every cell neutralised.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return response
