"""Forecast accuracy and order-book deviations as the dashboards' tables (kpis.exports.Table):
the same formatting, CSV export and screen-reader captions on the rep page, the team meeting
and the one-to-one agenda. They take live figures or the agenda's stored JSON alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kpis.exports import Column, Kind, Table, fixed, format_value
from kpis.periods import Period, PeriodKind


def _period(value: Period | Mapping[str, Any]) -> Period:
    if isinstance(value, Period):
        return value
    return Period(PeriodKind(value["kind"]), dt.date.fromisoformat(value["start"]), dt.date.fromisoformat(value["end"]))


def accuracy_table(accuracy: Mapping[str, Any], *, key: str = "accuracy") -> Table:
    """One row per ended period: won revenue, the calls counted at the midpoint and at the end,
    their error in money and their bias; the footer has the mean biases."""
    rows = [{**row, "label": _period(row["period"]).label} for row in accuracy["periods"]]
    return Table(
        key,
        _("Forecast accuracy of the commit, ended periods"),
        [
            fixed("label", _("Period")),
            fixed("won", _("Won revenue"), Kind.MONEY),
            fixed("call_mid", _("Call at midpoint"), Kind.MONEY, help=_("The last call made before the period's midpoint.")),
            fixed("error_mid", _("Error at midpoint"), Kind.MONEY),
            fixed("bias_mid", _("Bias at midpoint"), Kind.PERCENT, help=_("(Call − won) / won; positive: over-forecast.")),
            fixed("call_end", _("Call at end"), Kind.MONEY, help=_("The last call made before the period ended.")),
            fixed("error_end", _("Error at end"), Kind.MONEY),
            fixed("bias_end", _("Bias at end"), Kind.PERCENT, help=_("(Call − won) / won; positive: over-forecast.")),
        ],
        rows,
        totals={"label": _("Mean"), "bias_mid": accuracy["bias_mid"], "bias_end": accuracy["bias_end"]},
        empty=_("No ended periods yet."),
    )


def accuracy_summary(accuracy: Mapping[str, Any]) -> str:
    """The mean percentage errors and biases in one sentence ("—" where undefined)."""

    def pct(name: str) -> str:
        return format_value(accuracy[name], Kind.PERCENT).text

    return _(
        "Mean error of the commit: %(mid)s at the midpoint, %(end)s at the end. "
        "Mean bias: %(bias_mid)s at the midpoint, %(bias_end)s at the end (positive: over-forecast)."
    ) % {"mid": pct("mape_mid"), "end": pct("mape_end"), "bias_mid": pct("bias_mid"), "bias_end": pct("bias_end")}


def _deviation_columns() -> list[Column]:
    return [
        fixed("pushed_count", _("Deals pushed"), Kind.INT, help=_("Deals whose expected close moved later.")),
        fixed("pushes", _("Times pushed"), Kind.INT),
        fixed("pushed_amount", _("Pushed amount"), Kind.MONEY),
        fixed("amount_changed_count", _("Amount changes"), Kind.INT),
        fixed("amount_changed_amount", _("Net amount change"), Kind.MONEY),
        fixed("added_count", _("Deals added"), Kind.INT),
        fixed("added_amount", _("Added amount"), Kind.MONEY),
        fixed("won_count", _("Deals won"), Kind.INT),
        fixed("won_amount", _("Won revenue"), Kind.MONEY),
        fixed("lost_count", _("Deals lost"), Kind.INT),
        fixed("lost_amount", _("Lost amount"), Kind.MONEY),
    ]


def deviations_table(
    rows: Sequence[Mapping[str, Any]],
    *,
    caption: str,
    rep_link: Callable[[Mapping[str, Any]], str] | None = None,
    totals: Mapping[str, Any] | None = None,
) -> Table:
    """One row per rep (``name``) when ``rep_link`` is given (the team meeting), else the one
    rep's row (the agenda)."""
    columns = _deviation_columns()
    if rep_link is not None:
        columns = [fixed("name", _("Rep"), link=rep_link), *columns]
    return Table(
        "deviations",
        caption,
        columns,
        rows,
        totals={**totals, "name": _("Team")} if totals is not None else None,
        empty=_("No reps in this team."),
    )


def _deal_url(row: Mapping[str, Any]) -> str:
    return reverse("opportunity_detail", args=[row["id"]])


def pushed_deals_table(deals: Sequence[Mapping[str, Any]], *, rep: bool = False) -> Table:
    """The pushed deals, most pushed first, with how often (in the range, and since created)."""
    columns = [
        fixed("name", _("Opportunity"), link=_deal_url),
        fixed("amount", _("Amount"), Kind.MONEY),
        fixed("times", _("Pushed since the last meeting"), Kind.INT),
        fixed("times_ever", _("Pushed since created"), Kind.INT),
    ]
    if rep:
        columns.insert(0, fixed("rep", _("Rep")))
    return Table(
        "pushed_deals",
        _("Deals pushed to a later close date"),
        columns,
        deals,
        empty=_("No deal was pushed to a later close date."),
    )


def agenda_tables(review: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The agenda's ``order_book_review`` (stored JSON) as tables; None for an agenda stored
    before it had one."""
    if not review:
        return None
    deviations = review["deviations"]
    return {
        "since": dt.datetime.fromisoformat(review["since"]),
        "previous_session": review.get("previous_session"),
        "deviations": deviations_table([deviations], caption=_("Order book changes since the last one-to-one")),
        "pushed": pushed_deals_table(deviations["pushed_deals"]),
        "accuracy": accuracy_table(review["accuracy"], key="agenda_accuracy"),
        "accuracy_summary": accuracy_summary(review["accuracy"]),
    }
