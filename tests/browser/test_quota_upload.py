"""An admin uploads an .xlsx of weekly activity targets with one bad row in headless Chromium,
reads the bad row and sees nothing changed; then fixes it, previews and saves."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from kpis.models import ActivityTarget
from tests.api.world import make_world
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["kind", "rep", "team", "metric", "activity_kind", "start", "end", "target"]


def targets_xlsx(path, email_target) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    for row in (
        HEADER,
        ["activity_target", None, "Team A", None, "call", dt.date(2026, 4, 6), None, 14],
        ["activity_target", "rita", None, None, "email", dt.date(2026, 4, 6), None, email_target],
    ):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())


def test_an_admin_uploads_targets_with_a_bad_row_and_nothing_changes(page, tmp_path, artifacts_dir):
    page.set_default_timeout(30_000)  # the first .xlsx read imports pandas: slow on a busy machine
    world = make_world()
    ActivityTarget.objects.create(team=world.team, kind="call", per_week=10, start_date=dt.date(2026, 1, 5))
    browser_login(page, world.admin.username)
    page.goto("/quotas/upload/")

    bad = tmp_path / "targets.xlsx"
    targets_xlsx(bad, email_target="thirty")
    page.get_by_label("Quota file").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    problems = page.locator("#upload-errors tbody tr")
    assert problems.count() == 1
    assert problems.first.inner_text().split("\t")[:2] == ["3", "target"]
    assert "“thirty” is not a number." in problems.first.inner_text()
    assert "nothing was saved" in page.get_by_role("heading", level=2, name="targets.xlsx").inner_text()
    assert page.get_by_role("button", name="Save these changes").count() == 0
    page.screenshot(path=str(artifacts_dir / "quota-upload-bad-row.png"), full_page=True)
    assert list(ActivityTarget.objects.values_list("per_week", "end_date")) == [(10, None)]

    good = tmp_path / "targets-fixed.xlsx"
    targets_xlsx(good, email_target=30)
    page.get_by_label("Quota file").set_input_files(str(good))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    # the two rows, and the earlier open-ended target the new one ends (listed since the preview shows it)
    assert page.locator("#upload-preview tbody tr").count() == 3
    assert ActivityTarget.objects.count() == 1  # the preview saves nothing
    with page.expect_navigation():
        page.get_by_role("button", name="Save these changes").click()
    assert "targets-fixed.xlsx saved" in page.get_by_role("status").inner_text()
    assert ActivityTarget.objects.get(start_date=dt.date(2026, 1, 5)).end_date == dt.date(2026, 4, 5)
    assert ActivityTarget.objects.count() == 3
