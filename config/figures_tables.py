"""The figures as the page shows them: tiles with their formulas, and one table per figure.

A table is the single source of a figure's numbers for the page, its chart's accessible twin and
its CSV download, so the three can never disagree.
"""

import csv
import io
from dataclasses import dataclass, field

from .figures import Figures, percent
from .figures_links import Links

NOTHING = "—"  # a rate or median with nothing to count: never a division by zero, never "0%"


def rate(part: int, whole: int) -> str:
    value = percent(part, whole)
    return NOTHING if value is None else f"{value:.1f}".removesuffix(".0") + "%"


def decimal(value: float | None) -> str:
    return NOTHING if value is None else f"{value:.1f}"


def ratio(part: int, whole: int) -> str:
    return decimal(part / whole if whole else None)


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""


@dataclass(frozen=True)
class Table:
    name: str  # the `figure` of its CSV download
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    footer: list[Cell] = field(default_factory=list)
    stack_on_phones: bool = False  # too many wide columns for a phone: one card per row there

    @property
    def labelled_rows(self) -> list[list[tuple[str, Cell]]]:
        """Each cell with its column's header (a stacked row names each value)."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.headers)
        for row in [*self.rows, *([self.footer] if self.footer else [])]:
            writer.writerow([cell.text for cell in row])
        return out.getvalue()


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    numbers: str
    formula: str
    href: str


def tiles(figures: Figures, links: Links) -> list[Tile]:
    counts, moves = figures.applications, figures.moves
    found = [
        Tile("Fill rate", rate(figures.taken, figures.seats), f"{figures.taken} of {figures.seats} seats taken",
             "Seats taken ÷ seats offered, over every slot starting in the period (full or not) of a listing that "
             "has been published. A seat is taken by an accepted, approved or completed placement.",
             links.applications("placements")),
        Tile("Applications per slot", ratio(counts["applications"], figures.slots),
             f"{counts['applications']} applications to {figures.slots} slots",
             "Applications to these slots (withdrawn and turned-down ones too) ÷ the number of slots.",
             links.applications()),
        Tile("Median days to first offer", decimal(counts["days_to_offer"]),
             f"over {counts['with_offer']} applications with an offer",
             "The median, over applications to these slots that received an offer, of the days from applying "
             "to the first offer.", links.applications("offered")),
        Tile("Median days to a decision", decimal(counts["days_to_decision"]),
             f"over {counts['with_decision']} applications decided",
             "The median, over applications to these slots that were decided, of the days from applying to the "
             "first decision: an offer or a rejection. A waitlisting is not a decision; the applicant still waits.",
             links.applications("closed")),
        Tile("Offer acceptance rate", rate(moves["accepts"], moves["offers"]),
             f"{moves['accepts']} of {moves['offers']} offers accepted",
             "Offers accepted ÷ offers made on these slots; a second offer to the same applicant counts again. "
             "Places given by a match round are not offers.", links.applications("placements")),
        Tile("Offers expired", str(moves["expires"]), f"of {moves['offers']} offers",
             "Offers on these slots left unanswered past their deadline.", links.applications("closed")),
        Tile("Placements awaiting approval", str(counts["accepted"]), "accepted offers",
             "Applications to these slots now accepted and waiting for an administrator's approval.",
             links.to_approve()),
        Tile("Placements approved", str(counts["approved"]), "approved or completed",
             "Applications to these slots now approved or completed (a completed placement was approved first).",
             links.applications("placements")),
        Tile("Rotations completed", str(counts["completed"]), "marked completed",
             "Applications to these slots now marked completed by the institution.", links.applications("placements")),
    ]
    if figures.queues is not None:
        found += [
            Tile("Documents awaiting verification", str(figures.queues["documents"]), "now, any period",
                 "Documents applicants uploaded that no administrator has verified or rejected yet.", links.documents()),
            Tile("Listings awaiting moderation", str(figures.queues["listings"]), "now, any period",
                 "Listings submitted for review that no administrator has published or returned yet.",
                 links.listings_to_moderate()),
        ]
    return found


def summary_table(found: list[Tile]) -> Table:
    return Table("summary", "The figures of the period", ["Figure", "Value", "Counted", "Definition"],
                 [[Cell(tile.label, tile.href), Cell(tile.value), Cell(tile.numbers), Cell(tile.formula)]
                  for tile in found], stack_on_phones=True)


def months_table(figures: Figures, links: Links) -> Table:
    rows = [[Cell(f"{row.month:%b %Y}", links.month(row.month)), Cell(str(row.slots)), Cell(str(row.seats)),
             Cell(str(row.taken)), Cell(rate(row.taken, row.seats))] for row in figures.months]
    total = [Cell("Total"), Cell(str(figures.slots)), Cell(str(figures.seats)), Cell(str(figures.taken)),
             Cell(rate(figures.taken, figures.seats))]
    return Table("fill-by-month", "Fill rate by start month",
                 ["Month", "Slots", "Seats offered", "Seats taken", "Fill rate"], rows, total)


FUNNEL_STEPS = {"signed_up": "Signed up", "profile": "Profile complete", "applied": "Applied",
                "offered": "Offered a place", "placed": "Placed"}


def funnel_table(figures: Figures, links: Links) -> Table:
    funnel = figures.funnel
    return Table("funnel", "Applicants who signed up in the period, by the furthest step reached",
                 ["Step", "Applicants", "Share of sign-ups"],
                 [[Cell(label, links.funnel_step(step)), Cell(str(funnel[step])), Cell(rate(funnel[step], funnel["signed_up"]))]
                  for step, label in FUNNEL_STEPS.items()])


def demand_table(figures: Figures, links: Links, field_name: str) -> Table:
    return Table(f"by-{field_name}", f"Demand against supply by {field_name}",
                 [field_name.capitalize(), "Applications", "Seats offered", "Applications per seat"],
                 [[Cell(row.label), Cell(str(row.applications), links.applications_by(field_name, row.key)),
                   Cell(str(row.seats), links.seats_by(field_name, row.key)), Cell(ratio(row.applications, row.seats))]
                  for row in figures.demand[field_name]], stack_on_phones=True)
