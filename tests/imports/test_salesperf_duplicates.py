"""An activity id that appears twice in activities.csv, however far apart: refused by line, nothing saved.

The ids read so far are kept in a temporary table on PostgreSQL (not in memory, issue 18) and in a
set elsewhere; both must give the report the in-memory check gave, errors in the same order.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imports import services
from imports.formats import salesperf
from imports.formats.base import ImportFailed
from imports.formats.writers import SeenIds
from reps.models import Activity, Rep

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,owner_external_id,kind,status,planned_date,done_at,subject,account_external_id,opportunity_external_id,notes"
)


@pytest.fixture(params=["database", "set"])
def seen_in(request, monkeypatch) -> str:
    """Run each test with the ids in the database (PostgreSQL) and in a Python set (the other databases)."""
    if request.param == "set":
        init = SeenIds.__init__

        def in_memory(self: SeenIds) -> None:
            init(self)
            self.close()
            self.in_database = False

        monkeypatch.setattr(SeenIds, "__init__", in_memory)
    return request.param


KINDS = "call, discovery_meeting, email, other_meeting, proposal_meeting, task"


def _folder(example_dir: Path, tmp_path: Path, rows: list[str]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("teams.csv", "reps.csv"):
        shutil.copy(example_dir / name, folder / name)
    (folder / "activities.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    return folder


def _row(n: int | str) -> str:
    return f"dup:act:{n},example:rep:anna,call,planned,2024-02-01,,Call {n},,,"


def _errors(folder: Path) -> list[tuple[str, int, str]]:
    with pytest.raises(ImportFailed) as failed:
        services.import_run(format="salesperf", directory=folder)
    return [(e["file"], e["line"], e["reason"]) for e in failed.value.report.errors]


def _twice(n: int | str) -> str:
    return f"external_id “dup:act:{n}” appears twice in this file."


def test_a_duplicate_across_batches_is_refused(example_dir, tmp_path, seen_in):
    rows = [_row(n) for n in range(salesperf.ACTIVITY_CHUNK + 10)]
    rows.append(_row(0))  # line 2 again, one batch (and many blocks) later
    folder = _folder(example_dir, tmp_path, rows)
    assert _errors(folder) == [("activities.csv", len(rows) + 1, _twice(0))]
    assert not Activity.objects.exists() and not Rep.objects.exists()


def test_a_duplicate_within_a_later_batch_of_a_large_file_is_refused(example_dir, tmp_path, seen_in):
    rows = [_row(n) for n in range(salesperf.ACTIVITY_CHUNK + 10)]
    rows.insert(salesperf.ACTIVITY_CHUNK + 5, _row(salesperf.ACTIVITY_CHUNK + 2))  # both in the second batch
    folder = _folder(example_dir, tmp_path, rows)
    assert _errors(folder) == [("activities.csv", salesperf.ACTIVITY_CHUNK + 7, _twice(salesperf.ACTIVITY_CHUNK + 2))]
    assert not Activity.objects.exists()


def test_errors_keep_their_order_across_blocks_and_batches(example_dir, tmp_path, monkeypatch, seen_in):
    """Small blocks and batches: duplicates, the reader's and the parser's errors, in the order of before.

    A batch's rows are parsed (and their errors reported) when the batch is full: line 7 completes the
    first batch of four rows (2, 3, 6, 7), line 14 the second (10, 11, 12, 14).
    """
    monkeypatch.setattr(salesperf, "ACTIVITY_CHUNK", 4)
    monkeypatch.setattr(salesperf, "ACTIVITY_ID_BLOCK", 3)
    rows = [
        _row(1),  # line 2
        _row(2),
        _row(1),  # line 4: twice, same block
        ",example:rep:anna,call,planned,2024-02-01,,,,,",  # line 5: no id
        _row(3),
        "dup:act:4,example:rep:anna,phone,planned,2024-02-01,,,,,",  # line 7: bad kind (parsed with its batch)
        _row(2),  # line 8: twice, an earlier block
        _row(5) + ",extra",  # line 9: too many values (the reader's error)
        _row(6),
        _row(7),
        "dup:act:8,example:rep:nobody,call,planned,2024-02-01,,,,,",  # line 12: unknown owner
        _row(4),  # line 13: twice (the first had a bad kind), an earlier batch
        _row(9),
        _row(9),  # line 15: twice, same block, last row
    ]
    folder = _folder(example_dir, tmp_path, rows)
    assert _errors(folder) == [
        ("activities.csv", 4, _twice(1)),
        ("activities.csv", 5, "external_id is empty."),
        ("activities.csv", 7, "kind “phone” is not one of " + KINDS + "."),
        ("activities.csv", 8, _twice(2)),
        ("activities.csv", 9, "This row has 11 values but the first line names 10 columns."),
        ("activities.csv", 13, _twice(4)),
        ("activities.csv", 12, "owner_external_id “example:rep:nobody” names no row of this import nor any stored one."),
        ("activities.csv", 15, _twice(9)),
    ]
    assert not Activity.objects.exists()


def test_a_file_without_duplicates_imports_every_row(example_dir, tmp_path, monkeypatch, recompute_calls, seen_in):
    monkeypatch.setattr(salesperf, "ACTIVITY_CHUNK", 4)
    monkeypatch.setattr(salesperf, "ACTIVITY_ID_BLOCK", 3)
    folder = _folder(example_dir, tmp_path, [_row(n) for n in range(11)])
    report = services.import_run(format="salesperf", directory=folder)
    assert report.counts[("activities.csv", "activities")].created == 11
    again = services.import_run(format="salesperf", directory=folder)  # a second import in one transaction
    assert again.counts[("activities.csv", "activities")].unchanged == 11
    assert Activity.objects.count() == 11


def test_an_id_with_a_nul_character_is_checked_too(example_dir, tmp_path, seen_in):
    """PostgreSQL text cannot hold NUL: such an id (past the first 64 KiB, which must not have one) is
    remembered in memory, and its row refused as before."""
    nul = "dup:act:\x00x"
    rows = [_row(n) for n in range(1500)]
    rows += [f"{nul},example:rep:anna,phone,planned,2024-02-01,,,,,", f"{nul},example:rep:anna,call,planned,2024-02-01,,,,,"]
    folder = _folder(example_dir, tmp_path, rows)
    assert _errors(folder) == [
        ("activities.csv", 1503, f"external_id “{nul}” appears twice in this file."),
        ("activities.csv", 1502, f"kind “phone” is not one of {KINDS}."),
    ]
