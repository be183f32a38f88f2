"""CSV import of slots: every row checked, errors by row and column, all rows saved or none."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rotations.choices import ListingStatus
from rotations.csv_import import slots_import
from rotations.models import Slot

from .factories import ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db

HEADER = "start_date,end_date,capacity,application_deadline,offer_valid_days"
COLUMNS_HINT = (" The first row must name the columns "
                "start_date,end_date,capacity,application_deadline,offer_valid_days "
                "(offer_valid_days may be left out).")


def day(n: int) -> str:
    """The date n days from today, as the CSV writes it."""
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def row(start=60, end=87, capacity="2", deadline=39, offer="7") -> str:
    return f"{day(start)},{day(end)},{capacity},{day(deadline)},{offer}"


def csv_file(*lines: str, header: str = HEADER, newline: str = "\n") -> SimpleUploadedFile:
    return SimpleUploadedFile("slots.csv", newline.join([header, *lines]).encode(), content_type="text/csv")


@pytest.fixture
def listing(coordinator):
    """A draft of the coordinator's institution with one slot already, so 'unchanged' means something."""
    listing = ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.DRAFT,
                             published_at=None)
    SlotFactory(listing=listing)
    return listing


def run(listing, coordinator, file):
    return slots_import(listing=listing, by=coordinator, file=file)


def test_a_valid_file_creates_exactly_its_slots(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(60, 87, "2", 39, "7"), row(120, 147, "5", 90, "14")))
    assert result.errors == []
    assert len(result.slots) == 2
    created = Slot.objects.filter(listing=listing).order_by("start_date")[1:]
    assert [(s.start_date.isoformat(), s.end_date.isoformat(), s.capacity, s.application_deadline.isoformat(),
             s.offer_valid_days) for s in created] == [
        (day(60), day(87), 2, day(39), 7), (day(120), day(147), 5, day(90), 14)]


def test_offer_valid_days_may_be_left_out_and_defaults_to_seven(listing, coordinator):
    header = "start_date,end_date,capacity,application_deadline"
    result = run(listing, coordinator, csv_file(f"{day(60)},{day(87)},2,{day(39)}", header=header))
    assert result.errors == []
    assert result.slots[0].offer_valid_days == 7


def test_an_empty_offer_valid_days_cell_defaults_to_seven(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(offer="")))
    assert result.slots[0].offer_valid_days == 7


def test_a_byte_order_mark_and_windows_line_ends_are_tolerated(listing, coordinator):
    content = ("\ufeff" + "\r\n".join([HEADER, row(60, 87), row(90, 117, deadline=80)]) + "\r\n").encode()
    result = run(listing, coordinator, SimpleUploadedFile("slots.csv", content))
    assert result.errors == []
    assert Slot.objects.filter(listing=listing).count() == 3


def test_columns_may_come_in_any_order_and_any_case(listing, coordinator):
    header = "Capacity,START_DATE,end_date,application_deadline"
    result = run(listing, coordinator, csv_file(f"3,{day(60)},{day(87)},{day(39)}", header=header))
    assert [(s.capacity, s.start_date.isoformat()) for s in result.slots] == [(3, day(60))]


def test_empty_lines_are_skipped_and_rows_keep_their_spreadsheet_numbers(listing, coordinator):
    result = run(listing, coordinator, csv_file("", row(), ",,,,", row(end=50)))
    assert result.errors == [(5, "end_date", "Must be after the start date.")]
    assert Slot.objects.count() == 1


# One test per kind of error: the exact list of problems, and nothing saved.

def test_a_bad_date_is_reported_by_row_and_column(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(), f"03/01/2027,{day(87)},2,{day(39)},7"))
    assert result.errors == [(3, "start_date", "Enter a date as YYYY-MM-DD.")]
    assert Slot.objects.count() == 1


def test_an_end_before_the_start_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(), row(), row(start=60, end=59)))
    assert result.errors == [(4, "end_date", "Must be after the start date.")]
    assert Slot.objects.count() == 1


