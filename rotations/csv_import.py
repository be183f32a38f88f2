"""Import many slots of one listing from a CSV file: every row checked, then all saved or none."""

import csv
import io
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from .forms import SlotForm
from .models import Listing, Slot
from .selectors import listings_managed_by
from .services import slot_save

COLUMNS = ["start_date", "end_date", "capacity", "application_deadline", "offer_valid_days"]
REQUIRED_COLUMNS = COLUMNS[:4]
DEFAULT_OFFER_VALID_DAYS = "7"
MAX_ROWS = 500
MAX_BYTES = 1024 * 1024


class ImportIssue(NamedTuple):
    """One problem; `row` counts as a spreadsheet does (the header is row 1), None for the whole file."""

    row: int | None
    column: str | None
    message: str


@dataclass
class ImportResult:
    slots: list[Slot] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SlotRowForm(SlotForm):
    """The slot form without its per-row database round trips for the check constraints.

    SlotForm.clean() tests the same conditions in Python, and services.slot_save runs the
    model's full_clean, constraints included, on every row it saves; checking them here too
    would double the import's queries (four per row).
    """

    def validate_constraints(self):
        pass


class FileRejected(Exception):
    """The file as a whole cannot be read as our CSV; the message says why."""


def slots_import(*, listing: Listing, by, file) -> ImportResult:
    """Create the slots a CSV file lists, all in one transaction through services.slot_save.

    Nothing is saved unless every row is valid; otherwise the result lists every problem by row
    and column. Raises PermissionDenied if `by` may not manage the listing.
    """
    if not listings_managed_by(by).filter(pk=listing.pk).exists():
        raise PermissionDenied("Only the institution's coordinators may add slots to its listings.")
    try:
        rows = _read_rows(file)
    except FileRejected as problem:
        return ImportResult(errors=[ImportIssue(None, None, str(problem))])
    forms, errors = _validate(rows, listing)
    if errors:
        return ImportResult(errors=errors)
    return _save(forms, by)


def _read_rows(file) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: value}) of each non-empty row after the header."""
    reader = csv.reader(io.StringIO(_decode(file.read(MAX_BYTES + 1)), newline=""))
    try:
        numbered = [(number, cells) for number, cells in enumerate(reader, start=1)
                    if any(cell.strip() for cell in cells)]
    except csv.Error as error:
        raise FileRejected(f"The file could not be read as CSV (line {reader.line_num}: {error}).") from error
    if not numbered:
        raise FileRejected("The file is empty.")
    (_, header), records = numbered[0], numbered[1:]
    columns = _check_header(header)
    if not records:
        raise FileRejected("The file has a header row but no slots.")
    if len(records) > MAX_ROWS:
        raise FileRejected(f"The file has {len(records)} rows of slots; the limit is {MAX_ROWS}. "
                           "Split it into several files.")
    return [(number, _row_values(columns, cells)) for number, cells in records]


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FileRejected("The file is larger than 1 MB. Split it into several files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRejected("The file is not UTF-8 text. In your spreadsheet, save it as "
                           "“CSV UTF-8 (comma delimited)” and try again.") from error
    if "\x00" in text:
        raise FileRejected("The file contains a NUL byte, so it is not a CSV text file.")
    return text


def _check_header(header: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in header]
    if len(columns) == 1 and ";" in columns[0]:
        raise FileRejected("Separate the columns with commas, not semicolons.")
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [c for c in columns if c and c not in COLUMNS]
    problems = [f"{label} {_plural('column', names)}: {', '.join(names)}."
                for label, names in [("Missing", missing), ("Unknown", unknown), ("Repeated", duplicates)]
                if names]
    if problems:
        raise FileRejected(" ".join(problems) + " The first row must name the columns "
                           + ",".join(COLUMNS) + " (offer_valid_days may be left out).")
    return columns


def _plural(word: str, items: list) -> str:
    return word if len(items) == 1 else f"{word}s"


def _row_values(columns: list[str], cells: list[str]) -> dict[str, str]:
    values = dict.fromkeys(COLUMNS, "")
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else ""
        if column:
            values[column] = cell.strip()
        elif cell.strip():
            values[""] = cell.strip()  # a value beyond the header's columns: reported by _validate
    values["offer_valid_days"] = values["offer_valid_days"] or DEFAULT_OFFER_VALID_DAYS
    return values


def _validate(rows, listing: Listing) -> tuple[list[tuple[int, SlotRowForm]], list[ImportIssue]]:
    forms, errors = [], []
    for number, values in rows:
        form = SlotRowForm(values, instance=Slot(listing=listing))
        if "" in values:
            errors.append(ImportIssue(number, None, "Has more values than the header has columns."))
        if form.is_valid():
            forms.append((number, form))
        else:
            errors.extend(_form_issues(number, form))
    return forms, errors


def _form_issues(number: int, form: SlotForm) -> list[ImportIssue]:
    issues = [ImportIssue(number, None if name == NON_FIELD_ERRORS else name, message)
              for name, messages in form.errors.items() for message in messages]
    return sorted(issues, key=lambda issue: COLUMNS.index(issue.column) if issue.column else len(COLUMNS))


def _save(forms: list[tuple[int, SlotForm]], by) -> ImportResult:
    slots, row = [], None
    try:
        with transaction.atomic():
            for row, form in forms:  # noqa: B007 - `row` names the line a refusal came from
                slots.append(slot_save(slot=form.save(commit=False), by=by))
    except ValidationError as error:
        return ImportResult(errors=[ImportIssue(row, None, message) for message in error.messages])
    return ImportResult(slots=slots)
