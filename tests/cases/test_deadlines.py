"""Deadlines on China's working days, with frozen time across National Day 2025:
Sat 27 Sep rest, Sun 28 Sep a make-up working day, 1–8 Oct holiday, Sat 11 Oct a
make-up working day."""

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps

from fengqiao.cases import actions, deadlines
from fengqiao.cases.deadlines import Light
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Case, Grade, Risk, TimeLimit, WorkCalendarOverride

from .builders import register

CST = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def dispatched_case(world, *, when: str, unit=None, handler=None) -> Case:
    with time_machine.travel(at(when), tick=False):
        case = register(world.intake, world.grid1)
        actions.accept_case(actor=world.intake, case=case)
        actions.assess_case(
            actor=world.intake,
            case=case,
            grade=Grade.HARD,
            risk=Risk.ORANGE,
            owner=world.director,
            responsibility="协调",
            deadline=dt.date(2025, 12, 31),
        )
        actions.dispatch_case(actor=world.intake, case=case, unit=unit, handler=handler)
    return case


def light_at(case: Case, when: str) -> Light:
    return deadlines.light(Case.objects.get(pk=case.pk), at(when))


def test_calendar_knows_2025_and_2026_holidays_and_make_up_days(db):
    assert not deadlines.is_workday(dt.date(2025, 9, 27))
    assert deadlines.is_workday(dt.date(2025, 9, 28))  # make-up Sunday
    assert not deadlines.is_workday(dt.date(2025, 10, 3))
    assert deadlines.is_workday(dt.date(2025, 10, 11))  # make-up Saturday
    assert not deadlines.is_workday(dt.date(2026, 2, 17))  # Spring Festival 2026
    assert deadlines.is_workday(dt.date(2026, 2, 14))  # make-up Saturday


def test_functional_unit_due_instants_skip_the_holiday_and_count_make_up_days(world):
    # given a case dispatched to the police station (functional: 1/5 yellow, 2/10 red)
    # on Friday 26 Sep 2025 at 10:00
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    # then sign-for is due on the make-up Sunday, and handling after the holiday
    assert case.sign_due_at == at("2025-09-28 10:00")
    assert case.warning_at == at("2025-09-30 22:00")  # 70 % of 5 working days
    assert case.due_at == at("2025-10-10 10:00")
    assert case.red_at == at("2025-10-16 10:00")  # 10 days, counting Sat 11 Oct


def test_the_light_moves_from_normal_to_warning_yellow_and_red(world):
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-09-27 09:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
    assert light_at(case, "2025-09-30 21:59") == Light.NORMAL
    assert light_at(case, "2025-09-30 22:00") == Light.WARNING
    # the clock stands still over the holiday
    assert light_at(case, "2025-10-08 23:59") == Light.WARNING
    assert light_at(case, "2025-10-10 09:59") == Light.WARNING
    assert light_at(case, "2025-10-10 10:00") == Light.YELLOW
    assert light_at(case, "2025-10-16 09:59") == Light.YELLOW
    assert light_at(case, "2025-10-16 10:00") == Light.RED
    # and lists find it overdue with a plain comparison on the stored due instant
    assert list(Case.objects.overdue(at("2025-10-10 10:01"))) == [case]
    assert not Case.objects.overdue(at("2025-10-10 09:59")).exists()


def test_waiting_for_sign_for_shows_the_sign_for_clock(world):
    # given a case nobody signed for since Friday 10:00 (sign-for due Sunday 28 Sep)
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    # then the rest day does not count; on the make-up Sunday it warns, then turns yellow
    assert light_at(case, "2025-09-27 23:00") == Light.NORMAL
    assert light_at(case, "2025-09-28 02:47") == Light.NORMAL
    assert light_at(case, "2025-09-28 02:48") == Light.WARNING  # 70 % of 24 h = 16.8 h
    assert light_at(case, "2025-09-28 10:00") == Light.YELLOW


def test_territorial_handler_gets_one_working_day_and_red_after_two(world):
    # given a case dispatched to the grid worker on Thursday 25 Sep at 10:00
    case = dispatched_case(world, when="2025-09-25 10:00", handler=world.grid_worker)
    assert case.due_at == at("2025-09-26 10:00")
    assert case.red_at == at("2025-09-28 10:00")  # Saturday does not count, Sunday does
    assert light_at(case, "2025-09-27 12:00") == Light.YELLOW
    assert light_at(case, "2025-09-28 10:00") == Light.RED


