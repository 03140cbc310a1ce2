"""Hypothesis throws arbitrary JSON at the register route and at every action: the
answer is never a 5xx, and a refused request stores nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.cases.models import Attachment, Case, Party, TimelineEvent
from fengqiao.cases.states import Action
from fengqiao.people.models import Person

from .conftest import VALID_BODIES, register_body

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["", " ", "D17", "150602001001001", "dispute", "walk_in", "applicant"]),
    st.sampled_from(["2026-01-01", "2026-01-01T08:00:00+08:00", "0001-01-01T00:00:00+14:00"]),
    st.sampled_from(["13812345678", "11010519491231002X", "\x00", "\ud800", "漏" * 201]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=8,
)
REGISTER_FIELDS = list(register_body()) + [
    "building",
    "household",
    "latitude",
    "longitude",
    "occurred_at",
    "people_count",
    "amount",
    "attachments",
    "links",
]


@st.composite
def register_bodies(draw):
    """A valid body with some fields replaced, dropped or added."""
    body = register_body()
    for name in draw(st.lists(st.sampled_from(REGISTER_FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            body[name] = draw(values)
        else:
            body.pop(name, None)
    if draw(st.booleans()):
        body[draw(st.text(max_size=8))] = draw(values)
    return body


def counts() -> tuple:
    return (
        Case.objects.count(),
        Party.objects.count(),
        Person.objects.count(),
        Attachment.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def intake(world, api_as):
    return api_as(world.intake)


@FUZZ
@given(body=register_bodies())
def test_register_never_answers_5xx_and_a_refusal_stores_nothing(intake, body):
    before = counts()
    # ASCII-escaped JSON, so that lone surrogates reach the server as JSON escapes
    response = intake.post_raw("/cases", json.dumps(body), "application/json")
    assert response.status_code < 500, body
    if response.status_code != 201:
        assert 400 <= response.status_code < 500
        assert set(response.json()) == {"code", "message", "fields"}
        assert counts() == before


@FUZZ
@given(
    action=st.sampled_from([a.value for a in Action]),
    extra=st.dictionaries(st.text(max_size=10), values, max_size=3),
    replace=st.booleans(),
)
def test_actions_never_answer_5xx(world, intake, action, extra, replace):
    cid = Case.objects.values_list("pk", flat=True).first()
    if cid is None:
        cid = intake.post("/cases", register_body()).json()["id"]
    body = extra if replace else VALID_BODIES[action] | extra
    response = intake.post_raw(f"/cases/{cid}/{action}", json.dumps(body), "application/json")
    assert response.status_code < 500, (action, body)


OPEN311_FIELDS = [
    "service_code",
    "description",
    "jurisdiction_id",
    "lat",
    "long",
    "address_string",
    "first_name",
    "last_name",
    "phone",
    "email",
    "account_id",
]


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(OPEN311_FIELDS),
        st.one_of(st.text(max_size=40), st.sampled_from(["G01", "D17", "39.8", "-200", "1e9"])),
    )
)
def test_open311_requests_never_answer_5xx(world, form):
    from django.test import Client

    from fengqiao.api.actions import issue_token

    key = issue_token(actor=None, user=world.grid_worker, name="fuzz").key
    before = counts()
    # Form values travel as text; NUL and lone surrogates cannot be form-encoded as UTF-8.
    form = {k: v.encode("utf-8", "replace").decode() for k, v in form.items()}
    response = Client().post("/open311/v2/requests.json", {"api_key": key, **form})
    assert response.status_code < 500, form
    if response.status_code != 201:
        assert counts() == before


LIST_PARAMS = [
    "area",
    "state",
    "kind",
    "category",
    "grade",
    "risk",
    "channel",
    "overdue",
    "created_from",
    "created_to",
    "unit",
    "handler",
    "q",
    "limit",
    "offset",
    "after",
]


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(LIST_PARAMS),
        st.one_of(
            st.text(max_size=20),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.sampled_from(["true", "2026-01-01", "150602001001001", "D17", "漏水 张三"]),
        ),
    )
)
def test_the_list_never_answers_5xx(intake, params):
    # Query strings travel as UTF-8: a lone surrogate cannot be sent at all.
    params = {k: v.encode("utf-8", "replace").decode() for k, v in params.items()}
    response = intake.get("/cases", params)
    assert response.status_code < 500, params
    assert response.status_code in {200, 400, 422}
