"""Helpers for the dashboard page tests: a small team with hand-checkable figures, table parsing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from kpis.models import Quota
from kpis.services import kpi_recompute
from reps.models import Rep, Team
from tests.factories import RepFactory, TeamFactory, UserFactory, make_pipeline
from tests.kpis.kpi_helpers import d, done, feedback, move, opp, planned

MARCH = {"period": "month", "start": "2025-03-01"}


@dataclass
class MarchTeam:
    team: Team
    ann: Rep
    bob: Rep
    cem: Rep


def make_rep(team: Team, first: str, last: str) -> Rep:
    user = UserFactory(username=first.lower(), first_name=first, last_name=last)
    return RepFactory(user=user, team=team)


def march_team(name: str = "Alpha", manager=None, parent: Team | None = None) -> MarchTeam:
    """Three reps and their March 2025 (a finished month), worked out by hand:

    - Ann: quota 1,000.00, won 1,200.00 (120.0 %, on target); one deal lost after the offer
      (win rate 1/2, offer→close 1/2); an open deal of 800.00 in Negotiation (75 %) expected in
      April; all three deals created in March reached the offer (contact→offer 100.0 %);
      1 call planned and done; CSAT 4.
    - Bob: quota 1,000.00, won 500.00 (50.0 %, at risk); 2 calls planned, 1 done (50.0 %).
    - Cem: no quota and nothing logged: attainment, band and ratios undefined ("—").
    Team: target 2,000.00, actual 1,700.00, attainment 85.0 % (close).
    """
    make_pipeline()
    team = TeamFactory(name=name, manager=manager or UserFactory(username=f"boss-{name.lower()}"), parent=parent)
    suffix = "" if name == "Alpha" else f"-{name.lower()}"
    ann = make_rep(team, "Ann" + suffix, "Able")
    bob = make_rep(team, "Bob" + suffix, "Baker")
    cem = make_rep(team, "Cem" + suffix, "Cole")
    for rep in (ann, bob):
        Quota.objects.create(rep=rep, start_date=d("2025-03-01"), end_date=d("2025-03-31"), target=Decimal("1000.00"))
    opp(ann, "2025-03-03", stage_name="Won", amount="1200.00")
    lost = opp(ann, "2025-03-04", stage_name="Proposal", amount="300.00")
    move(lost, "Lost", "2025-03-10")
    done(ann, "call", "2025-03-05", planned="2025-03-05")
    opp(ann, "2025-03-20", stage_name="Negotiation", amount="800.00", expected_close_date=d("2025-04-15"))
    feedback(ann, "2025-03-06", score=4)
    opp(bob, "2025-03-12", stage_name="Won", amount="500.00")
    done(bob, "call", "2025-03-13", planned="2025-03-13")
    planned(bob, "call", "2025-03-14")
    kpi_recompute()
    return MarchTeam(team=team, ann=ann, bob=bob, cem=cem)


class _TableParser(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # > 0 inside the wanted table
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth = 0
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.depth and self.cell is not None:
            self.cell.append(data)


def html_table(content: bytes | str, table_id: str) -> list[list[str]]:
    """The cell texts of ``<table id=table_id>``, header row first (arrows of sorted headers dropped)."""
    parser = _TableParser(table_id)
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    rows = parser.rows
    if rows:
        rows[0] = [cell.rstrip(" ▲▼") for cell in rows[0]]
    return rows


def csv_table(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv_text(cell: str) -> str:
    """What the CSV holds for a cell the page shows: no thousands separators, units or "—"."""
    if cell == "—":
        return ""
    if "," in cell and "." not in cell:  # a large whole amount: the page drops the cents, CSV keeps them
        cell += ".00"
    return cell.replace(",", "").removesuffix(" %")
