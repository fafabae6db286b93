"""Entry-feed files for tests: records with sensible defaults, written as CSV."""

import csv
from pathlib import Path

COLUMNS = [
    "record",
    "entry_number",
    "importer_number",
    "importer_name",
    "port_code",
    "entry_type",
    "entry_date",
    "importation_date",
    "scheduled_liquidation_date",
    "liquidation_date",
    "liquidation_status",
    "extension_requested_by_importer",
    "summary_under_review",
    "reliquidation_date",
    "line_number",
    "hts_number",
    "entered_value",
    "duty",
]


def entry(number, **values):
    return {
        "record": "entry",
        "entry_number": number,
        "importer_number": "12-3456789AB",
        "importer_name": "Acme Inc.",
        "port_code": "2304",
        "entry_date": "2026-01-15",
        "scheduled_liquidation_date": "2026-11-25",
        "liquidation_status": "unliquidated",
        **values,
    }


def line(number, line_number, hts="8429510000", value="1000.00", **values):
    return {
        "record": "line",
        "entry_number": number,
        "line_number": str(line_number),
        "hts_number": hts,
        "entered_value": value,
        **values,
    }


def write_csv(tmp_path: Path, rows: list[dict], name="feed.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
