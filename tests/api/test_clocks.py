"""The API filters overdue verification as it filters overdue handling, from the due
instants stored when the verification clock starts (at completion)."""

import datetime as dt

from .conftest import register_body


def test_overdue_verification_filter(world, api_as, time_machine):
    # given a case the grid worker completed on Monday 2 Nov 2026 at 09:00 Beijing time
    time_machine.move_to(dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC), tick=False)
    intake, worker = api_as(world.intake), api_as(world.grid_worker)
    cid = intake.post("/cases", register_body()).json()["id"]
    intake.act(cid, "accept")
    intake.act(cid, "assess", {"grade": "minor", "risk": "blue"})
    assert intake.act(cid, "dispatch", {"handler": "gw_zheng"}).status_code == 200
    worker.act(cid, "sign_for")
    worker.act(cid, "start_handling")
    assert worker.act(cid, "complete", {"feedback": "已维修"}).status_code == 200
    assert intake.get("/cases", {"verify_overdue": "true"}).json()["count"] == 0

    # when a working day has passed without verification
    time_machine.move_to(dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC), tick=False)

    # then it is overdue for verification, and not for handling
    late = intake.get("/cases", {"verify_overdue": "true"}).json()
    assert [item["id"] for item in late["items"]] == [cid]
    assert intake.get("/cases", {"verify_overdue": "false"}).json()["count"] == 0
    assert intake.get("/cases", {"overdue": "true"}).json()["count"] == 0