def test_approved_extension_days_are_added_to_the_limit(world):
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-09-29 09:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
        actions.start_handling(actor=world.police_handler, case=case)
    # when the station asks for two working days before the deadline and gets them
    with time_machine.travel(at("2025-10-09 15:00"), tick=False):
        actions.request_extension(
            actor=world.police_handler, case=case, days=2, reason="当事人节后返回"
        )
        actions.approve_extension(actor=world.director, case=case, note="同意")
    # then the deadline moves two working days (over the make-up Saturday)
    assert case.extension_days == 2
    assert case.due_at == at("2025-10-13 10:00")
    assert case.red_at == at("2025-10-20 10:00")
    assert light_at(case, "2025-10-10 12:00") == Light.WARNING
    assert light_at(case, "2025-10-13 10:00") == Light.YELLOW


def test_an_extension_cannot_be_requested_after_the_deadline(world):
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-10-10 11:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
        with pytest.raises(CaseError) as refused:
            actions.request_extension(
                actor=world.police_handler, case=case, days=2, reason="来不及"
            )
    assert refused.value.code == ErrorCode.EXTENSION_TOO_LATE


def test_refused_extension_leaves_the_deadline(world):
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-09-29 09:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
        actions.request_extension(actor=world.police_handler, case=case, days=3, reason="忙")
        actions.refuse_extension(actor=world.director, case=case, note="理由不充分")
    assert case.extension_days == 0
    assert case.due_at == at("2025-10-10 10:00")


def test_an_administrators_rest_day_moves_the_deadline(world):
    # given the administrator declares Thursday 9 Oct a rest day
    WorkCalendarOverride.objects.create(date=dt.date(2025, 10, 9), is_workday=False, note="停电")
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    # then the five working days end on the make-up Saturday instead
    assert case.due_at == at("2025-10-11 10:00")


def test_time_limits_in_working_hours_count_office_hours(world):
    # given the administrator sets territorial handling to 5 / 8 working hours
    TimeLimit.objects.filter(stage="handle", unit_scope="territorial").update(
        yellow_limit=5, red_limit=8, time_unit="hours"
    )
    # when a case reaches the grid worker on Tuesday 30 Sep at 16:00
    case = dispatched_case(world, when="2025-09-30 16:00", handler=world.grid_worker)
    # then 2 of the 5 hours pass that day and the rest after the holiday (8:30–12:00)
    assert case.due_at == at("2025-10-09 11:30")
    assert case.red_at == at("2025-10-09 17:00")  # 2 + 3.5 + 2.5 (from 14:30)


def test_the_most_specific_time_limit_wins(world):
    # given a special rule for cases handled at the street level by functional units
    TimeLimit.objects.create(
        stage="handle", handling_level="town", unit_scope="functional", yellow_limit=3, red_limit=4
    )
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    assert case.due_at == at("2025-09-30 10:00")


def police_case_completed(world, *, when: str) -> Case:
    """A police-station case (functional: 5 / 10 working days), handled and completed
    at ``when``."""
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-09-27 09:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
        actions.start_handling(actor=world.police_handler, case=case)
    with time_machine.travel(at(when), tick=False):
        actions.complete_case(actor=world.police_handler, case=case, feedback="已调解")
    return case


def test_send_back_restarts_the_handling_clock_without_earlier_extensions(world):
    # given a police case that got two more working days (due 13 Oct) and was completed
    case = dispatched_case(world, when="2025-09-26 10:00", unit=world.police)
    with time_machine.travel(at("2025-09-29 09:00"), tick=False):
        actions.sign_for_case(actor=world.police_handler, case=case)
        actions.start_handling(actor=world.police_handler, case=case)
    with time_machine.travel(at("2025-10-09 15:00"), tick=False):
        actions.request_extension(actor=world.police_handler, case=case, days=2, reason="外出")
        actions.approve_extension(actor=world.director, case=case)
        actions.complete_case(actor=world.police_handler, case=case, feedback="已调解")
    assert case.due_at == at("2025-10-13 10:00")
    # when the centre sends it back on Monday 13 Oct at 10:00
    with time_machine.travel(at("2025-10-13 10:00"), tick=False):
        actions.send_back(actor=world.director, case=case, reason="未附协议")
    # then five fresh working days run from that moment, without the two extra days
    case.refresh_from_db()
    assert case.clock_started_at == at("2025-10-13 10:00")
    assert case.dispatched_at == at("2025-09-26 10:00")  # the dispatch itself stays
    assert case.extension_days == 0
    assert case.warning_at == at("2025-10-16 22:00")
    assert case.due_at == at("2025-10-20 10:00")
    assert case.red_at == at("2025-10-27 10:00")
    # and the light, computed as before, follows the new clock
    assert light_at(case, "2025-10-14 09:00") == Light.NORMAL
    assert light_at(case, "2025-10-16 22:00") == Light.WARNING
    assert light_at(case, "2025-10-20 10:00") == Light.YELLOW
    assert light_at(case, "2025-10-27 10:00") == Light.RED
    assert not Case.objects.overdue(at("2025-10-14 09:00")).exists()
    assert list(Case.objects.overdue(at("2025-10-20 10:01"))) == [case]


