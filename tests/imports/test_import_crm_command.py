"""``manage.py import_crm``: summary on stdout, errors on stderr, a dry run rolls back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reps.models import Opportunity, Rep

pytestmark = pytest.mark.django_db


def test_it_imports_and_prints_the_summary(example_dir, recompute_calls):
    out, err = StringIO(), StringIO()
    call_command("import_crm", "--format", "salesperf", str(example_dir), stdout=out, stderr=err)
    assert "salesperf: 28 created, 0 updated, 0 unchanged, 0 repairs, 0 errors" in out.getvalue()
    assert "opportunities.csv (opportunities): 4 created, 0 updated, 0 unchanged" in out.getvalue()
    assert Opportunity.objects.count() == 4


def test_a_dry_run_prints_the_same_summary_and_saves_nothing(example_dir, recompute_calls):
    out = StringIO()
    call_command("import_crm", "--format", "salesperf", str(example_dir), "--dry-run", stdout=out, stderr=StringIO())
    assert "28 created" in out.getvalue()
    assert "dry run: nothing was saved" in out.getvalue()
    assert not Rep.objects.exists()


def test_errors_stop_the_command_with_file_and_line(example_dir, tmp_path, recompute_calls):
    (tmp_path / "reps.csv").write_text("external_id,username,start_date\nr1,ann,2024-13-01\n")
    err = StringIO()
    with pytest.raises(CommandError, match=r"Nothing was imported: 1 errors \(first: reps.csv, line 2: start_date “2024-13-01”"):
        call_command("import_crm", "--format", "salesperf", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "reps.csv, line 2" in err.getvalue()
    assert not Rep.objects.exists()


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder of CSV files"):
        call_command("import_crm", "--format", "salesperf", str(tmp_path / "nope"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.dataset
def test_it_imports_the_public_data_set(crm_dataset_dir, recompute_calls):
    out = StringIO()
    call_command("import_crm", "--format", "crm-sales-opportunities", str(crm_dataset_dir), stdout=out, stderr=StringIO())
    assert "crm-sales-opportunities: 8937 created, 0 updated, 0 unchanged, 3417 repairs, 0 errors" in out.getvalue()
    assert "repair sales_pipeline.csv: product “GTXPro” read as “GTX Pro” (1480 rows; lines 3, 13," in out.getvalue()


def test_it_shows_a_progress_bar_on_stderr(example_dir, recompute_calls):
    err = StringIO()
    call_command("import_crm", "--format", "salesperf", str(example_dir), stdout=StringIO(), stderr=err)
    # Later states depend on timing (tqdm redraws at most every 0.1 s); its start does not.
    assert "Importing:   0%|          | 0/39" in err.getvalue()  # every data line of the ten files


def test_no_progress_hides_the_bar(example_dir, recompute_calls):
    err = StringIO()
    call_command("import_crm", "--format", "salesperf", str(example_dir), "--no-progress", stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""
