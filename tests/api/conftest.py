"""The API's world is 工业街道 (tests/cases) plus a second street with its own grid
worker, and a client that calls the API with a user's bearer key."""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from fengqiao.accounts.models import Role
from fengqiao.api.actions import issue_token
from fengqiao.areas.models import Level
from tests import factories as f
from tests.cases.conftest import world  # noqa: F401  (the shared 工业街道 fixture)

BASE = "/api/v1"


@dataclass
class Api:
    """A client holding one bearer key."""

    client: Client
    key: str

    def _auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(BASE + path, params or {}, **self._auth())

    def post(self, path: str, data=None):
        body = "" if data is None else json.dumps(data, ensure_ascii=False)
        return self.client.post(BASE + path, body, content_type="application/json", **self._auth())

    def post_raw(self, path: str, body, content_type: str):
        return self.client.post(BASE + path, body, content_type=content_type, **self._auth())

    def post_multipart(self, path: str, data: dict, files: list):
        form = {"data": json.dumps(data, ensure_ascii=False), "attachments": files}
        return self.client.post(BASE + path, form, **self._auth())

    def act(self, case_id: int, action: str, data=None):
        return self.post(f"/cases/{case_id}/{action}", data if data is not None else {})

    def follow(self, response) -> dict:
        """The detail a write points to: its ``url`` (and, after registering, Location)."""
        return self.client.get(response.json()["url"], **self._auth()).json()


@pytest.fixture
def api_as(db):
    def make(user) -> Api:
        return Api(Client(), issue_token(actor=None, user=user, name="测试").key)

    return make


@pytest.fixture
def elsewhere(world):  # noqa: F811
    """昭君街道 beside 工业街道, with a grid worker of its own."""
    street = f.area("昭君街道", Level.TOWN, world.district, code="150602002000")
    community = f.area("昭君社区", Level.COMMUNITY, street, code="150602002001")
    grid = f.area("昭君社区第1网格", Level.GRID, community, code="150602002001001")
    worker = f.user("gw_chen", Role.GRID_WORKER, grid, full_name="陈网格")
    return street, grid, worker


def register_body(**overrides) -> dict:
    body = {
        "kind": "dispute",
        "channel": "walk_in",
        "category": "D17",
        "title": "楼上漏水引发邻里纠纷",
        "narrative": "3号楼502室漏水至402室，双方就维修费用协商未果。",
        "area": "150602001001001",
        "parties": [
            {"role": "applicant", "name": "张三", "phone": "13812345678"},
            {"role": "respondent", "name": "李四", "id_number": "11010519491231002X"},
        ],
    }
    body.update(overrides)
    return body


# A well-formed body for every action (whether the action then succeeds is another matter).
VALID_BODIES = {
    "accept": {},
    "decline": {"reason": "不属于受理范围"},
    "assess": {"grade": "minor", "risk": "blue"},
    "dispatch": {"handler": "gw_zheng"},
    "sign_for": {},
    "return": {"reason": "非本单位职责", "basis": "职责清单"},
    "overrule_return": {"note": "属于本单位职责"},
    "escalate": {"note": "需上级协调"},
    "delegate": {"to_area": "150602001001001"},
    "add_co_handler": {"user": "gw_zheng"},
    "request_extension": {"days": 2, "reason": "需鉴定"},
    "approve_extension": {},
    "refuse_extension": {"note": "时限充足"},
    "supervise": {"level": "normal"},
    "mark_urgent": {},
    "start_handling": {},
    "complete": {"feedback": "已化解"},
    "verify": {},
    "send_back": {"reason": "材料不全"},
    "revisit": {},
    "close": {},
    "shelve": {"note": "待判决"},
    "refer_out": {"note": "转诉讼"},
    "reopen": {"note": "未履行"},
}
