"""A large roster, confirmed on the page, is booked by a worker with the mapping chosen there."""

import io

from django.urls import reverse

from dangjian.jobs.models import Job
from dangjian.jobs.worker import run_pending
from dangjian.members.models import Member

from .test_import_rosters import roster_xlsx, third  # noqa: F401  (a fixture)


def test_a_large_roster_is_booked_by_a_worker_with_the_preview_mapping(world, third, client_for, settings):  # noqa: F811
    settings.DANGJIAN_BACKGROUND_ROWS = 5
    client = client_for(world.worker)
    upload = io.BytesIO(roster_xlsx())
    upload.name = "花名册.xlsx"
    token = client.post(reverse("member_import"), {"file": upload, "org": world.community.pk}).context["token"]
    response = client.post(reverse("member_import"), {"token": token, "org": world.community.pk,
                                                      "map_name": ["五支部"], "map_unit": [world.branch_b.pk]})
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk]) and not Member.objects.filter(name="冯九").exists()
    run_pending()
    job.refresh_from_db()
    assert job.status == "done" and "新增9人" in job.message, job.message
    assert Member.objects.filter(org=world.branch_b, name__in=["冯九", "陈十", "褚十一"]).count() == 3
