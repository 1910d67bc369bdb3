"""An admin setting next quarter's quotas in headless Chromium: a cell edited and saved, a bad
cell refused with nothing written, copy forward with an uplift, and keyboard entry from cell
to cell like a spreadsheet; the grid read at desktop and phone width."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest

from kpis.models import Quota, QuotaMetric
from tests.factories import PASSWORD, AdminFactory, RepFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q2 = "period=quarter&year=2027&quarter=2&by=month"


@pytest.fixture
def alpha():
    AdminFactory(username="root")
    team = TeamFactory(name="Alpha", manager=UserFactory(username="boss"))
    reps = [
        RepFactory(team=team, user=UserFactory(username=f"r{i}", first_name=name, last_name="Rep"))
        for i, name in enumerate(["Ann", "Bob", "Cem"])
    ]
    return team, reps


def month(rep, year: int, month_: int, target: str) -> Quota:
    start = dt.date(year, month_, 1)
    end = (dt.date(year + month_ // 12, month_ % 12 + 1, 1)) - dt.timedelta(days=1)
    return Quota.objects.create(rep=rep, metric=QuotaMetric.WON_REVENUE, start_date=start, end_date=end, target=Decimal(target))


def cell(page, rep, key: str):
    return page.locator(f"#id_cell-r{rep.pk}-{key}")


def login_to(page, path: str, username: str = "root") -> None:
    """Log in through the form straight to ``path`` (the home page's dashboard is not needed here)."""
    page.goto(f"/login/?next={quote(path)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{path}")


def open_grid(page, team) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login_to(page, f"/quotas/?team={team.pk}&{Q2}")
    return errors


def test_edit_a_cell_and_save(page, alpha, artifacts_dir):
    team, (ann, bob, _cem) = alpha
    month(bob, 2027, 4, "500")
    errors = open_grid(page, team)
    cell(page, ann, "2027-04").fill("1234.5")
    # the totals follow the typing before anything is saved
    assert page.locator("tr[data-member]").first.locator("[data-row-total]").inner_text() == "1,234.50"
    assert page.locator('[data-col-total="0"]').inner_text() == "1,734.50"
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Saved: 1 added" in page.locator(".messages").inner_text()
    assert Quota.objects.get(rep=ann).target == Decimal("1234.50")
    assert cell(page, ann, "2027-04").input_value() == "1234.50"
    assert errors == []


def test_a_persian_keyboard_types_a_target(page, alpha):
    """Persian digits and the Persian decimal separator, as a Persian keyboard types them: the
    totals follow and the save keeps the amount (both used to refuse it as not a number)."""
    team, (ann, _bob, _cem) = alpha
    errors = open_grid(page, team)
    page.select_option("#language-select", "fa")
    page.wait_for_load_state()
    cell(page, ann, "2027-04").fill("۱۲۳۴٫۵")
    # written as the server writes it in Persian
    assert page.locator("tr[data-member]").first.locator("[data-row-total]").inner_text() == "۱٬۲۳۴٫۵۰"
    page.locator("form.quota-form button.primary[type=submit]").click()
    page.wait_for_load_state()
    assert Quota.objects.get(rep=ann).target == Decimal("1234.50")
    assert errors == []


def test_a_bad_cell_is_refused_and_nothing_is_written(page, alpha):
    team, (ann, bob, _cem) = alpha
    errors = open_grid(page, team)
    cell(page, ann, "2027-04").fill("2000")
    cell(page, bob, "2027-05").fill("abc")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert not Quota.objects.exists()
    summary = page.locator("#error-summary")
    assert "Nothing was saved" in summary.inner_text()
    bad = cell(page, bob, "2027-05")
    assert bad.get_attribute("aria-invalid") == "true"
    assert "not a number" in page.locator(f"#err-cell-r{bob.pk}-2027-05").inner_text()
    assert cell(page, ann, "2027-04").input_value() == "2000"  # the good value is kept for the next try
    summary.get_by_role("link").click()  # the summary leads to the bad cell
    assert page.evaluate("document.activeElement.id") == f"id_cell-r{bob.pk}-2027-05"
    assert errors == []


def test_copy_forward_with_uplift(page, alpha, artifacts_dir):
    team, (ann, bob, cem) = alpha
    for rep, target in ((ann, "10000"), (bob, "20000"), (cem, "15000")):
        for m in (1, 2, 3):
            month(rep, 2027, m, target)
    errors = open_grid(page, team)
    page.get_by_role("link", name="Copy forward…").click()
    page.get_by_label("Uplift (%)").fill("10")
    page.get_by_label("Ramp for new reps (percent of full quota per month)").fill("")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    preview = page.locator("#copy-preview")
    assert "11,000.00" in preview.inner_text() and "22,000.00" in preview.inner_text()
    assert not Quota.objects.filter(start_date__month=4).exists()
    page.screenshot(path=str(artifacts_dir / "quotas-copy-forward-preview.png"), full_page=True)
    page.get_by_role("button", name="Save these quotas").click()
    page.wait_for_load_state()
    assert "Saved: 9 added" in page.locator(".messages").inner_text()
    assert cell(page, cem, "2027-06").input_value() == "16500"
    assert errors == []


def test_keyboard_entry_like_a_spreadsheet(page, alpha, artifacts_dir):
    team, (ann, bob, cem) = alpha
    errors = open_grid(page, team)
    cell(page, ann, "2027-04").click()
    page.keyboard.type("100")
    page.keyboard.press("Enter")  # Enter goes down, never submits
    assert page.evaluate("document.activeElement.id") == f"id_cell-r{bob.pk}-2027-04"
    page.keyboard.type("200")
    page.keyboard.press("ArrowRight")  # the caret is at the end: on to the next month
    assert page.evaluate("document.activeElement.id") == f"id_cell-r{bob.pk}-2027-05"
    page.keyboard.type("300")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("400")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == f"id_cell-r{ann.pk}-2027-05"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"id_cell-r{ann.pk}-2027-06"
    assert not Quota.objects.exists()
    page.keyboard.press("Control+Enter")  # saves
    page.wait_for_load_state()
    page.locator(".messages").wait_for()
    saved = {(q.rep_id, q.start_date.month): q.target for q in Quota.objects.all()}
    assert saved == {(ann.pk, 4): 100, (bob.pk, 4): 200, (bob.pk, 5): 300, (cem.pk, 5): 400}
    assert errors == []


def test_the_grid_reads_at_desktop_and_phone_width(page, phone_page, alpha, artifacts_dir):
    team, reps = alpha
    for i, rep in enumerate(reps):
        for m in (4, 5, 6):
            month(rep, 2027, m, str(10000 + 1000 * i))
    Quota.objects.create(
        team=team, metric=QuotaMetric.WON_REVENUE, start_date=dt.date(2027, 4, 1), end_date=dt.date(2027, 4, 30), target=40000
    )
    open_grid(page, team)
    cell(page, reps[0], "2027-04").fill("12000")
    cell(page, reps[1], "2027-05").fill("-5")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts_dir / "quotas-desktop-refused.png"), full_page=True)
    cell(page, reps[1], "2027-05").fill("11500")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.locator(f"#id_cell-r{reps[0].pk}-2027-04 ~ details summary").click()  # the cell's history
    page.screenshot(path=str(artifacts_dir / "quotas-desktop.png"), full_page=True)
    open_grid(phone_page, team)
    phone_page.screenshot(path=str(artifacts_dir / "quotas-phone.png"), full_page=True)
    # the page itself does not scroll sideways on a phone: the grid scrolls inside its card
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_weekly_activity_targets_from_a_monday(page, alpha, artifacts_dir):
    team, (_ann, bob, _cem) = alpha
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login_to(page, f"/quotas/?team={team.pk}")
    page.get_by_role("link", name="Weekly activity targets").first.click()
    page.fill("#id_week", "2027-04-07")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "From Monday 2027-04-05" in page.locator(".period-label").inner_text()
    page.get_by_label("Call per week for Alpha").fill("10")  # the team's default
    page.get_by_label("Call per week for Ann Rep").fill("15")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"id_target-r{bob.pk}-call"
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Saved: 2 added" in page.locator(".messages").inner_text()
    assert page.get_by_label("Call per week for Bob Rep").get_attribute("placeholder") == "10"
    page.screenshot(path=str(artifacts_dir / "quotas-activity-targets.png"), full_page=True)
    assert errors == []


def test_the_grid_works_without_javascript(browser, live_server, alpha):
    team, (ann, _bob, _cem) = alpha
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login_to(page, f"/quotas/?team={team.pk}&{Q2}")
        cell(page, ann, "2027-06").fill("750")
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
        assert "Saved: 1 added" in page.locator(".messages").inner_text()
        assert Quota.objects.get(rep=ann).target == Decimal("750")
    finally:
        context.close()
