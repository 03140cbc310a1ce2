"""Duplicate and repeat detection at intake."""

import datetime as dt

import time_machine
from django.utils import timezone

from fengqiao.cases import actions, queries
from fengqiao.cases.models import Category

from .builders import party, register

ZHANG_ID = "152602199003071236"  # 东胜 under its 1990 code


def test_a_prior_open_case_is_found_by_id_number(world):
    # given a dispute registered with 张三 as applicant
    prior = register(world.intake, world.grid1, parties=[party(name="张三", id_number=ZHANG_ID)])
    # when a new draft names the same ID number (typed in lower case, with spaces)
    found = queries.find_similar(parties=[{"id_number": ZHANG_ID.lower() + " "}])
    # then the prior case is shown with the reason
    assert [s.case for s in found] == [prior]
    assert found[0].reasons == ["当事人身份证号相同"]


def test_a_prior_case_is_found_by_phone(world):
    prior = register(world.intake, world.grid1, parties=[party(name="李四", phone="138 0013 8000")])
    found = queries.find_similar(parties=[{"phone": "+86 13800138000"}])
    assert [s.case for s in found] == [prior]
    assert found[0].reasons == ["当事人电话相同"]


def test_same_place_and_category_is_found(world):
    prior = register(world.intake, world.grid1)
    found = queries.find_similar(parties=[], area=world.grid1, category=prior.category)
    assert [s.case for s in found] == [prior]
    other = Category.objects.get(code="D07")
    assert queries.find_similar(parties=[], area=world.grid1, category=other) == []
    assert queries.find_similar(parties=[], area=world.grid2, category=prior.category) == []


def test_a_closed_case_older_than_90_days_is_not_a_duplicate(world):
    with time_machine.travel(timezone.now() - dt.timedelta(days=120)):
        prior = register(world.intake, world.grid1, parties=[party(phone="13800138000")])
        actions.accept_case(actor=world.intake, case=prior)
        actions.refer_out(actor=world.intake, case=prior, note="已起诉")
    assert queries.find_similar(parties=[{"phone": "13800138000"}]) == []


def test_a_new_dispute_between_the_same_two_parties_is_flagged_as_repeat(world):
    # given a dispute between 张三 and 李四
    prior = register(
        world.intake,
        world.grid1,
        parties=[
            party(name="张三", id_number=ZHANG_ID),
            party(role="respondent", name="李四", phone="13912345678"),
        ],
    )
    # when a new draft names both again
    found = queries.find_similar(parties=[{"id_number": ZHANG_ID}, {"phone": "13912345678"}])
    # then it is a repeat dispute
    assert found[0].case == prior
    assert found[0].is_repeat
    assert "同一当事人之间的重复纠纷" in found[0].reasons
    # and a draft naming only one of them is not
    assert not queries.find_similar(parties=[{"id_number": ZHANG_ID}])[0].is_repeat


def test_the_check_only_shows_cases_the_user_may_see(world):
    register(world.intake, world.grid2, parties=[party(phone="13800138000")])
    assert queries.find_similar(parties=[{"phone": "13800138000"}], user=world.grid_worker) == []
    assert len(queries.find_similar(parties=[{"phone": "13800138000"}], user=world.intake)) == 1


def test_malformed_numbers_in_the_draft_are_ignored(world):
    register(world.intake, world.grid1, parties=[party(phone="13800138000")])
    assert queries.find_similar(parties=[{"id_number": "123", "phone": "abc"}]) == []


def test_a_landline_matches_however_it_is_typed(world):
    prior = register(world.intake, world.grid1, parties=[party(name="赵六", phone="0477 8581234")])
    assert prior.parties.get().person.phone == "0477-8581234"
    found = queries.find_similar(parties=[{"phone": "04778581234"}])
    assert [s.case for s in found] == [prior]


def test_a_busy_party_shows_the_newest_matches_only_with_a_repeat_first(world, monkeypatch):
    # given a small cap, a party on many cases, and one earlier dispute between the
    # same two parties among the oldest
    monkeypatch.setattr(queries, "SIMILAR_LIMIT", 3)
    both = [
        party(name="张三", id_number=ZHANG_ID),
        party("respondent", "李四", phone="13912345678"),
    ]
    repeat = register(world.intake, world.grid1, parties=both)
    busy = [
        register(
            world.intake, world.grid1, parties=[party("respondent", "李四", phone="13912345678")]
        )
        for _ in range(5)
    ]
    # when a draft names both parties again
    found = queries.find_similar(parties=[{"id_number": ZHANG_ID}, {"phone": "13912345678"}])
    # then the repeat dispute comes first, then the newest others, and no more than the cap
    assert [s.case for s in found] == [repeat, busy[4], busy[3]]
    assert found[0].is_repeat


def test_the_party_rows_read_are_bounded(world, monkeypatch):
    # given more prior cases of one phone than the rows the check reads
    monkeypatch.setattr(queries, "PARTY_ROWS", 2)
    cases = [
        register(world.intake, world.grid1, parties=[party(phone="13800138000")]) for _ in range(4)
    ]
    # then only the newest are considered
    found = queries.find_similar(parties=[{"phone": "13800138000"}])
    assert [s.case for s in found] == [cases[3], cases[2]]
