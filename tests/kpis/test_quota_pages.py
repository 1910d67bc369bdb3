"""The quota workspace pages: the quota grid, copy forward and weekly activity targets.

Who may see and edit them, all-or-nothing saves with every bad cell marked, copy forward
with a 10 % uplift and a ramp (worked numbers), and a query count that does not grow with
the number of reps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from kpis.models import ActivityTarget, Quota, QuotaMetric
from kpis.quota_files import import_quotas_file, read_quotas_file
from tests.factories import RepFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

GRID = reverse("quotas:grid")
COPY = reverse("quotas:copy_forward")
TARGETS = reverse("quotas:activity_targets")
Q2 = "period=quarter&year=2027&quarter=2&by=month"


def quota(owner, start: str, end: str, target: str, **extra) -> Quota:
    key = {"team": owner} if owner.__class__.__name__ == "Team" else {"rep": owner}
    return Quota.objects.create(
        **key,
        metric=extra.get("metric", QuotaMetric.WON_REVENUE),
        activity_kind=extra.get("activity_kind", ""),
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end),
        target=Decimal(target),
    )


@pytest.fixture
def alpha(db):
    """Team Alpha (manager "boss") with Ann and Bob, and another team with its own manager."""
    boss = UserFactory(username="boss", first_name="Bea", last_name="Boss")
    team = TeamFactory(name="Alpha", manager=boss)
    ann = RepFactory(team=team, user=UserFactory(username="ann", first_name="Ann", last_name="A"))
    bob = RepFactory(team=team, user=UserFactory(username="bob", first_name="Bob", last_name="B"))
    other = TeamFactory(name="Other")
    return team, ann, bob, other


def url(base: str, team, extra: str = Q2) -> str:
    return f"{base}?team={team.pk}&{extra}"


# --- who may see and edit -------------------------------------------------------------------


@pytest.mark.parametrize("page", [GRID, COPY, TARGETS])
def test_anonymous_is_sent_to_login(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", [GRID, COPY, TARGETS])
def test_rep_gets_403(client, alpha, page):
    _team, ann, _bob, _other = alpha
    client.force_login(ann.user)
    assert client.get(page).status_code == 403
    assert client.post(page, {}).status_code == 403


@pytest.mark.parametrize("page", [GRID, TARGETS])
def test_admin_sees_and_may_edit_any_team(client, admin_user, alpha, page):
    _team, _ann, _bob, other = alpha
    client.force_login(admin_user)
    response = client.get(url(page, other))
    assert response.status_code == 200
    assert b'name="cell-' in response.content or b'name="target-' in response.content


def test_manager_sees_own_team_read_only_by_default(client, alpha):
    team, ann, _bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "1000")
    client.force_login(team.manager)
    response = client.get(url(GRID, team))
    assert response.status_code == 200
    assert b"1,000.00" in response.content
    assert b'name="cell-' not in response.content  # no inputs: read only
    assert client.get(url(COPY, team)).status_code == 403
    assert client.post(url(GRID, team), {f"cell-r{ann.pk}-2027-04": "5"}).status_code == 403
    assert client.post(url(TARGETS, team, ""), {}).status_code == 403
    assert Quota.objects.get().target == Decimal("1000")


@override_settings(SALESPERF_MANAGERS_EDIT_QUOTAS=True)
def test_manager_edits_own_team_when_the_setting_allows(client, alpha):
    team, ann, _bob, _other = alpha
    client.force_login(team.manager)
    response = client.post(url(GRID, team), {f"cell-r{ann.pk}-2027-04": "5000"})
    assert response.status_code == 302
    assert Quota.objects.get(rep=ann).target == Decimal("5000")
    assert client.get(url(COPY, team)).status_code == 200


@override_settings(SALESPERF_MANAGERS_EDIT_QUOTAS=True)
def test_a_crafted_cell_of_another_team_is_ignored(client, alpha):
    team, ann, _bob, other = alpha
    stranger = RepFactory(team=other)
    client.force_login(team.manager)
    response = client.post(
        url(GRID, team),
        {f"cell-r{stranger.pk}-2027-04": "1", f"cell-t{other.pk}-2027-04": "1", f"cell-r{ann.pk}-2027-04": "2"},
    )
    assert response.status_code == 302
    assert [(q.rep_id, q.team_id) for q in Quota.objects.all()] == [(ann.pk, None)]


@override_settings(SALESPERF_MANAGERS_EDIT_QUOTAS=True)
@pytest.mark.parametrize("page", [GRID, COPY, TARGETS])
def test_manager_may_not_see_another_team(client, alpha, page):
    team, _ann, _bob, other = alpha
    client.force_login(team.manager)
    assert client.get(url(page, other)).status_code == 403
    assert client.post(url(page, other), {}).status_code == 403


def test_nav_shows_quotas_to_admins_and_managers_only(client, alpha, admin_user):
    team, ann, _bob, _other = alpha
    for user, shown in ((admin_user, True), (team.manager, True), (ann.user, False)):
        client.force_login(user)
        page = client.get(reverse("home"), follow=True)
        assert (f'href="{GRID}"'.encode() in page.content) is shown, user


# --- the grid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown", "difference"),
    [("en", "12,500.00", "+500.00"), ("hu", "12\u00a0500,00", "+500,00"), ("fa", "۱۲٬۵۰۰٫۰۰", "+۵۰۰٫۰۰")],
)
def test_amounts_are_written_as_the_language_writes_them(client, alpha, language, shown, difference):
    """A Hungarian reader takes "12,500.00" for twelve and a half: the read-only cells, totals
    and differences use the language's separators and digits, like every other page."""
    team, ann, _bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "12500")
    quota(team, "2027-04-01", "2027-04-30", "13000")
    client.force_login(team.manager)
    content = client.get(url(GRID, team), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<span class="cell-value">{shown}</span>' in content
    assert f'data-col-total="0">{shown}</td>' in content
    assert f">{difference}</td>" in content


def test_grid_shows_reps_months_totals_and_the_team_difference(client, admin_user, alpha):
    team, ann, bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "1000")
    quota(ann, "2027-05-01", "2027-05-31", "2000")
    quota(bob, "2027-04-01", "2027-04-30", "500")
    quota(team, "2027-04-01", "2027-04-30", "2000")
    client.force_login(admin_user)
    response = client.get(url(GRID, team))
    grid = response.context["grid"]
    assert [row.owner.name for row in grid.rows] == ["Ann A", "Bob B"]
    assert [c.label for c in grid.columns] == ["Apr 2027", "May 2027", "Jun 2027"]
    assert grid.rows[0].total == Decimal("3000")
    assert grid.member_totals == [Decimal("1500"), Decimal("2000"), None]
    assert grid.differences == [Decimal("500"), None, None]
    assert grid.difference_total == Decimal("500")  # only where the team has its own quota
    content = response.content.decode()
    assert f'name="cell-r{ann.pk}-2027-04" value="1000"' in content
    assert f'name="cell-t{team.pk}-2027-04" value="2000"' in content
    assert "+500.00" in content
    assert f'<label class="visually-hidden" for="id_cell-r{ann.pk}-2027-05">Target for Ann A, May 2027</label>' in content


