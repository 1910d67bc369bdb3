"""The public "CRM + Sales Opportunities" data set (accounts, products, sales teams, pipeline).

Mapping (docs/import.md explains each choice and every repair):

- ``regional_office`` → a region team; ``manager`` → a team under it, managed by a user of
  that name; ``sales_agent`` → a rep of that team from the first date of the data.
- accounts and products as such; a pipeline named after the format with the stages
  Prospecting (open), Engaging (open, the offer stage), Won and Lost.
- ``engage_date`` → creation date and offer date; ``close_date`` → close date; amount =
  ``close_value`` for won deals, otherwise the product's list price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from imports.formats.base import BadValue, CsvFile, Progress, Report, local_midnight, parse_date, parse_decimal, slug, squash
from imports.formats.writers import (
    Item,
    OpportunityRow,
    RepRow,
    ensure_pipeline,
    ensure_users,
    upsert,
    write_opportunities,
    write_reps,
)
from reps.models import Account, Product, StageKind, Team

NAME = "crm-sales-opportunities"
PREFIX = NAME + ":"

TEAMS, PRODUCTS, ACCOUNTS, PIPELINE = "sales_teams.csv", "products.csv", "accounts.csv", "sales_pipeline.csv"
COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    TEAMS: (["sales_agent", "manager", "regional_office"], []),
    PRODUCTS: (["product", "sales_price"], ["series"]),
    ACCOUNTS: (["account"], ["sector", "office_location"]),
    PIPELINE: (
        ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date", "close_value"],
        [],
    ),
}

STAGES: list[dict[str, Any]] = [
    {"name": "Prospecting", "probability": 10, "kind": StageKind.OPEN},
    {"name": "Engaging", "probability": 50, "kind": StageKind.OPEN, "is_offer": True},
    {"name": "Won", "probability": 100, "kind": StageKind.WON},
    {"name": "Lost", "probability": 0, "kind": StageKind.LOST},
]
CLOSED = {"Won", "Lost"}

# Misspellings found in the published files, read as what they plainly mean (reported).
SECTOR_SPELLINGS = {"technolgy": "technology"}


def files(directory: Path) -> list[CsvFile]:
    return [CsvFile(directory / name, required=req, optional=opt) for name, (req, opt) in COLUMNS.items()]


def _username(name: str) -> str:
    return slug(name).replace("-", ".")[:150]


def _split(name: str) -> tuple[str, str]:
    first, _sep, last = name.partition(" ")
    return first[:150], last[:150]


@dataclass
class Deal:
    line: int
    opportunity_id: str
    agent: str
    product: str
    account: str
    stage: str
    engage: dt.date | None
    close: dt.date | None
    value: Decimal | None


def run(directory: Path, *, report: Report, progress: Progress | None = None) -> None:
    """Read and write the four files; row errors go to ``report`` (the caller rolls back)."""
    csvs = {f.name: f for f in files(directory)}
    for f in csvs.values():
        if not f.path.exists():
            report.error(f.name, None, _("This file is missing: the format needs %(files)s.") % {"files": ", ".join(COLUMNS)})
    if not report.ok or not all([f.check(report) for f in csvs.values()]):  # noqa: C419 (check every file, report all)
        return

    # --- read -----------------------------------------------------------------------------
    teams_rows = list(csvs[TEAMS].rows(report, progress))
    product_rows = list(csvs[PRODUCTS].rows(report, progress))
    account_rows = list(csvs[ACCOUNTS].rows(report, progress))
    deals = _read_deals(csvs[PIPELINE], report, progress)
    if not report.ok:
        return
    dates = [d for deal in deals for d in (deal.engage, deal.close) if d is not None]
    first_day = min(dates) if dates else dt.date.today()
    last_day = max(dates) if dates else first_day

    products = _write_products(product_rows, report)
    accounts = _write_accounts(account_rows, report)
    agents = _write_teams_and_reps(teams_rows, deals, first_day, report)
    stages = ensure_pipeline(NAME, STAGES, report=report, file=PIPELINE)
    if not report.ok:
        return
    _write_deals(deals, products, accounts, agents, stages, first_day, last_day, report)


def _read_deals(f: CsvFile, report: Report, progress: Progress | None) -> list[Deal]:
    deals: list[Deal] = []
    stage_names = {s["name"] for s in STAGES}
    for line, row in f.rows(report, progress):
        try:
            if not row["opportunity_id"]:
                raise BadValue(_("opportunity_id is empty; every deal needs its identifier."))
            if row["deal_stage"] not in stage_names:
                raise BadValue(
                    _("deal_stage “%(value)s” is not one of %(stages)s.")
                    % {"value": row["deal_stage"], "stages": ", ".join(sorted(stage_names))}
                )
            if not row["sales_agent"]:
                raise BadValue(_("sales_agent is empty; every deal needs its sales agent."))
            deals.append(
                Deal(
                    line=line,
                    opportunity_id=row["opportunity_id"],
                    agent=row["sales_agent"],
                    product=row["product"],
                    account=row["account"],
                    stage=row["deal_stage"],
                    engage=parse_date(row["engage_date"], "engage_date"),
                    close=parse_date(row["close_date"], "close_date"),
                    value=parse_decimal(row["close_value"], "close_value"),
                )
            )
        except BadValue as exc:
            report.error(f.name, line, str(exc))
    return deals


def _write_products(rows: list[tuple[int, dict[str, str]]], report: Report) -> dict[str, tuple[int, Decimal]]:
    items, seen = [], set()
    for line, row in rows:
        name = row["product"]
        if not name:
            report.repair(PRODUCTS, line, _("a row without a product name was skipped"))
            continue
        if name in seen:
            report.repair(PRODUCTS, line, _("a product listed twice was read once (the first row)"))
            continue
        seen.add(name)
        try:
            price = parse_decimal(row["sales_price"], "sales_price")
        except BadValue as exc:
            report.error(PRODUCTS, line, str(exc))
            continue
        if price is None:
            report.repair(PRODUCTS, line, _("a product without sales_price was given the list price 0"))
            price = Decimal("0.00")
        items.append(
            Item(
                PREFIX + "product:" + slug(name),
                {"name": name[:120], "series": row.get("series", "")[:80], "list_price": price},
                line,
            )
        )
    pks, _changes = upsert(Product, items, report=report, file=PRODUCTS, entity="products")
    return {item.fields["name"]: (pks[item.external_id], item.fields["list_price"]) for item in items}


def _write_accounts(rows: list[tuple[int, dict[str, str]]], report: Report) -> dict[str, int]:
    items, seen = [], set()
    for line, row in rows:
        name = row["account"]
        if not name:
            report.repair(ACCOUNTS, line, _("a row without an account name was skipped"))
            continue
        if name in seen:
            report.repair(ACCOUNTS, line, _("an account listed twice was read once (the first row)"))
            continue
        seen.add(name)
        sector = row.get("sector", "")
        if sector.lower() in SECTOR_SPELLINGS:
            fixed = SECTOR_SPELLINGS[sector.lower()]
            report.repair(ACCOUNTS, line, _("sector “%(old)s” read as “%(new)s”") % {"old": sector, "new": fixed})
            sector = fixed
        items.append(
            Item(
                PREFIX + "account:" + slug(name),
                {"name": name[:200], "sector": sector[:80], "territory": row.get("office_location", "")[:80]},
                line,
            )
        )
    pks, _changes = upsert(Account, items, report=report, file=ACCOUNTS, entity="accounts")
    return {item.fields["name"]: pks[item.external_id] for item in items}


def _write_teams_and_reps(
    rows: list[tuple[int, dict[str, str]]], deals: list[Deal], first_day: dt.date, report: Report
) -> dict[str, int]:
    """Regions, teams (one per manager), managers and reps; returns rep ids by agent name."""
    agents: dict[str, tuple[int, str, str]] = {}  # agent → (line, manager, region)
    for line, row in rows:
        agent, manager, region = row["sales_agent"], row["manager"], row["regional_office"]
        if not agent:
            report.repair(TEAMS, line, _("a row without a sales agent was skipped"))
            continue
        if agent in agents:
            report.repair(TEAMS, line, _("a sales agent listed twice was read once (the first row)"))
            continue
        if not manager:
            report.repair(TEAMS, line, _("a sales agent without a manager was imported without a team"))
        elif not region:
            report.repair(TEAMS, line, _("a team without a regional office was imported without a region"))
        agents[agent] = (line, manager, region)
    for deal in deals:
        if deal.agent not in agents:
            report.repair(PIPELINE, deal.line, _("a sales agent missing from sales_teams.csv was imported without a team"))
            agents[deal.agent] = (0, "", "")

    regions = sorted({region for _l, manager, region in agents.values() if manager and region})
    region_items = [Item(PREFIX + "region:" + slug(r), {"name": r[:120], "parent": None}, None) for r in regions]
    region_pks = _upsert_teams(region_items, report)
    managers = sorted({(manager, region) for _l, manager, region in agents.values() if manager})
    users = ensure_users({_username(m): dict(zip(("first_name", "last_name"), _split(m), strict=True)) for m, _r in managers})
    team_items = [
        Item(
            PREFIX + "team:" + slug(m),
            {
                "name": (f"{r} – {m}" if r else m)[:120],
                "parent": region_pks.get(PREFIX + "region:" + slug(r)) if r else None,
                "manager": users[_username(m)].pk,
            },
            None,
        )
        for m, r in managers
    ]
    team_pks = _upsert_teams(team_items, report)
    rep_rows = []
    for agent, (line, manager, _region) in agents.items():
        first, last = _split(agent)
        rep_rows.append(
            RepRow(
                line=line or None,
                external_id=PREFIX + "rep:" + slug(agent),
                username=_username(agent),
                first_name=first,
                last_name=last,
                email=None,
                team_id=team_pks.get(PREFIX + "team:" + slug(manager)) if manager else None,
                start_date=first_day,
            )
        )
    rep_pks = write_reps(rep_rows, report=report, file=TEAMS)
    return {agent: rep_pks[PREFIX + "rep:" + slug(agent)] for agent in agents if PREFIX + "rep:" + slug(agent) in rep_pks}


def _upsert_teams(items: list[Item], report: Report) -> dict[str, int]:
    # A team of that name made by hand before the first import is adopted, not duplicated.
    names = {item.fields["name"]: item for item in items}
    for team in Team.objects.filter(name__in=list(names), external_id__isnull=True):
        team.external_id = names[team.name].external_id
        team.save(update_fields=["external_id"])
        report.repair(TEAMS, None, _("an existing team with the same name was used: %(name)s") % {"name": team.name})
    clash = Team.objects.filter(name__in=list(names)).exclude(external_id__in=[i.external_id for i in items])
    for team in clash:
        report.error(
            TEAMS, None, _("A team named “%(name)s” already exists from another source; rename it first.") % {"name": team.name}
        )
    if not report.ok:
        return {}
    pks, _changes = upsert(Team, items, report=report, file=TEAMS, entity="teams")
    return pks


def _write_deals(
    deals: list[Deal],
    products: dict[str, tuple[int, Decimal]],
    accounts: dict[str, int],
    agents: dict[str, int],
    stages: dict[str, Any],
    first_day: dt.date,
    last_day: dt.date,
    report: Report,
) -> None:
    product_by_squash = {squash(name): name for name in products}
    account_by_squash = {squash(name): name for name in accounts}
    extra_accounts: dict[str, Item] = {}
    rows: list[OpportunityRow] = []
    seen: set[str] = set()
    first_stage, offer_stage = stages["Prospecting"], stages["Engaging"]
    for deal in deals:
        if deal.opportunity_id in seen:
            report.repair(PIPELINE, deal.line, _("an opportunity_id listed twice was read once (the first row)"))
            continue
        seen.add(deal.opportunity_id)
        # Product: exact name, else the same letters and digits ("GTXPro" → "GTX Pro").
        product_name = deal.product if deal.product in products else product_by_squash.get(squash(deal.product))
        if product_name and product_name != deal.product:
            report.repair(
                PIPELINE, deal.line, _("product “%(old)s” read as “%(new)s”") % {"old": deal.product, "new": product_name}
            )
        elif not product_name:
            report.repair(
                PIPELINE,
                deal.line,
                _("product “%(name)s” is not in products.csv: imported without a product (list price 0)")
                % {"name": deal.product},
            )
        product_id, list_price = products.get(product_name, (None, Decimal("0.00"))) if product_name else (None, Decimal("0.00"))
        # Account: empty means none; an unknown name is matched loosely or added.
        account_id = None
        if not deal.account:
            report.repair(PIPELINE, deal.line, _("deal without an account: imported without one"))
        else:
            account_name = deal.account if deal.account in accounts else account_by_squash.get(squash(deal.account))
            if account_name and account_name != deal.account:
                report.repair(
                    PIPELINE, deal.line, _("account “%(old)s” read as “%(new)s”") % {"old": deal.account, "new": account_name}
                )
            if account_name:
                account_id = accounts[account_name]
            else:
                report.repair(PIPELINE, deal.line, _("account missing from accounts.csv: added by name only"))
                extra_accounts.setdefault(
                    deal.account, Item(PREFIX + "account:" + slug(deal.account), {"name": deal.account[:200]}, deal.line)
                )
        created, offer, close = _dates(deal, last_day, report)
        stage = stages[deal.stage]
        if deal.stage == "Won":
            if deal.value is None:
                report.repair(PIPELINE, deal.line, _("won deal without close_value: amount set to the list price"))
                amount = list_price
            else:
                amount = deal.value
        else:
            amount = list_price
        history: list[tuple[int | None, int, dt.datetime]] = [(None, first_stage.pk, local_midnight(created))]
        if offer is not None:
            history.append((first_stage.pk, offer_stage.pk, local_midnight(offer)))
        if deal.stage in CLOSED:
            assert close is not None
            history.append((history[-1][1], stage.pk, local_midnight(close)))
        rows.append(
            OpportunityRow(
                line=deal.line,
                external_id=deal.opportunity_id,
                fields={
                    "name": _deal_name(deal, product_name)[:200],
                    "account": account_id if account_id else deal.account or None,
                    "owner": agents[deal.agent],
                    "pipeline": stage.pipeline_id,
                    "stage": stage.pk,
                    "product": product_id,
                    "amount": amount,
                    "created_date": created,
                    "offer_date": offer,
                    "close_date": close,
                    "stage_changed_at": history[-1][2],
                },
                history=history,
                history_has_times=False,  # the data set has dates only: its moments are local midnights
            )
        )
    if extra_accounts:
        extra_pks, _changes = upsert(Account, list(extra_accounts.values()), report=report, file=PIPELINE, entity="accounts")
    else:
        extra_pks = {}
    for row in rows:
        account = row.fields["account"]
        if isinstance(account, str):
            row.fields["account"] = extra_pks[extra_accounts[account].external_id]
    write_opportunities(rows, report=report, file=PIPELINE)


def _deal_name(deal: Deal, product: str | None) -> str:
    return " · ".join(part for part in (deal.account or _("no account"), product or deal.product) if part) or deal.opportunity_id


def _dates(deal: Deal, last_day: dt.date, report: Report) -> tuple[dt.date, dt.date | None, dt.date | None]:
    """(created, offer reached, closed) of a deal, repairing what is missing or inconsistent."""
    engage, close = deal.engage, deal.close
    if deal.stage not in CLOSED and close is not None:
        report.repair(PIPELINE, deal.line, _("close_date of a deal still open was ignored"))
        close = None
    if deal.stage in CLOSED and close is None:
        close = engage or last_day
        report.repair(
            PIPELINE, deal.line, _("closed deal without close_date: closed on its engage_date (or the last date of the data)")
        )
    if engage is None:
        if deal.stage == "Prospecting":
            # When it was created is unknown; the one date it surely existed is the data's last.
            report.repair(
                PIPELINE,
                deal.line,
                _("Prospecting deal without engage_date: created on the last date of the data (%(day)s)") % {"day": last_day},
            )
            return last_day, None, None
        engage = close or last_day
        report.repair(
            PIPELINE,
            deal.line,
            _("deal past Prospecting without engage_date: engaged on its close date (or the last date of the data)"),
        )
    if close is not None and close < engage:
        report.repair(PIPELINE, deal.line, _("close_date before engage_date: engaged on the close date"))
        engage = close
    if deal.stage == "Prospecting":
        return engage, None, None
    return engage, engage, close
