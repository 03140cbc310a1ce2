"""A case's life, generated: the actions it went through (each allowed by the state
table from the state before it), the fields those actions left on the case, and the
rows they wrote (timeline events, extensions, supervisions).

A case's path is drawn first (accept, assess, dispatch, sign for, handle, complete,
verify, close — with declines, returns, escalations, extensions, supervision, send-backs,
revisits, shelving and referrals at realistic rates) and then cut at "now": cases
registered recently are still open somewhere along their path.
"""

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from fengqiao.cases.models import Case, Grade, Party, Risk, SupervisionLevel, Urgency
from fengqiao.cases.states import TRANSITIONS, Action
from fengqiao.units.models import UnitKind

from .city import City, GridInfo, LevelStaff, Residents
from .clock import FastClock
from .mediation import MODELS as MEDIATION_MODELS
from .mediation import Mediating
from .texts import DISPUTE_TEXTS, GRID_TEXTS, NOTES

A = Action
HOUR = 3600.0

KINDS = [("dispute", 45), ("request", 22), ("complaint", 10), ("inquiry", 7)]
KINDS += [("legal_aid", 4), ("hazard", 12)]
CATEGORIES = {
    "dispute": [("D17", 40), ("D07", 12), ("D04", 12), ("D05", 8), ("D0501", 5), ("D0502", 4)]
    + [("D0504", 3), ("D06", 6), ("D03", 3), ("D18", 2), ("D19", 5)],
    "request": [("G01", 60), ("G05", 40)],
    "complaint": [("G05", 50), ("G08", 30), ("G01", 20)],
    "inquiry": [("G05", 100)],
    "legal_aid": [("D07", 50), ("D19", 30), ("D17", 20)],
    "hazard": [("G07", 70), ("G03", 30)],
}
# The channel decides who registered the case, and at which level.
CHANNELS = [("grid_patrol", 30), ("walk_in", 18), ("phone", 10), ("hotline_12345", 12)]
CHANNELS += [("photo_report", 8), ("qr_code", 5), ("online", 5), ("informant", 4)]
CHANNELS += [("police", 3), ("court", 2), ("petition", 2), ("device_alarm", 1)]
GRID_CHANNELS = {"grid_patrol", "photo_report", "qr_code", "informant", "device_alarm"}
GRADES = [(Grade.MICRO, 30), (Grade.MINOR, 45), (Grade.MAJOR, 20), (Grade.HARD, 5)]
RISKS = [(Risk.BLUE, 60), (Risk.YELLOW, 28), (Risk.ORANGE, 9), (Risk.RED, 3)]
GRADE_DEPTH = {Grade.MICRO: 5, Grade.MINOR: 5, Grade.MAJOR: 4, Grade.HARD: 3}
_NO_NOTE = [""]


# The state table with plain strings: the generator asks it ten million times.
NEXT = {(s.value, a.value): t.value for s, moves in TRANSITIONS.items() for a, t in moves.items()}