def test_a_deadline_after_the_start_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(start=60, deadline=61)))
    assert result.errors == [(2, "application_deadline", "Must be on or before the start date.")]
    assert Slot.objects.count() == 1


def test_a_start_in_the_past_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(start=-1, end=20, deadline=-5)))
    assert result.errors == [(2, "start_date", "Must not be in the past.")]
    assert Slot.objects.count() == 1


def test_a_capacity_of_zero_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(capacity="0")))
    assert result.errors == [(2, "capacity", "Ensure this value is greater than or equal to 1.")]
    assert Slot.objects.count() == 1


def test_a_capacity_that_is_not_a_number_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(capacity="two")))
    assert result.errors == [(2, "capacity", "Enter a whole number.")]
    assert Slot.objects.count() == 1


def test_an_empty_required_cell_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(f"{day(60)},{day(87)},,{day(39)},7"))
    assert result.errors == [(2, "capacity", "This field is required.")]
    assert Slot.objects.count() == 1


def test_every_problem_of_every_row_is_reported_in_order(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(end=50, capacity="x"), row(), row(start=60, deadline=70, offer="99")))
    assert result.errors == [
        (2, "end_date", "Must be after the start date."),
        (2, "capacity", "Enter a whole number."),
        (4, "application_deadline", "Must be on or before the start date."),
        (4, "offer_valid_days", "Ensure this value is less than or equal to 60."),
    ]
    assert Slot.objects.count() == 1


def test_a_value_beyond_the_header_is_reported(listing, coordinator):
    result = run(listing, coordinator, csv_file(row() + ",surplus"))
    assert result.errors == [(2, None, "Has more values than the header has columns.")]
    assert Slot.objects.count() == 1


def test_a_missing_column_is_one_file_level_error(listing, coordinator):
    header = "start_date,capacity,application_deadline,offer_valid_days"
    result = run(listing, coordinator, csv_file(f"{day(60)},2,{day(39)},7", header=header))
    assert result.errors == [(None, None, "Missing column: end_date." + COLUMNS_HINT)]
    assert Slot.objects.count() == 1


def test_an_unknown_column_is_one_file_level_error(listing, coordinator):
    result = run(listing, coordinator, csv_file(row() + ",Ward 4", header=HEADER + ",notes"))
    assert result.errors == [(None, None, "Unknown column: notes." + COLUMNS_HINT)]
    assert Slot.objects.count() == 1


def test_a_file_that_is_not_csv_is_one_file_level_error(listing, coordinator):
    result = run(listing, coordinator, SimpleUploadedFile("notes.txt", b"Dear coordinator,\nsee you soon\n"))
    assert result.errors == [(None, None, "Missing columns: start_date, end_date, capacity, "
                              "application_deadline. Unknown column: dear coordinator." + COLUMNS_HINT)]
    assert Slot.objects.count() == 1


def test_semicolons_get_their_own_explanation(listing, coordinator):
    result = run(listing, coordinator, csv_file(row().replace(",", ";"), header=HEADER.replace(",", ";")))
    assert result.errors == [(None, None, "Separate the columns with commas, not semicolons.")]
    assert Slot.objects.count() == 1


def test_an_empty_file_is_one_file_level_error(listing, coordinator):
    result = run(listing, coordinator, SimpleUploadedFile("slots.csv", b""))
    assert result.errors == [(None, None, "The file is empty.")]
    assert Slot.objects.count() == 1


def test_a_header_without_rows_is_one_file_level_error(listing, coordinator):
    result = run(listing, coordinator, csv_file())
    assert result.errors == [(None, None, "The file has a header row but no slots.")]
    assert Slot.objects.count() == 1


def test_a_file_that_is_not_utf8_is_one_file_level_error(listing, coordinator):
    content = (HEADER + "\n" + row() + ",\n").encode() + "# café".encode("latin-1")
    result = run(listing, coordinator, SimpleUploadedFile("slots.csv", content))
    assert result.errors == [(None, None, "The file is not UTF-8 text. In your spreadsheet, save it as "
                              "“CSV UTF-8 (comma delimited)” and try again.")]
    assert Slot.objects.count() == 1