def test_reopen_restarts_the_handling_clock_across_a_make_up_day(world):
    # given a grid worker's case (territorial: 1 / 2 working days), closed after a revisit
    case = dispatched_case(world, when="2025-09-25 10:00", handler=world.grid_worker)
    with time_machine.travel(at("2025-09-25 11:00"), tick=False):
        actions.sign_for_case(actor=world.grid_worker, case=case)
        actions.start_handling(actor=world.grid_worker, case=case)
        actions.complete_case(actor=world.grid_worker, case=case, feedback="已维修")
        actions.verify_case(actor=world.director, case=case)
        actions.start_revisit(actor=world.director, case=case)
        actions.close_case(actor=world.director, case=case)
    # when a failed revisit reopens it on Thursday 9 Oct at 15:00
    with time_machine.travel(at("2025-10-09 15:00"), tick=False):
        actions.reopen_case(actor=world.director, case=case, note="回访不满意")
    # then one working day runs from then, and the red card comes on the make-up Saturday
    case.refresh_from_db()
    assert case.state == "in_progress"
    assert case.clock_started_at == at("2025-10-09 15:00")
    assert case.warning_at == at("2025-10-10 07:48")  # 70 % of 24 h = 16.8 h
    assert case.due_at == at("2025-10-10 15:00")
    assert case.red_at == at("2025-10-11 15:00")
    assert light_at(case, "2025-10-10 07:47") == Light.NORMAL
    assert light_at(case, "2025-10-10 15:00") == Light.YELLOW
    assert light_at(case, "2025-10-11 15:00") == Light.RED


def test_the_verification_clock_runs_from_completion_over_the_holiday(world):
    # given a case completed on Tuesday 30 Sep at 16:00 (verification: 1 / 2 working days)
    case = police_case_completed(world, when="2025-09-30 16:00")
    # then verification is due after the National Day holiday
    case.refresh_from_db()
    assert case.verify_warning_at == at("2025-10-09 08:48")
    assert case.verify_due_at == at("2025-10-09 16:00")
    assert case.verify_red_at == at("2025-10-10 16:00")
    assert light_at(case, "2025-10-08 23:00") == Light.NORMAL
    assert light_at(case, "2025-10-09 08:48") == Light.WARNING
    assert light_at(case, "2025-10-09 16:00") == Light.YELLOW
    assert light_at(case, "2025-10-10 16:00") == Light.RED
    # and lists find it overdue for verification, not for handling
    assert list(Case.objects.verify_overdue(at("2025-10-09 16:01"))) == [case]
    assert not Case.objects.verify_overdue(at("2025-10-09 15:59")).exists()
    assert not Case.objects.overdue(at("2025-10-09 16:01")).exists()


def test_a_verified_case_is_no_longer_overdue_for_verification(world):
    case = police_case_completed(world, when="2025-09-30 16:00")
    with time_machine.travel(at("2025-10-10 17:00"), tick=False):
        actions.verify_case(actor=world.director, case=case)
    assert not Case.objects.verify_overdue(at("2025-10-11 09:00")).exists()
    assert light_at(case, "2025-10-11 09:00") is None


def test_the_migration_gives_earlier_completed_cases_their_verification_clock(world):
    # given a case completed before the verification clock was stored
    case = police_case_completed(world, when="2025-09-30 16:00")
    Case.objects.filter(pk=case.pk).update(
        verify_warning_at=None, verify_due_at=None, verify_red_at=None
    )
    # when the backfill migration runs
    backfill = importlib.import_module(
        "fengqiao.cases.migrations.0006_backfill_verification_clock"
    ).backfill
    backfill(django_apps, None)
    # then it has the instants the action would have stored
    case.refresh_from_db()
    assert case.verify_due_at == at("2025-10-09 16:00")
    assert case.verify_red_at == at("2025-10-10 16:00")
    assert case.verify_warning_at == at("2025-10-09 08:48")