def _weighted(pairs):
    values = [v for v, _ in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum


def _pick(rng: random.Random, table) -> str:
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


TEXTS = DISPUTE_TEXTS | GRID_TEXTS
_KINDS = _weighted(KINDS)
_CATEGORIES = {k: _weighted(v) for k, v in CATEGORIES.items()}
_CHANNELS = _weighted(CHANNELS)
_GRADES = _weighted(GRADES)
_RISKS = _weighted(RISKS)


@dataclass
class Event:
    at: dt.datetime
    actor: int | None
    action: str
    from_state: str
    to_state: str
    note: str
    data: dict


@dataclass
class Generated:
    """One case: its column values, its events, and the rows beside it."""

    fields: dict
    events: list[Event] = field(default_factory=list)
    extensions: list[tuple] = field(
        default_factory=list
    )  # days, reason, status, by, at, dby, dat, note
    supervisions: list[tuple] = field(default_factory=list)  # level, note, by, at
    parties: list[tuple[int, str]] = field(default_factory=list)  # resident number, role
    case_id: int = 0
    party_ids: list[int] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # mediation model → its rows (lists)


class CaseMaker:
    """Draws cases for a city; one instance per seed run."""

    def __init__(
        self,
        city: City,
        clock: FastClock,
        categories: dict[str, int],
        rng,
        now,
        ids: dict | None = None,
        names: dict | None = None,
    ):
        self.city, self.clock, self.categories = city, clock, categories
        self.rng, self.now = rng, now
        # Next primary key per model: keys are drawn here, so rows can name each other.
        # Without them (the demo numbers its cases itself and adds its own mediations)
        # the cases are drawn without mediation.
        self.mediates = ids is not None
        self.ids = ids if ids is not None else dict.fromkeys((Case, Party), 1)
        # Drawers in parallel take every ``step``-th key of each model (see bench.seed).
        self.step = 1
        self.names = names or {}  # user id or ("unit", id) → the name the actions write
        self.residents = Residents()
        self.mediators = {s.mediator for s in city.staff.values()}
        self.staff_by_path = {s.area.path: s for s in city.staff.values()}
        self.area_by_id = city.areas
        self.district_code = {
            a.pk: a.code[:6] for a in city.areas.values() if a.level == "district"
        }

    def next_id(self, model) -> int:
        pk = self.ids[model]
        self.ids[model] = pk + self.step
        return pk

    # --- one case ---------------------------------------------------------------------

    def make(self, grid: GridInfo, created: dt.datetime) -> Generated:
        rng = self.rng
        kind = _pick(rng, _KINDS)
        code = _pick(rng, _CATEGORIES[kind])
        channel = _pick(rng, _CHANNELS)
        texts = TEXTS[code]
        title_t, narrative_t = texts[rng.randrange(len(texts))]
        place = grid.name
        values = {"place": place, "n": rng.randint(2, 30), "amount": rng.randrange(2, 300) * 100}
        town = self.city.staff[grid.town]
        district = self.city.staff[grid.district]
        if channel in GRID_CHANNELS:
            registered_area, registrar = self.area_by_id[grid.id], grid.worker
        elif channel == "hotline_12345":
            registered_area, registrar = district.area, district.intake
        else:
            registered_area, registrar = town.area, town.intake
        building = None
        if grid.buildings and rng.random() < 0.4:
            building = grid.buildings[rng.randrange(len(grid.buildings))]
        f = {
            "kind": kind,
            "channel": channel,
            "category_id": self.categories[code],
            "title": title_t.format(**values)[:200],
            "narrative": narrative_t.format(**values),
            "area_id": grid.id,
            "area_path": grid.path,
            "building_id": building,
            "household_id": None,
            "latitude": None,
            "longitude": None,
            "occurred_at": created - dt.timedelta(hours=rng.randint(1, 72)),
            "people_count": rng.choice((1, 2, 2, 2, 3, 5)),
            "amount": values["amount"] if code in ("D07", "D06", "D19", "D18") else None,
            "state": "registered",
            "grade": "",
            "risk": "",
            "urgency": Urgency.LOW,
            "handling_area_id": registered_area.pk,
            "handling_area_path": registered_area.path,
            "registered_area_id": registered_area.pk,
            "was_escalated": False,
            "current_unit_id": None,
            "current_handler_id": None,
            "lead_leader_id": None,
            "owner_id": None,
            "responsibility": "",
            "deadline": None,
            "supervision_level": "",
            "is_urgent": False,
            "feedback": "",
            "return_count": 0,
            "rework_count": 0,
            "dispatched_at": None,
            "dispatched_by_id": None,
            "sign_due_at": None,
            "warning_at": None,
            "due_at": None,
            "red_at": None,
            "extension_days": 0,
            "clock_started_at": None,
            "completed_at": None,
            "verify_warning_at": None,
            "verify_due_at": None,
            "verify_red_at": None,
            "closed_at": None,
            "registered_by_id": registrar,
            "created_at": created,
            "updated_at": created,
        }
        g = Generated(fields=f, rows={model: [] for model in MEDIATION_MODELS})
        g.case_id = self.next_id(Case)
        g.parties = self._parties(grid, kind, channel)
        g.party_ids = [self.next_id(Party) for _ in g.parties]
        g.events.append(Event(created, registrar, "register", "", "registered", "", {}))
        _Life(self, g, grid, town, district).run()
        f["updated_at"] = g.events[-1].at
        return g

    def _parties(self, grid: GridInfo, kind: str, channel: str) -> list[tuple[int, str]]:
        rng = self.rng
        if kind == "hazard" or (channel in GRID_CHANNELS and rng.random() < 0.5):
            return []
        pick = lambda: grid.people_first + rng.randrange(grid.people_count)  # noqa: E731
        parties = [(pick(), "applicant")]
        if kind == "dispute":
            other = pick()
            if other != parties[0][0]:
                parties.append((other, "respondent"))
            if rng.random() < 0.08:
                third = pick()
                if third not in (p for p, _ in parties):
                    parties.append((third, "third_party"))
        return parties


class _Life:
    """Walks one case through the state table, action by action, until "now"."""

    def __init__(self, maker: CaseMaker, g: Generated, grid: GridInfo, town, district):
        self.m, self.g, self.f, self.grid = maker, g, g.fields, grid
        self.rng = maker.rng
        self.town, self.district = town, district
        self.t = g.fields["created_at"]
        self.stopped = False
        self.mediation: Mediating | None = None

    # Helpers ---------------------------------------------------------------------------

    def centre(self) -> LevelStaff:
        """The centre that accepts, dispatches and verifies at the handling level."""
        path = self.f["handling_area_path"]
        if len(path) <= len(self.district.area.path):
            return self.m.staff_by_path.get(path, self.district)
        return self.town

    def step(self, action: Action, hours: float, actor, data=None, **change):
        """Take ``action`` ``hours`` after the previous event, unless that is after now."""
        if self.stopped:
            return False
        at = self.t + dt.timedelta(0, int(max(hours, 0.02) * HOUR))
        if at >= self.m.now:
            self.stopped = True
            return False
        state = self.f["state"]
        name = action._value_
        target = NEXT[(state, name)]  # a KeyError here is a bug in the generator
        notes = NOTES.get(name, _NO_NOTE)
        note = notes[0] if len(notes) == 1 else notes[int(self.rng.random() * len(notes))]
        self.t = at
        self.f.update(change)
        self.f["state"] = target
        self.g.events.append(Event(at, actor, name, state, target, note, data or {}))
        return True

    def annotate(self, action: str, hours: float, actor, note: str = "", data=None) -> bool:
        """An event that does not move the case (mediation's), ``hours`` after the last."""
        at = self.t + dt.timedelta(seconds=int(max(hours, 0.02) * HOUR))
        return self.annotate_at(action, at, actor, note, data)

    def annotate_at(self, action: str, at, actor, note: str = "", data=None) -> bool:
        if self.stopped:
            return False
        if at >= self.m.now:
            self.stopped = True
            return False
        if at <= self.t:
            at = self.t + dt.timedelta(seconds=1)
        state = self.f["state"]
        self.t = at
        self.g.events.append(Event(at, actor, action, state, state, note, data or {}))
        return True

    def set_handling(self, area_path: str, area_id: int):
        f = self.f
        f["handling_area_id"], f["handling_area_path"] = area_id, area_path
        registered = self.m.area_by_id[f["registered_area_id"]]
        if registered.path.startswith(area_path) and area_id != registered.pk:
            f["was_escalated"] = True

    def store_due(self):
        f = self.f
        if f["dispatched_at"] is None:
            f.update(sign_due_at=None, warning_at=None, due_at=None, red_at=None)
            return
        level = self.m.area_by_id[f["handling_area_id"]].level
        scope = self.unit_scope.get(f["current_unit_id"], "territorial")
        f.update(
            self.m.clock.due(
                dispatched_at=f["dispatched_at"],
                kind=f["kind"],
                category_id=f["category_id"],
                level=level,
                scope=scope,
                extension_days=f["extension_days"],
                started_at=f["clock_started_at"],
            )
        )

    def restart_clock(self):
        """A send-back or a reopening: a fresh handling limit from now, no extensions."""
        self.f.update(clock_started_at=self.t, extension_days=0)
        self.store_due()

    @property
    def unit_scope(self) -> dict:
        if not hasattr(self.m, "_unit_scope"):
            scopes = {}
            for s in self.m.city.staff.values():
                for unit_id, scope in s.units.values():
                    scopes[unit_id] = scope
            self.m._unit_scope = scopes
        return self.m._unit_scope

    def handler_user(self) -> int | None:
        f = self.f
        if f["current_handler_id"]:
            return f["current_handler_id"]
        return self.m.city.unit_handler.get(f["current_unit_id"])

    # The path ----------------------------------------------------------------------------

    def run(self):
        r = self.rng.random
        centre = self.centre()
        if r() < 0.03:
            self.step(A.DECLINE, self.rng.uniform(0.2, 12), centre.intake)
            return
        if not self.step(A.ACCEPT, self.rng.uniform(0.2, 8), centre.intake):
            return
        if r() < 0.015:
            self.step(A.REFER_OUT, self.rng.uniform(1, 24), centre.leader)
            return
        if not self.assess(centre):
            return
        if not self.dispatch():
            return
        self.handle()

    def assess(self, centre: LevelStaff) -> bool:
        f, rng = self.f, self.rng
        grade = _pick(rng, _GRADES)
        risk = _pick(rng, _RISKS)
        urgency = Urgency.HIGH if risk in (Risk.RED, Risk.ORANGE) else Urgency.LOW
        depth = GRADE_DEPTH[grade]
        path = f["area_path"][: depth * 5]
        area = self.m.staff_by_path.get(path)
        area_id = area.area.pk if area else f["area_id"]
        change = {"grade": grade, "risk": risk, "urgency": urgency}
        town = self.town
        if risk == Risk.RED:
            change["lead_leader_id"] = town.leader
        if grade == Grade.HARD:
            change.update(
                owner_id=town.mediator,
                responsibility="包案化解，按期反馈",
                deadline=(self.t + dt.timedelta(days=30)).date(),
            )
        data = {"grade": grade, "risk": risk, "urgency": urgency}
        if not self.step(A.ASSESS, rng.uniform(0.5, 20), centre.intake, data=data, **change):
            return False
        self.set_handling(path, area_id)
        return True

    def target(self) -> tuple[int | None, int | None]:
        """(unit, handler) at the handling level, as a dispatcher would choose."""
        f, rng, grid = self.f, self.rng, self.grid
        depth = len(f["handling_area_path"]) // 5
        if depth == 5:
            if f["grade"] == Grade.MICRO and grid.property_unit and rng.random() < 0.7:
                return grid.property_unit, None
            return None, grid.worker
        staff = self.m.staff_by_path[f["handling_area_path"]]
        if depth == 4:
            if rng.random() < 0.7:
                return None, staff.mediator
            return self.town.units[UnitKind.JUDICIAL_OFFICE][0], None
        roll = rng.random()
        if roll < 0.4 or not staff.units:
            return None, staff.mediator
        kinds = list(staff.units)
        return staff.units[kinds[rng.randrange(len(kinds))]][0], None

    def dispatch(self, action: Action = A.DISPATCH) -> bool:
        unit, handler = self.target()
        centre = self.centre()
        ok = self.step(
            action,
            self.rng.uniform(0.2, 6),
            centre.intake,
            data={"unit": unit, "handler": handler},
            current_unit_id=unit,
            current_handler_id=handler,
        )
        if ok:
            f = self.f
            f.update(
                dispatched_at=self.t,
                dispatched_by_id=centre.intake,
                clock_started_at=self.t,
                extension_days=0,
            )
            self.store_due()
        return ok

    def sign_for(self) -> bool:
        r = self.rng.random
        while True:
            if r() < 0.04 and self.f["return_count"] < 3:
                ok = self.step(
                    A.RETURN,
                    self.rng.uniform(0.5, 10),
                    self.handler_user(),
                    data={"basis": "《职责清单》"},
                    return_count=self.f["return_count"] + 1,
                )
                if not ok:
                    return False
                if r() < 0.5:
                    if not self.step(
                        A.OVERRULE_RETURN, self.rng.uniform(0.5, 8), self.centre().intake
                    ):
                        return False
                elif not self.dispatch():
                    return False
                continue
            return self.step(A.SIGN_FOR, self.rng.uniform(0.1, 16), self.handler_user())

    def handle(self):
        f, rng = self.f, self.rng
        r = rng.random
        if not self.sign_for():
            return
        if r() < 0.03:  # beyond this level: up one level, dispatched again there
            parent = f["handling_area_path"][:-5]
            staff = self.m.staff_by_path[parent]
            if not self.step(A.ESCALATE, rng.uniform(1, 24), self.handler_user()):
                return
            self.set_handling(parent, staff.area.pk)
            f.update(
                current_unit_id=None,
                current_handler_id=None,
                dispatched_at=None,
                clock_started_at=None,
            )
            self.store_due()
            if not self.dispatch() or not self.sign_for():
                return
        if not self.step(A.START_HANDLING, rng.uniform(0.1, 6), self.handler_user()):
            return
        long_case = r() < 0.01
        if (r() < 0.06 or long_case) and not self.extension():
            return
        if r() < 0.04 or long_case:
            level = rng.choice(list(SupervisionLevel))
            town = self.town
            if not self.step(
                A.SUPERVISE,
                rng.uniform(1, 24),
                town.leader,
                data={"level": level},
                supervision_level=level,
            ):
                return
            self.g.supervisions.append((level, "请加快办理进度。", town.leader, self.t))
        if long_case and not self.step(
            A.MARK_URGENT, rng.uniform(1, 8), self.town.leader, is_urgent=True, urgency=Urgency.HIGH
        ):
            return
        if not self.mediate():
            return
        if r() < 0.01:
            self.step(A.SHELVE, rng.uniform(24, 240), self.centre().intake)
            return
        if r() < 0.01:
            self.step(A.REFER_OUT, rng.uniform(24, 240), self.centre().intake)
            return
        rounds = 0
        while True:
            if not self.complete():
                return
            if (r() < 0.04 or (long_case and rounds < 2)) and rounds < 3:
                rounds += 1
                ok = self.step(
                    A.SEND_BACK,
                    rng.uniform(2, 30),
                    self.centre().intake,
                    rework_count=f["rework_count"] + 1,
                )
                if not ok:
                    return
                self.restart_clock()
                if not self.step(A.START_HANDLING, rng.uniform(0.5, 12), self.handler_user()):
                    return
                continue
            break
        self.close()

    def extension(self) -> bool:
        f, rng = self.f, self.rng
        due = f["due_at"]
        if due is None or due <= self.t:
            return True
        hours = (due - self.t).total_seconds() / HOUR * rng.uniform(0.1, 0.8)
        days = rng.choice((3, 5, 10))
        if not self.step(A.REQUEST_EXTENSION, hours, self.handler_user(), data={"days": days}):
            return False
        requested_at, by = self.t, self.handler_user()
        approve = rng.random() < 0.8
        action = A.APPROVE_EXTENSION if approve else A.REFUSE_EXTENSION
        leader = self.town.leader
        note = "同意延期。" if approve else "理由不充分，请按期办结。"
        decided = self.step(action, rng.uniform(1, 20), leader)
        if not decided:
            self.g.extensions.append(
                (days, "需等待鉴定结果，申请延期。", "requested", by, requested_at, None, None, "")
            )
            return False
        status = "approved" if approve else "refused"
        self.g.extensions.append(
            (days, "需等待鉴定结果，申请延期。", status, by, requested_at, leader, self.t, note)
        )
        if approve:
            f["extension_days"] += days
            self.store_due()
        return True

    def complete(self) -> bool:
        f, rng = self.f, self.rng
        due = f["due_at"]
        roll = rng.random()
        if due is not None and roll < 0.85:
            hours = max((due - self.t).total_seconds() / HOUR * rng.uniform(0.1, 0.95), 0.2)
        else:
            hours = rng.uniform(4, 24 * 12)
        notes = NOTES["complete"]
        feedback = notes[rng.randrange(len(notes))]
        return (
            self.step(A.COMPLETE, hours, self.handler_user(), feedback=feedback, completed_at=None)
            and self._completed()
        )

    def _completed(self) -> bool:
        f = self.f
        f["completed_at"] = self.t
        scope = self.unit_scope.get(f["current_unit_id"], "territorial")
        f.update(
            self.m.clock.verify_due(
                completed_at=self.t,
                kind=f["kind"],
                category_id=f["category_id"],
                level=self.m.area_by_id[f["handling_area_id"]].level,
                scope=scope,
            )
        )
        if self.mediation is not None:
            self.mediation.book_revisits(self.t, self.handler_user())
        return True

    def mediate(self) -> bool:
        """Most disputes between two parties are mediated while handled: by the handler
        when a mediator handles it, else by the town's (or community's) mediator."""
        f, g = self.f, self.g
        roles = {role for _, role in g.parties}
        if not self.m.mediates or f["kind"] != "dispute":
            return True
        if not {"applicant", "respondent"} <= roles:
            return True
        if self.rng.random() >= 0.7:
            return True
        handler = f["current_handler_id"]
        if handler in self.m.mediators:
            mediator = handler
        else:
            community = self.m.city.staff.get(self.grid.community)
            mediator = community.mediator if community and self.rng.random() < 0.5 else None
            mediator = mediator or self.town.mediator
        self.mediation = Mediating(self, mediator)
        if not self.mediation.run():
            return False
        if self.mediation.row[4] == "failed" and self.rng.random() < 0.4:
            self.step(A.REFER_OUT, self.rng.uniform(2, 72), self.centre().intake)
            return False
        return True

    def close(self):
        rng = self.rng
        centre = self.centre()
        if not self.step(A.VERIFY, rng.uniform(1, 30), centre.intake):
            return
        if self.mediation is not None:
            # The close guard: every revisit done (or waived) before the case closes.
            if self.mediation.do_revisits():
                self.step(A.CLOSE, rng.uniform(1, 72), centre.intake) and self._closed()
            return
        if rng.random() < 0.5:
            if not self.step(A.REVISIT, rng.uniform(2, 72), centre.intake):
                return
            if rng.random() < 0.02:
                if self.step(A.REOPEN, rng.uniform(24, 96), centre.intake, closed_at=None):
                    self.restart_clock()
                    self.complete() and self.step(A.VERIFY, rng.uniform(1, 30), centre.intake)
                    if not self.stopped:
                        self.step(A.CLOSE, rng.uniform(1, 48), centre.intake) and self._closed()
                return
        self.step(A.CLOSE, rng.uniform(1, 72), centre.intake) and self._closed()

    def _closed(self) -> bool:
        self.f["closed_at"] = self.t
        return True