def test_a_nul_byte_is_one_file_level_error(listing, coordinator):
    content = (HEADER + "\n" + row()).encode().replace(b",2,", b",2\x00,")
    result = run(listing, coordinator, SimpleUploadedFile("slots.csv", content))
    assert result.errors == [(None, None, "The file contains a NUL byte, so it is not a CSV text file.")]
    assert Slot.objects.count() == 1


def test_more_than_500_rows_is_one_file_level_error(listing, coordinator):
    result = run(listing, coordinator, csv_file(*[row()] * 501))
    assert result.errors == [(None, None, "The file has 501 rows of slots; the limit is 500. "
                              "Split it into several files.")]
    assert Slot.objects.count() == 1


def test_exactly_500_rows_are_imported(listing, coordinator):
    result = run(listing, coordinator, csv_file(*[row()] * 500))
    assert result.errors == []
    assert Slot.objects.count() == 501


def test_a_file_over_one_megabyte_is_one_file_level_error(listing, coordinator):
    padding = "," * (1024 * 1024)
    result = run(listing, coordinator, csv_file(row() + padding))
    assert result.errors == [(None, None, "The file is larger than 1 MB. Split it into several files.")]
    assert Slot.objects.count() == 1


def test_a_file_mixing_valid_and_invalid_rows_saves_nothing(listing, coordinator):
    result = run(listing, coordinator, csv_file(row(), row(capacity="0"), row()))
    assert result.errors == [(3, "capacity", "Ensure this value is greater than or equal to 1.")]
    assert result.slots == []
    assert Slot.objects.count() == 1


def test_an_archived_listing_takes_no_imported_slots(listing, coordinator):
    listing.status = ListingStatus.ARCHIVED
    listing.save()
    result = run(listing, coordinator, csv_file(row(), row()))
    assert result.errors == [(2, None, "An archived listing takes no new slots.")]
    assert Slot.objects.count() == 1


# Through the web.

def _upload(client, user, listing, file):
    client.force_login(user)
    return client.post(reverse("rotations:slot_import", args=[listing.pk]), {"file": file})


def test_a_valid_upload_creates_the_slots_and_returns_to_the_listing(client, listing, coordinator):
    response = _upload(client, coordinator, listing, csv_file(row(), row(90, 117, deadline=80)))
    assert response.status_code == 302
    assert response.url == reverse("rotations:coordinator_listing", args=[listing.pk])
    assert Slot.objects.filter(listing=listing).count() == 3


def test_an_invalid_upload_shows_the_error_table_and_saves_nothing(client, listing, coordinator):
    response = _upload(client, coordinator, listing, csv_file(row(), row(), row(start=60, end=59)))
    assert response.status_code == 200
    assert response.context["result"].errors == [(4, "end_date", "Must be after the start date.")]
    page = response.content.decode()
    assert ('<td data-label="Row">4</td><td data-label="Column">end_date</td>'
            '<td class="stack-full">Must be after the start date.</td>') in page
    assert Slot.objects.count() == 1


def test_the_example_file_imports_as_it_is(client, listing, coordinator):
    client.force_login(coordinator)
    example = client.get(reverse("rotations:slot_import_example"))
    assert example["Content-Type"] == "text/csv; charset=utf-8"
    response = _upload(client, coordinator, listing, SimpleUploadedFile("example.csv", example.content))
    assert response.status_code == 302
    assert Slot.objects.filter(listing=listing).count() == 4


def test_a_colleague_can_import_into_the_institutions_listing(client, listing, colleague):
    response = _upload(client, colleague, listing, csv_file(row()))
    assert response.status_code == 302
    assert Slot.objects.filter(listing=listing).count() == 2


def test_a_stranger_cannot_import_into_another_institutions_listing(client, listing, stranger):
    response = _upload(client, stranger, listing, csv_file(row(), row()))
    assert response.status_code == 404
    assert Slot.objects.count() == 1


def test_the_service_refuses_a_stranger(listing, stranger):
    with pytest.raises(PermissionDenied):
        run(listing, stranger, csv_file(row()))
    assert Slot.objects.count() == 1
