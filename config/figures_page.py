"""The figures page, section by section: each figure's table, its chart drawn from the same rows, and its formula."""

from dataclasses import dataclass

from .figures import DEMAND_FIELDS, Figures, percent
from .figures_links import Links
from .figures_svg import BarChart, LineChart, Series, bar_chart, line_chart
from .figures_tables import (
    FUNNEL_STEPS,
    Table,
    Tile,
    demand_table,
    funnel_table,
    months_table,
    rate,
    summary_table,
    tiles,
)

APPLICATIONS = Series("chart-bar-applications", "applications", "application")
SEATS = Series("chart-bar-seats", "seats offered", "seat offered")
APPLICANTS = Series("chart-bar-applicants", "applicants", "applicant")


@dataclass(frozen=True)
class Section:
    table: Table
    heading: str
    formula: str
    csv_url: str
    chart: BarChart | LineChart | None = None

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def is_line(self) -> bool:
        return isinstance(self.chart, LineChart)


@dataclass(frozen=True)
class FiguresPage:
    tiles: list[Tile]
    summary: Section
    sections: list[Section]

    @property
    def tables(self) -> dict[str, Table]:
        return {section.name: section.table for section in [self.summary, *self.sections]}


def figures_page(figures: Figures, links: Links) -> FiguresPage:
    found = tiles(figures, links)

    def csv(name: str) -> str:
        return "?" + figures.period.query(format="csv", figure=name)

    sections = [
        Section(months_table(figures, links), "Fill rate by start month",
                "Fill rate = seats taken ÷ seats offered, for the slots starting in each month. A month without "
                "slots has no point.", csv("fill-by-month"), _months_chart(figures, links)),
    ]
    if figures.funnel is not None:
        sections.append(Section(
            funnel_table(figures, links), "Applicant funnel",
            "Applicants whose account was created in the period, and how many of them (at any time since) completed "
            "their profile, applied at least once, received an offer (or a place in a match round), and hold or held "
            "a placement (accepted, approved or completed). Share = step ÷ signed up.",
            csv("funnel"), _funnel_chart(figures, links)))
    for field in DEMAND_FIELDS:
        table = demand_table(figures, links, field)
        sections.append(Section(
            table, f"Demand against supply by {field}",
            f"Applications to the slots starting in the period against the seats those slots offer, by the "
            f"listing's {field}. Applications per seat = applications ÷ seats offered.",
            csv(table.name), _demand_chart(figures, links, field) if table.rows else None))
    return FiguresPage(found, Section(summary_table(found), "The figures as a table", "", csv("summary")), sections)


def _months_chart(figures: Figures, links: Links) -> LineChart:
    points = []
    for row in figures.months:
        name = f"{row.month:%B %Y}: {rate(row.taken, row.seats)} filled, {row.taken} of {row.seats} seats"
        points.append((f"{row.month:%b}", f"{row.month:%Y}", percent(row.taken, row.seats), links.month(row.month), name))
    return line_chart(points)


def _funnel_chart(figures: Figures, links: Links) -> BarChart:
    rows = [(label, [(figures.funnel[step], links.funnel_step(step))]) for step, label in FUNNEL_STEPS.items()]
    return bar_chart(rows, [APPLICANTS])


def _demand_chart(figures: Figures, links: Links, field: str) -> BarChart:
    return bar_chart([(row.label, [(row.applications, links.applications_by(field, row.key)),
                                   (row.seats, links.seats_by(field, row.key))]) for row in figures.demand[field]],
                     [APPLICATIONS, SEATS])