def test_saving_creates_changes_and_removes_quotas(client, admin_user, alpha):
    team, ann, bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "1000")
    quota(bob, "2027-04-01", "2027-04-30", "500")
    client.force_login(admin_user)
    response = client.post(
        url(GRID, team),
        {
            f"cell-r{ann.pk}-2027-04": "1500.50",
            f"cell-r{bob.pk}-2027-04": "",
            f"cell-r{bob.pk}-2027-05": "700",
            f"cell-t{team.pk}-2027-06": "9000",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(GRID)
    saved = {(q.rep_id, q.team_id, q.start_date.month): q.target for q in Quota.objects.all()}
    assert saved == {
        (ann.pk, None, 4): Decimal("1500.50"),
        (bob.pk, None, 5): Decimal("700"),
        (None, team.pk, 6): Decimal("9000"),
    }


def test_bad_cells_are_all_marked_and_nothing_is_written(client, admin_user, alpha):
    team, ann, bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "1000")
    client.force_login(admin_user)
    response = client.post(
        url(GRID, team),
        {
            f"cell-r{ann.pk}-2027-04": "2000",  # good, but nothing may be written
            f"cell-r{ann.pk}-2027-05": "abc",
            f"cell-r{bob.pk}-2027-04": "-5",
            f"cell-r{bob.pk}-2027-05": "0",
        },
    )
    assert response.status_code == 400
    assert Quota.objects.get().target == Decimal("1000")
    assert Quota.objects.count() == 1
    errors = {e["name"]: e["message"] for e in response.context["errors"]}
    assert set(errors) == {f"cell-r{ann.pk}-2027-05", f"cell-r{bob.pk}-2027-04", f"cell-r{bob.pk}-2027-05"}
    assert "not a number" in errors[f"cell-r{ann.pk}-2027-05"]
    assert "more than 0" in errors[f"cell-r{bob.pk}-2027-04"]
    content = response.content.decode()
    # the typed values stay, each bad cell points at its reason
    assert f'name="cell-r{ann.pk}-2027-04" value="2000"' in content
    assert f'value="abc" data-saved="" aria-invalid="true" aria-describedby="err-cell-r{ann.pk}-2027-05"' in content
    assert f'id="err-cell-r{bob.pk}-2027-04"' in content


def test_a_region_shows_the_reps_of_its_teams_and_the_teams(client, alpha):
    team, ann, _bob, _other = alpha
    boss = UserFactory(username="regional")
    north = TeamFactory(name="North", manager=boss)
    team.parent = north
    team.save()
    beta = TeamFactory(name="Beta", parent=north)
    cid = RepFactory(team=beta, user=UserFactory(username="cid", first_name="Cid", last_name="C"))
    quota(ann, "2027-04-01", "2027-04-30", "100")
    quota(cid, "2027-04-01", "2027-04-30", "50")
    quota(team, "2027-04-01", "2027-04-30", "1000")  # a sub-team's own quota: not in the reps' sum
    quota(north, "2027-04-01", "2027-04-30", "200")
    ActivityTarget.objects.create(team=beta, kind="call", per_week=7, start_date=dt.date(2027, 1, 4))
    client.force_login(boss)
    grid = client.get(url(GRID, north)).context["grid"]
    assert [(r.owner.name, r.owner.group) for r in grid.reps] == [("Ann A", "Alpha"), ("Bob B", "Alpha"), ("Cid C", "Beta")]
    assert [r.owner.name for r in grid.sub_teams] == ["Alpha", "Beta"]
    assert grid.member_totals[0] == Decimal("150")
    assert grid.differences[0] == Decimal("50")
    targets = client.get(url(TARGETS, north, "week=2027-04-05")).context["grid"]
    defaults = {row.owner.name: row.cells[0].default for row in targets.rows if row.owner.kind == "rep"}
    assert defaults == {"Ann A": None, "Bob B": None, "Cid C": 7}  # each rep's own team's default


def test_each_changed_cell_shows_its_history(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    admin_user.first_name, admin_user.last_name = "Ada", "Admin"
    admin_user.save()
    client.force_login(admin_user)
    cell = f"cell-r{ann.pk}-2027-04"
    client.post(url(GRID, team), {cell: "1000"})
    client.post(url(GRID, team), {cell: "1200"})
    response = client.get(url(GRID, team))
    history = response.context["grid"].rows[0].cells[0].history
    assert [(e.old_target, e.new_target, e.user, e.source) for e in history] == [
        (Decimal("1000"), Decimal("1200"), "Ada Admin", "grid"),
        (None, Decimal("1000"), "Ada Admin", "grid"),
    ]
    content = response.content.decode()
    assert "History of Ann A, Apr 2027" in content
    assert "Ada Admin: 1,000.00 → 1,200.00" in content


def test_a_quarter_quota_shows_read_only_on_a_month_grid(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    quota(ann, "2027-04-01", "2027-06-30", "6500")
    client.force_login(admin_user)
    response = client.get(url(GRID, team))
    content = response.content.decode()
    assert f'name="cell-r{ann.pk}-2027-04"' not in content
    assert "share of 6,500.00 for 2027-04-01 – 2027-06-30" in content
    # working days: April 22, May 21, June 22 of 65 -> 2200, 2100, 2200
    row = response.context["grid"].rows[0]
    assert [cell.amount for cell in row.cells] == [Decimal("2200.00"), Decimal("2100.00"), Decimal("2200.00")]
    # the same quarter by quarters is one editable cell
    response = client.get(url(GRID, team, "period=quarter&year=2027&quarter=2&by=quarter"))
    assert f'name="cell-r{ann.pk}-2027-Q2" value="6500"' in response.content.decode()


def test_activity_quotas_have_a_kind(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    client.force_login(admin_user)
    assert b'id="id_activity_kind"' not in client.get(url(GRID, team)).content
    page = url(GRID, team, f"metric=activities&activity_kind=email&{Q2}")
    response = client.get(page)
    assert b'id="id_activity_kind"' in response.content
    assert client.post(page, {f"cell-r{ann.pk}-2027-04": "40"}).status_code == 302
    saved = Quota.objects.get()
    assert (saved.metric, saved.activity_kind, saved.target) == ("activities", "email", Decimal("40"))


def test_a_year_by_quarters_has_four_columns(client, admin_user, alpha):
    team, _ann, _bob, _other = alpha
    client.force_login(admin_user)
    response = client.get(url(GRID, team, "period=year&year=2027&by=quarter"))
    assert [c.key for c in response.context["grid"].columns] == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]


@pytest.mark.parametrize("query", ["period=decade", "year=abc", "year=12", "quarter=7", "metric=nope"])
def test_bad_picker_values_fall_back_with_a_message(client, admin_user, alpha, query):
    team, _ann, _bob, _other = alpha
    client.force_login(admin_user)
    response = client.get(f"{GRID}?team={team.pk}&{query}")
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_unknown_team_is_403_not_500(client, alpha):
    team, _ann, _bob, _other = alpha
    client.force_login(team.manager)
    assert client.get(f"{GRID}?team=abc").status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_grid_downloads_as_a_quota_file_that_uploads_back_unchanged(client, admin_user, alpha, fmt):
    team, ann, bob, _other = alpha
    quota(ann, "2027-04-01", "2027-04-30", "1000")
    quota(bob, "2027-04-01", "2027-06-30", "6500")
    quota(team, "2027-05-01", "2027-05-31", "3000")
    quota(ann, "2027-07-01", "2027-07-31", "99")  # another quarter: not in this download
    client.force_login(admin_user)
    response = client.get(url(GRID, team) + f"&download={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="quotas-alpha-won_revenue-q2-2027.{fmt}"'
    data = b"".join(response.streaming_content) if response.streaming else response.content
    parsed = read_quotas_file(data, f"quotas.{fmt}")
    assert not parsed.errors
    assert sorted((q.target, q.start_date.month) for q in parsed.quotas) == [
        (Decimal("1000"), 4),
        (Decimal("3000"), 5),
        (Decimal("6500"), 4),
    ]
    saved = import_quotas_file(parsed, user=admin_user, source="upload").quotas
    assert (saved.created, saved.updated, saved.deleted, saved.unchanged) == (0, 0, 0, 3)


def test_activity_targets_download(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    ActivityTarget.objects.create(team=team, kind="call", per_week=10, start_date=dt.date(2027, 1, 4))
    ActivityTarget.objects.create(rep=ann, kind="email", per_week=5, start_date=dt.date(2027, 5, 3))
    client.force_login(admin_user)
    response = client.get(url(TARGETS, team, "week=2027-04-05&download=csv"))
    lines = response.content.decode().splitlines()
    assert lines[0] == "kind,rep,team,metric,activity_kind,start,end,target"
    assert len(lines) == 3  # the team's call target in effect, Ann's email target to come


def test_an_unknown_download_format_is_404(client, admin_user, alpha):
    team, *_ = alpha
    client.force_login(admin_user)
    assert client.get(url(GRID, team) + "&download=pdf").status_code == 404


def test_a_manager_downloads_their_team_but_no_other(client, alpha):
    team, _ann, _bob, other = alpha
    client.force_login(team.manager)
    assert client.get(url(GRID, team) + "&download=csv").status_code == 200
    assert client.get(url(GRID, other) + "&download=csv").status_code == 403


@pytest.mark.parametrize("reps", [3, 30])
def test_grid_query_count_does_not_grow_with_reps(client, admin_user, django_assert_max_num_queries, reps):
    team = TeamFactory(name="Big")
    members = [RepFactory(team=team) for _ in range(reps)]
    for rep in members:
        quota(rep, "2027-04-01", "2027-04-30", "1000")
        quota(rep, "2027-05-01", "2027-06-30", "2000")
    client.force_login(admin_user)
    client.get(url(GRID, team))  # warm the session
    # session, user, teams, reps, quotas, quota history
    with django_assert_max_num_queries(8):
        response = client.get(url(GRID, team))
    assert response.status_code == 200
    assert len(response.context["grid"].rows) == reps


@pytest.mark.parametrize("reps", [3, 30])
def test_activity_targets_query_count_does_not_grow_with_reps(client, admin_user, django_assert_max_num_queries, reps):
    team = TeamFactory(name="Big")
    for rep in [RepFactory(team=team) for _ in range(reps)]:
        ActivityTarget.objects.create(rep=rep, kind="call", per_week=5, start_date=dt.date(2027, 1, 4))
    client.force_login(admin_user)
    page = url(TARGETS, team, "week=2027-04-05")
    client.get(page)
    # session, user, teams, reps, targets, their history
    with django_assert_max_num_queries(8):
        response = client.get(page)
    assert len(response.context["grid"].rows) == reps


# --- copy forward ---------------------------------------------------------------------------


@pytest.fixture
def planned(alpha):
    """Q1 2027 targets for Ann and Bob, and Nia who starts on 10 April 2027."""
    team, ann, bob, _other = alpha
    for month, a, b in ((1, "10000", "20000"), (2, "10000", "20000"), (3, "12000", "20000")):
        start = dt.date(2027, month, 1)
        end = dt.date(2027, month + 1, 1) - dt.timedelta(days=1)
        quota(ann, start.isoformat(), end.isoformat(), a)
        quota(bob, start.isoformat(), end.isoformat(), b)
    quota(team, "2027-01-01", "2027-03-31", "100000")
    nia = RepFactory(team=team, start_date=dt.date(2027, 4, 10), user=UserFactory(username="nia", first_name="Nia"))
    return team, ann, bob, nia


def test_copy_forward_form_ticks_the_reps_still_ramping(client, admin_user, planned):
    team, _ann, _bob, nia = planned
    client.force_login(admin_user)
    response = client.get(url(COPY, team))
    assert response.status_code == 200
    assert response.context["form"].initial["new_reps"] == [str(nia.pk)]


def test_copy_forward_previews_then_saves_uplift_and_ramp(client, admin_user, planned):
    team, ann, bob, nia = planned
    client.force_login(admin_user)
    options = {"source": "previous", "uplift": "10", "ramp": "25, 50, 75", "new_reps": [str(nia.pk)]}
    response = client.post(url(COPY, team), {**options, "action": "preview"})
    assert response.status_code == 200
    assert Quota.objects.filter(start_date__gte=dt.date(2027, 4, 1)).count() == 0  # a preview writes nothing
    plan = {row.owner.key: [cell.new for cell in row.cells] for row in response.context["plan"].rows}
    # Ann: 10 000, 10 000, 12 000 + 10 %; Bob 20 000 + 10 %
    assert plan[f"r{ann.pk}"] == [Decimal("11000.00"), Decimal("11000.00"), Decimal("13200.00")]
    assert plan[f"r{bob.pk}"] == [Decimal("22000.00")] * 3
    # Nia: 25 %, 50 %, 75 % of the others' average: (11 000 + 22 000) / 2 = 16 500; (13 200 + 22 000) / 2 = 17 600
    assert plan[f"r{nia.pk}"] == [Decimal("4125.00"), Decimal("8250.00"), Decimal("13200.00")]
    # the team's quarter quota gives each month its working-day share (21, 20, 23 of 64 days), + 10 %
    assert plan[f"t{team.pk}"] == [Decimal("36093.75"), Decimal("34375.00"), Decimal("39531.25")]
    assert b"ramp: 25 % of 16,500.00" in response.content

    response = client.post(url(COPY, team), {**options, "action": "save"})
    assert response.status_code == 302
    saved = {(q.rep_id or f"t{q.team_id}", q.start_date.month): q.target for q in Quota.objects.filter(start_date__month__gte=4)}
    assert saved[(nia.pk, 4)] == Decimal("4125.00")
    assert saved[(ann.pk, 6)] == Decimal("13200.00")
    assert len(saved) == 12


@pytest.mark.parametrize("reps", [3, 30])
def test_copy_forward_preview_query_count_does_not_grow_with_reps(client, admin_user, django_assert_max_num_queries, reps):
    team = TeamFactory(name="Big")
    for rep in [RepFactory(team=team) for _ in range(reps)]:
        quota(rep, "2027-01-01", "2027-01-31", "1000")
    client.force_login(admin_user)
    options = {"source": "previous", "uplift": "10", "ramp": "25,50,75", "action": "preview"}
    client.get(url(COPY, team))
    # session, user, teams, reps, quotas, their history, the source quotas
    with django_assert_max_num_queries(9):
        response = client.post(url(COPY, team), options)
    assert response.context["plan"].changes == reps  # from January into April; February and March had none


def test_copy_forward_keeps_cells_already_set_unless_told(client, admin_user, planned):
    team, ann, _bob, _nia = planned
    quota(ann, "2027-04-01", "2027-04-30", "777")
    client.force_login(admin_user)
    options = {"source": "previous", "uplift": "10", "ramp": "", "action": "save"}
    preview = client.post(url(COPY, team), {**options, "action": "preview"})
    assert preview.context["plan"].kept == 1
    assert "One cell already has a target and keeps it" in preview.content.decode()
    client.post(url(COPY, team), options)
    assert Quota.objects.get(rep=ann, start_date=dt.date(2027, 4, 1)).target == Decimal("777")
    client.post(url(COPY, team), {**options, "overwrite": "on"})
    assert Quota.objects.get(rep=ann, start_date=dt.date(2027, 4, 1)).target == Decimal("11000.00")


def test_copy_forward_from_last_year(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    quota(ann, "2026-04-01", "2026-04-30", "1000")
    client.force_login(admin_user)
    client.post(url(COPY, team), {"source": "last_year", "uplift": "5", "ramp": "", "action": "save"})
    assert Quota.objects.get(rep=ann, start_date=dt.date(2027, 4, 1)).target == Decimal("1050.00")


@pytest.mark.parametrize(
    "bad", [{"uplift": "abc"}, {"ramp": "25, lots"}, {"ramp": "150"}, {"source": "tomorrow"}, {"full_quota": "-3"}]
)
def test_copy_forward_bad_options_are_a_form_error(client, admin_user, planned, bad):
    team, *_ = planned
    client.force_login(admin_user)
    options = {"source": "previous", "uplift": "10", "ramp": "25,50,75", "action": "save", **bad}
    response = client.post(url(COPY, team), options)
    assert response.status_code == 400
    assert Quota.objects.filter(start_date__month__gte=4).count() == 0


# --- weekly activity targets ----------------------------------------------------------------


def test_activity_targets_grid_sets_rep_and_team_targets_from_a_monday(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    ActivityTarget.objects.create(team=team, kind="call", per_week=10, start_date=dt.date(2027, 1, 4))
    client.force_login(admin_user)
    page = url(TARGETS, team, "week=2027-04-07")  # a Wednesday: the week of Monday 5 April
    response = client.get(page)
    assert response.context["monday"] == dt.date(2027, 4, 5)
    assert f'name="target-r{ann.pk}-call" value="" data-saved="" placeholder="10"' in response.content.decode()
    response = client.post(page, {f"target-r{ann.pk}-call": "15", f"target-t{team.pk}-call": "12"})
    assert response.status_code == 302
    targets = {(t.rep_id, t.team_id, t.start_date, t.end_date): t.per_week for t in ActivityTarget.objects.all()}
    assert targets == {
        (None, team.pk, dt.date(2027, 1, 4), dt.date(2027, 4, 4)): 10,
        (None, team.pk, dt.date(2027, 4, 5), None): 12,
        (ann.pk, None, dt.date(2027, 4, 5), None): 15,
    }


def test_a_changed_target_keeps_the_end_of_the_one_it_replaces_and_stops_before_the_next(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    ActivityTarget.objects.create(rep=ann, kind="call", per_week=5, start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 6, 27))
    ActivityTarget.objects.create(rep=ann, kind="email", per_week=8, start_date=dt.date(2027, 1, 4), end_date=dt.date(2027, 5, 2))
    ActivityTarget.objects.create(rep=ann, kind="email", per_week=9, start_date=dt.date(2027, 5, 3))
    client.force_login(admin_user)
    page = url(TARGETS, team, "week=2027-04-05")
    response = client.post(page, {f"target-r{ann.pk}-call": "6", f"target-r{ann.pk}-email": ""})
    assert response.status_code == 302
    rows = {(t.kind, t.start_date, t.end_date, t.per_week) for t in ActivityTarget.objects.all()}
    assert rows == {
        ("call", dt.date(2027, 1, 4), dt.date(2027, 4, 4), 5),
        ("call", dt.date(2027, 4, 5), dt.date(2027, 6, 27), 6),
        ("email", dt.date(2027, 1, 4), dt.date(2027, 4, 4), 8),  # emptied: ends the day before
        ("email", dt.date(2027, 5, 3), None, 9),  # the planned one stays
    }


def test_activity_target_history_is_shown(client, admin_user, alpha):
    team, ann, _bob, _other = alpha
    client.force_login(admin_user)
    page = url(TARGETS, team, "week=2027-04-05")
    client.post(page, {f"target-r{ann.pk}-email": "20"})
    client.post(page, {f"target-r{ann.pk}-email": "25"})
    content = client.get(page).content.decode()
    assert "History of Ann A, Email" in content
    assert ": 20 → 25" in content


def test_activity_targets_bad_cells_write_nothing(client, admin_user, alpha):
    team, ann, bob, _other = alpha
    client.force_login(admin_user)
    page = url(TARGETS, team, "week=2027-04-05")
    response = client.post(page, {f"target-r{ann.pk}-call": "3", f"target-r{bob.pk}-call": "many"})
    assert response.status_code == 400
    assert not ActivityTarget.objects.exists()
    assert "whole number" in response.content.decode()
