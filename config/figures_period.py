"""The period the figures cover: whole months of slot start dates, chosen by a GET form."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django import forms
from django.http import QueryDict
from django.utils import timezone

# Past three years a monthly chart has more points than a phone can show apart.
MAX_MONTHS = 36
# Before this month and after it: the default period is these months around the current one.
DEFAULT_MONTHS_AROUND = 6
MONTH_FORMAT = "%Y-%m"


def add_months(first_day: date, months: int) -> date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From the first day of `first`'s month to the last day of `last`'s month."""

    first: date
    last: date

    @property
    def end(self) -> date:
        """The day after the period: ranges are half-open, so no month's last day is missed."""
        return add_months(self.last, 1)

    @property
    def months(self) -> list[date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [add_months(self.first, n) for n in range(count)]

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes in the site's time zone, for timestamps (sign-ups)."""
        zone = timezone.get_current_timezone()
        return (datetime.combine(self.first, time.min, tzinfo=zone), datetime.combine(self.end, time.min, tzinfo=zone))

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"

    def query(self, **extra) -> str:
        params = QueryDict(mutable=True)
        params.update({"from_month": f"{self.first:{MONTH_FORMAT}}", "to_month": f"{self.last:{MONTH_FORMAT}}", **extra})
        return params.urlencode()


def default_period(today: date) -> Period:
    this_month = today.replace(day=1)
    return Period(add_months(this_month, -DEFAULT_MONTHS_AROUND), add_months(this_month, DEFAULT_MONTHS_AROUND))


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self):
        super().__init__(format=MONTH_FORMAT, attrs={"placeholder": "YYYY-MM"})


def _month_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, input_formats=[MONTH_FORMAT], widget=MonthInput(),
                           error_messages={"invalid": "Enter a month as YYYY-MM, for example 2026-09."})


class PeriodForm(forms.Form):
    """A month left out takes the default period's (so the boxes always show the months counted);
    the months must be in order and at most MAX_MONTHS apart."""

    from_month = _month_field("From (slots starting in)")
    to_month = _month_field("To (slots starting in)")

    def __init__(self, data, *, today: date):
        default, data = default_period(today), data.copy()
        for name, month in (("from_month", default.first), ("to_month", default.last)):
            if not data.get(name):
                data[name] = f"{month:{MONTH_FORMAT}}"
        super().__init__(data)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        first, last = data["from_month"], data["to_month"]
        if first > last:
            raise forms.ValidationError("The first month comes after the last one: swap them.")
        if len(Period(first, last).months) > MAX_MONTHS:
            raise forms.ValidationError(f"Choose at most {MAX_MONTHS} months.")
        data["period"] = Period(first, last)
        return data
