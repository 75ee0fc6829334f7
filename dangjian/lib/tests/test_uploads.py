"""Uploaded files: owner-only, claimed once, gone after confirmation, a job, or a day; reasons
for rejected rows never show a full ID number or phone."""

import os
import stat
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.grid.importing import HEADERS, run_job
from dangjian.grid.models import ImportJob, JobStatus
from dangjian.lib.idnumbers import make_id
from dangjian.lib.tabular import RowError
from dangjian.lib.uploads import (
    KEEP,
    claim_upload,
    mask_personal,
    purge_uploads,
    stash_upload,
    stashed_upload,
)
from dangjian.lib.xlsx import SheetSpec, write_workbook
from dangjian.members.importing import member_import_plan


def _stash(content: bytes = b"a,b\n", name: str = "名册.csv", **kw):
    return stash_upload(SimpleUploadedFile(name, content), **kw)


def test_it_writes_an_upload_readable_by_the_owner_only():
    _, path = _stash()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_it_removes_an_unconfirmed_upload_after_a_day():
    _, old = _stash()
    aged = time.time() - KEEP.total_seconds() - 60
    os.utime(old, (aged, aged))
    _, fresh = _stash()
    assert (old.exists(), fresh.exists()) == (False, True)


def test_it_keeps_uploads_younger_than_a_day():
    _, path = _stash()
    assert purge_uploads() == 0 and path.exists()


def test_it_lets_only_one_confirmation_claim_an_upload():
    token, _ = _stash()
    first, second = claim_upload(token), claim_upload(token)
    assert first is not None and first.exists() and second is None and stashed_upload(token) is None


def test_it_deletes_a_resident_upload_when_the_import_ends(world):
    rows = [["第一网格", "和平小区", "1号楼", "1单元", "101", "自住", "张大山", make_id(__import__("datetime").date(1970, 1, 1), "男")]]
    _, path = _stash(write_workbook([SheetSpec(title="居民", headers=HEADERS, rows=rows)]), "居民.xlsx")
    job = run_job(ImportJob.objects.create(community=world.community, filename="居民.xlsx", path=str(path), user=world.secretary))
    assert job.status == JobStatus.DONE and not path.exists()


def test_it_keeps_a_passed_dry_run_file_for_the_real_import(world):
    _, path = _stash(write_workbook([SheetSpec(title="居民", headers=HEADERS, rows=[])]), "居民.xlsx")
    run_job(ImportJob.objects.create(community=world.community, filename="居民.xlsx", path=str(path), dry_run=True,
                                     user=world.secretary))
    assert path.exists()


def test_it_masks_a_phone_and_an_id_in_a_reject_reason():
    reason = RowError(3, "联系电话", "电话号码无效：“1381234567”；身份证“11010119650301123Y”").reason
    assert "1381234567" not in reason and "11010119650301123Y" not in reason and "1101" in reason


def test_it_masks_what_a_roster_import_rejects(world, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text("姓名,公民身份号码,联系电话\n张三,11010119650301123Y,1381234567\n", encoding="utf-8")
    plan = member_import_plan(path, org=world.community, filename=path.name)
    reasons = " ".join(e.reason for e in plan.rejected)
    assert plan.rejected and "1381234567" not in reasons and "11010119650301123" not in reasons


def test_it_leaves_short_numbers_alone():
    assert mask_personal("第12行：金额“300”") == "第12行：金额“300”"
