"""The crm-sales-opportunities format on small hand-made files: every repair is reported, and
every kind of malformed file or row is rejected with file, line and reason, nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from imports import services
from imports.formats.base import ImportFailed
from reps.models import Account, Opportunity, Pipeline, Product, Rep, Team
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db
FORMAT = "crm-sales-opportunities"

TEAMS = ["sales_agent,manager,regional_office", "Ann Lee,Bo Chan,North", "Cy Diaz,Bo Chan,North"]
PRODUCTS = ["product,series,sales_price", "GTX Basic,GTX,550", "MG Special,MG,55"]
ACCOUNTS = ["account,sector,year_established,revenue,employees,office_location,subsidiary_of", "Acme,retail,1990,1,2,Norway,"]
PIPELINE_HEADER = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
PIPELINE = [
    PIPELINE_HEADER,
    "O1,Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-02-01,600",
    "O2,Cy Diaz,MG Special,,Lost,2017-01-03,2017-03-01,0",
    "O3,Ann Lee,GTX Basic,Acme,Engaging,2017-01-04,,",
]


def _write(folder: Path, **files: list[str]) -> Path:
    """Write the four files (Windows line endings, as published), replacing those given."""
    folder.mkdir(exist_ok=True)
    contents = {
        "sales_teams.csv": TEAMS,
        "products.csv": PRODUCTS,
        "accounts.csv": ACCOUNTS,
        "sales_pipeline.csv": PIPELINE,
        **{name.replace("__", "."): lines for name, lines in files.items()},
    }
    for name, lines in contents.items():
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return folder


def _nothing_written() -> bool:
    return not any(m.objects.exists() for m in (Pipeline, Team, Rep, Account, Product, Opportunity))


def _errors(folder: Path) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format=FORMAT, directory=folder)
    return [(e["file"], e["line"], e["reason"]) for e in failed.value.report.errors]


def test_it_imports_small_clean_files(tmp_path, recompute_calls):
    report = services.import_run(format=FORMAT, directory=_write(tmp_path / "in"))
    assert report.ok
    assert report.as_dict()["repairs"] == [
        {"file": "sales_pipeline.csv", "message": "deal without an account: imported without one", "count": 1, "lines": [3]}
    ]
    won = Opportunity.objects.get(external_id="O1")
    assert (won.stage.name, won.amount, won.created_date, won.offer_date, won.close_date) == (
        "Won",
        Decimal("600.00"),
        dt.date(2017, 1, 2),
        dt.date(2017, 1, 2),
        dt.date(2017, 2, 1),
    )
    assert Opportunity.objects.get(external_id="O2").amount == Decimal("55.00")  # lost: the list price
    assert Opportunity.objects.get(external_id="O3").close_date is None
    assert recompute_calls == [{"since": dt.date(2017, 1, 2), "rep_ids": sorted(Rep.objects.values_list("pk", flat=True))}]


def test_every_repair_is_made_and_reported_with_its_lines(tmp_path, recompute_calls):
    folder = _write(
        tmp_path / "in",
        sales_pipeline__csv=[
            PIPELINE_HEADER,
            "O1,Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-02-01,",  # won without value
            "O2,Eve Fox,GTXBasic,Zeta,Lost,2017-01-03,,",  # unknown agent, product spelling, unknown account, no close
            "O3,Ann Lee,Nope,Acme,Engaging,2017-01-04,2017-01-09,",  # unknown product, open with a close date
            "O1,Ann Lee,GTX Basic,Acme,Lost,2017-01-02,2017-02-01,",  # listed twice
            "O4,Cy Diaz,GTX Basic,Acme,Won,2017-03-05,2017-03-01,550",  # closed before engaged
            "O5,Cy Diaz,GTX Basic,Acme,Won,,2017-03-01,550",  # won without engage_date
        ],
        accounts__csv=[ACCOUNTS[0], "Acme,technolgy,1990,1,2,Norway,", "Acme,retail,1990,1,2,Norway,"],
    )
    report = services.import_run(format=FORMAT, directory=folder)
    repairs = {(r["file"], r["message"]): r["lines"] for r in report.as_dict()["repairs"]}
    assert repairs == {
        ("accounts.csv", "sector “technolgy” read as “technology”"): [2],
        ("accounts.csv", "an account listed twice was read once (the first row)"): [3],
        ("sales_pipeline.csv", "a sales agent missing from sales_teams.csv was imported without a team"): [3],
        ("sales_pipeline.csv", "won deal without close_value: amount set to the list price"): [2],
        ("sales_pipeline.csv", "product “GTXBasic” read as “GTX Basic”"): [3],
        ("sales_pipeline.csv", "account missing from accounts.csv: added by name only"): [3],
        (
            "sales_pipeline.csv",
            "closed deal without close_date: closed on its engage_date (or the last date of the data)",
        ): [3],
        ("sales_pipeline.csv", "product “Nope” is not in products.csv: imported without a product (list price 0)"): [4],
        ("sales_pipeline.csv", "close_date of a deal still open was ignored"): [4],
        ("sales_pipeline.csv", "an opportunity_id listed twice was read once (the first row)"): [5],
        ("sales_pipeline.csv", "close_date before engage_date: engaged on the close date"): [6],
        (
            "sales_pipeline.csv",
            "deal past Prospecting without engage_date: engaged on its close date (or the last date of the data)",
        ): [7],
    }
    assert Opportunity.objects.get(external_id="O1").amount == Decimal("550.00")
    lost = Opportunity.objects.get(external_id="O2")
    assert (lost.owner.name, lost.owner.team, lost.account.name, lost.product.name, lost.close_date) == (
        "Eve Fox",
        None,
        "Zeta",
        "GTX Basic",
        dt.date(2017, 1, 3),
    )
    assert Opportunity.objects.get(external_id="O3").product is None
    assert Opportunity.objects.get(external_id="O4").created_date == dt.date(2017, 3, 1)
    assert Account.objects.get(name="Acme").sector == "technology"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"products__csv": None},
            [
                (
                    "products.csv",
                    None,
                    "This file is missing: the format needs sales_teams.csv, products.csv, accounts.csv, sales_pipeline.csv.",
                )
            ],
            id="missing-file",
        ),
        pytest.param(
            {"accounts__csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
            [("accounts.csv", None, "This is not a CSV text file (it contains binary data).")],
            id="binary",
        ),
        pytest.param(
            {"sales_teams__csv": "sales_agent,manager,regional_office\r\nJos\xe9 Ruiz,Bo Chan,North\r\n".encode("latin-1")},
            [("sales_teams.csv", None, "This is not a CSV text file in UTF-8 encoding.")],
            id="not-utf8",
        ),
        pytest.param(
            {"products__csv": b""},
            [("products.csv", 1, "The file is empty: the first line must name the columns.")],
            id="empty",
        ),
        pytest.param(
            {"sales_pipeline__csv": b"opportunity_id,agent,product\r\nO1,Ann Lee,GTX Basic\r\n"},
            [
                (
                    "sales_pipeline.csv",
                    1,
                    "Required columns are missing: sales_agent, account, deal_stage, engage_date, close_date, close_value "
                    "(the first line must name the columns: opportunity_id, sales_agent, product, account, deal_stage, "
                    "engage_date, close_date, close_value).",
                )
            ],
            id="missing-columns",
        ),
        pytest.param(
            {"sales_pipeline__csv": [*PIPELINE, "O9,Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-02-01,600,extra"]},
            [("sales_pipeline.csv", 5, "This row has 9 values but the first line names 8 columns.")],
            id="too-many-values",
        ),
        pytest.param(
            {
                "sales_pipeline__csv": [
                    PIPELINE_HEADER,
                    "O1,Ann Lee,GTX Basic,Acme,Won,2017-02-30,2017-03-01,600",
                    "O2,Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-03-01,lots",
                    "O3,Ann Lee,GTX Basic,Acme,Closing,2017-01-02,,",
                    ",Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-03-01,600",
                    "O5,,GTX Basic,Acme,Won,2017-01-02,2017-03-01,600",
                    "O6,Ann Lee,GTX Basic,Acme,Won,2017-01-02,2017-03-01,-5",
                ]
            },
            [
                ("sales_pipeline.csv", 2, "engage_date “2017-02-30” is not a date like 2017-03-31."),
                ("sales_pipeline.csv", 3, "close_value “lots” is not a number."),
                ("sales_pipeline.csv", 4, "deal_stage “Closing” is not one of Engaging, Lost, Prospecting, Won."),
                ("sales_pipeline.csv", 5, "opportunity_id is empty; every deal needs its identifier."),
                ("sales_pipeline.csv", 6, "sales_agent is empty; every deal needs its sales agent."),
                ("sales_pipeline.csv", 7, "close_value -5 must not be negative."),
            ],
            id="bad-values",
        ),
        pytest.param(
            {"products__csv": [PRODUCTS[0], "GTX Basic,GTX,cheap"]},
            [("products.csv", 2, "sales_price “cheap” is not a number.")],
            id="bad-price",
        ),
    ],
)
def test_a_malformed_file_is_rejected_and_nothing_is_written(tmp_path, files, expected, recompute_calls):
    folder = _write(tmp_path / "in")
    for name, content in files.items():
        path = folder / name.replace("__", ".")
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(("\r\n".join(content) + "\r\n").encode())
    assert _errors(folder) == expected
    assert _nothing_written()
    assert recompute_calls == []


def test_all_files_are_checked_before_giving_up(tmp_path):
    folder = _write(tmp_path / "in")
    (folder / "accounts.csv").write_bytes(b"\x00\x01")
    (folder / "products.csv").write_bytes(b"name\r\nx\r\n")
    assert [(file, line) for file, line, _reason in _errors(folder)] == [("products.csv", 1), ("accounts.csv", None)]
    assert _nothing_written()


def test_an_error_found_while_writing_rolls_back_what_was_written_before(tmp_path, recompute_calls):
    # Products and accounts are written before the teams; a clashing team name stops the import there.
    TeamFactory(name="North", external_id="elsewhere:north")
    assert _errors(_write(tmp_path / "in")) == [
        ("sales_teams.csv", None, "A team named “North” already exists from another source; rename it first.")
    ]
    assert not Product.objects.exists() and not Account.objects.exists() and not Opportunity.objects.exists()
    assert list(Team.objects.values_list("name", flat=True)) == ["North"]
    assert recompute_calls == []


def test_a_dry_run_reports_but_saves_nothing(tmp_path, recompute_calls):
    report = services.import_run(format=FORMAT, directory=_write(tmp_path / "in"), dry_run=True)
    assert report.ok and report.totals().created > 0
    assert _nothing_written()
