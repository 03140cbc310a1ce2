"""The mediation of a generated dispute, as ``mediation.actions`` would have written it:
the mediator and committee, sessions and their records, the agreement with its clauses,
parties and signatures (or the failure and the routes told), and the revisits booked at
completion — the day after and at each clause's deadline — done before the case closes.

Rows are lists in the column order of the ``*_FIELDS`` below, with primary keys drawn
from the seed's counters, so that events and rows can name each other.
"""

import datetime as dt

from fengqiao.mediation.models import (
    Agreement,
    AgreementParty,
    Clause,
    Mediation,
    MediationSession,
    Revisit,
    SessionRecord,
)
from fengqiao.units.models import UnitKind

from .city import resident_address
from .texts import MEDIATION as T
from .texts import MEDIATION_PLACES

MEDIATION_FIELDS = ["id", "case_id", "mediator_id", "committee_id", "status", "started_at"]
MEDIATION_FIELDS += ["extended_until", "consent_note", "failure_reason", "routes_told"]
MEDIATION_FIELDS += ["created_by_id"]
SESSION_FIELDS = ["id", "mediation_id", "number", "scheduled_at", "place_kind", "place"]
SESSION_FIELDS += ["participants", "attendance", "status", "status_note", "created_by_id"]
RECORD_FIELDS = ["id", "session_id", "is_simple", "matter", "rights_notice_given"]
RECORD_FIELDS += ["applicant_statement", "respondent_statement", "verification", "risk_notice"]
RECORD_FIELDS += ["outcome", "recorder_id", "recorded_at"]
AGREEMENT_FIELDS = ["id", "mediation_id", "number", "is_oral", "status", "facts"]
AGREEMENT_FIELDS += ["disputed_matters", "responsibilities", "oral_content"]
AGREEMENT_FIELDS += ["mediator_signed_at", "sealed_at", "effective_at", "created_by_id"]
AGREEMENT_FIELDS += ["created_at"]
AGREEMENT_PARTY_FIELDS = ["id", "agreement_id", "party_id", "name", "role", "sex", "ethnicity"]
AGREEMENT_PARTY_FIELDS += ["id_number", "address", "phone", "signed_at", "sign_method"]
CLAUSE_FIELDS = ["id", "agreement_id", "number", "content", "performance_way", "deadline"]
REVISIT_FIELDS = ["id", "case_id", "agreement_id", "clause_id", "kind", "due_on", "owner_id"]
REVISIT_FIELDS += ["status", "done_at", "done_by_id", "method", "contacted", "performance"]
REVISIT_FIELDS += ["satisfaction", "dissatisfaction_reason", "within_duty", "has_sued"]
REVISIT_FIELDS += ["flare_up_risk", "measures", "note", "reopened"]

TABLES = [
    (Mediation, MEDIATION_FIELDS),
    (MediationSession, SESSION_FIELDS),
    (SessionRecord, RECORD_FIELDS),
    (Agreement, AGREEMENT_FIELDS),
    (AgreementParty, AGREEMENT_PARTY_FIELDS),
    (Clause, CLAUSE_FIELDS),
    (Revisit, REVISIT_FIELDS),
]
MODELS = [m for m, _ in TABLES]

SEX_LABEL = {"male": "男", "female": "女"}
PLACE_LABEL = {"room": "调解室", "home": "上门调解", "field": "田间调解", "van": "流动调解车"}
METHOD_LABEL = {"phone": "电话回访", "visit": "上门回访"}
SATISFACTION_LABEL = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
PERFORMANCE_LABEL = {"performed": "已履行", "not_due": "未到期"}
ROUTES = {"litigation": "诉讼", "arbitration": "仲裁", "administrative": "行政途径"}
SESSION_STATUS, REVISIT_STATUS = 8, 7  # column indexes of the rows' status
MILLISECOND = dt.timedelta(milliseconds=1)


def _local(at: dt.datetime, tz) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


class Mediating:
    """One case's mediation while its life is walked (see ``cases._Life``)."""

    def __init__(self, life, mediator: int):
        self.life, self.m = life, life.m
        self.mediator = mediator
        self.rows = life.g.rows  # model → list of rows
        self.id = self.m.next_id(Mediation)
        committee = life.town.units.get(UnitKind.MEDIATION_COMMITTEE)
        self.committee = committee[0] if committee and life.rng.random() < 0.9 else None
        self.row = [self.id, life.g.case_id, mediator, self.committee, "open", None, None, ""]
        self.row += ["", [], life.centre().intake]
        self.sessions: list[list] = []
        self.agreement: list | None = None
        self.clauses: list[list] = []
        self.revisits: list[list] = []

    # The mediation, up to its outcome --------------------------------------------------

    def run(self) -> bool:
        """Assign, hold sessions, reach an agreement or fail; False when cut at now (or
        when the failed mediation ended the case's handling)."""
        life, rng = self.life, self.life.rng
        names = self.m.names.get(self.mediator, "")
        committee_name = self.m.names.get(("unit", self.committee), "")
        note = f"调解员：{names}" + (f"；{committee_name}" if self.committee else "")
        actor = life.centre().intake
        data = {"mediator": self.mediator, "panel": []}
        if not life.annotate("med_assign", rng.uniform(0.5, 24), actor, note, data):
            return False
        self.row[5] = life.t
        self.rows[Mediation].append(self.row)
        rounds = 1 if rng.random() < 0.7 else 2
        for n in range(rounds):
            last = n == rounds - 1
            if not self.session(last):
                return False
        if rng.random() < 0.15:
            return self.fail()
        return self.agree()

    def session(self, last: bool) -> bool:
        life, rng = self.life, self.life.rng
        kind, place = MEDIATION_PLACES[rng.randrange(len(MEDIATION_PLACES))]
        if not self._schedule(kind, place, rng.uniform(1, 24)):
            return False
        session = self.sessions[-1]
        roll = rng.random()
        if roll < 0.05:  # postponed before it was held, another date set
            at = life.t + (session[3] - life.t) * rng.uniform(0.2, 0.8)
            new_at = session[3] + dt.timedelta(days=rng.randint(1, 4))
            new = self._session_row(kind, place, new_at)
            when = _local(new_at, self.m.clock.tz)
            data = {"session": session[0], "new_session": new[0]}
            note = f"第{session[2]}次调解延期至 {when}：{T['postpone']}"
            if not life.annotate_at("med_postpone", at, self.mediator, note, data):
                return False
            session[SESSION_STATUS], session[9] = "postponed", T["postpone"]
            self.sessions.append(new)
            self.rows[MediationSession].append(new)
            session = new
        elif roll < 0.1:  # nobody came: recorded, and a new session is scheduled
            at = session[3] + dt.timedelta(hours=1)
            note = f"第{session[2]}次调解：{T['no_show']}"
            if not life.annotate_at("med_no_show", at, self.mediator, note, {}):
                return False
            session[SESSION_STATUS], session[9] = "no_show", T["no_show"]
            if not self._schedule(kind, place, rng.uniform(1, 24)):
                return False
            session = self.sessions[-1]
        return self._record(session, last)

    def _session_row(self, kind: str, place: str, at: dt.datetime) -> list:
        life = self.life
        participants = "、".join(self.m.residents.name(r) for r, _ in life.g.parties)
        return [
            self.m.next_id(MediationSession), self.id, len(self.sessions) + 1, at, kind, place,
            participants, {}, "scheduled", "", self.mediator,
        ]  # fmt: skip

    def _schedule(self, kind: str, place: str, hours: float) -> bool:
        life, rng = self.life, self.life.rng
        at = life.t + dt.timedelta(hours=hours)
        scheduled = (at + dt.timedelta(hours=rng.uniform(2, 72))).replace(
            minute=0, second=0, microsecond=0
        )
        row = self._session_row(kind, place, scheduled)
        when = _local(scheduled, self.m.clock.tz)
        note = f"第{row[2]}次调解：{when}，{PLACE_LABEL[kind]}·{place}"
        if not life.annotate_at("med_session", at, self.mediator, note, {"session": row[0]}):
            return False
        self.sessions.append(row)
        self.rows[MediationSession].append(row)
        return True

    def _record(self, session: list, last: bool) -> bool:
        life, rng = self.life, self.life.rng
        at = max(session[3], life.t) + dt.timedelta(hours=rng.uniform(1, 3))
        simple = life.f["grade"] == "micro" and rng.random() < 0.5
        pick = lambda key: T[key][rng.randrange(len(T[key]))]  # noqa: E731
        outcome = pick("outcome_success" if last else "outcome_more")
        note = f"第{session[2]}次调解笔录：{outcome[:200]}"
        data = {"session": session[0], "simple": simple}
        if not life.annotate_at("med_record", at, self.mediator, note, data):
            return False
        session[7] = {str(p): True for p in life.g.party_ids}
        session[SESSION_STATUS] = "held"
        matter = T["matter"].format(title=life.f["title"])
        full = not simple
        self.rows[SessionRecord].append(
            [
                self.m.next_id(SessionRecord), session[0], simple, matter, full,
                pick("applicant") if full else "", pick("respondent") if full else "",
                pick("verification") if full else "", T["risk_notice"] if full else "",
                outcome, self.mediator, at,
            ]
        )  # fmt: skip
        return True

    def fail(self) -> bool:
        life, rng = self.life, self.life.rng
        reason = T["failure"][rng.randrange(len(T["failure"]))]
        routes = ["litigation"] if rng.random() < 0.7 else ["litigation", "administrative"]
        told = "、".join(ROUTES[r] for r in routes)
        note = f"{reason}（已告知：{told}）"
        if not life.annotate("med_failed", rng.uniform(1, 48), self.mediator, note, {}):
            return False
        life.g.events[-1].data = {"routes": routes}
        self.row[4], self.row[8], self.row[9] = "failed", reason, routes
        return True

    def agree(self) -> bool:
        """Draft, sign and make effective an agreement (oral for small matters)."""
        life, rng = self.life, self.life.rng
        f, tz = life.f, self.m.clock.tz
        oral = self.committee is None or (f["grade"] == "micro" and rng.random() < 0.4)
        agreement_id = self.m.next_id(Agreement)
        amount = f["amount"] or rng.randrange(5, 100) * 100
        count = 1 if oral else rng.choice((1, 2, 2, 3))
        picked = rng.sample(range(len(T["clauses"])), count)
        if not life.annotate("agr_draft", rng.uniform(0.2, 4), self.mediator, "", {}):
            return False
        drafted = life.t
        day = drafted.astimezone(tz).date()
        clauses = []
        for number, k in enumerate(picked, start=1):
            content, way = T["clauses"][k]
            deadline = day + dt.timedelta(days=rng.choice((0, 3, 7, 15, 30)))
            clauses.append(
                [self.m.next_id(Clause), agreement_id, number, content.format(amount=amount)]
                + [way, deadline]
            )
        kind = "口头协议" if oral else "调解协议书"
        event = life.g.events[-1]
        event.note = f"{kind}（第1份）已起草，共 {len(clauses)} 条"
        event.data = {"agreement": agreement_id}
        narrative = f["narrative"]
        row = [
            agreement_id, self.id, 1, oral, "draft",
            "" if oral else T["facts"].format(title=f["title"], narrative=narrative),
            "" if oral else T["disputed"], "" if oral else T["responsibilities"],
            T["oral"].format(clause=clauses[0][3]) if oral else "",
            None, None, None, self.mediator, drafted,
        ]  # fmt: skip
        parties = self._agreement_parties(agreement_id)
        signers = [] if oral else [(p, str(p[2])) for p in parties]
        signers.append((None, "mediator"))
        if not oral:
            signers.append((None, "seal"))
        for party, signer in signers:
            if not life.annotate("agr_sign", rng.uniform(0.02, 0.3), self.mediator, "", {}):
                self._keep(row, parties, clauses)
                return False
            event = life.g.events[-1]
            event.data = {"agreement": agreement_id, "signer": signer}
            if party is not None:
                party[10], party[11] = life.t, "signature" if rng.random() < 0.8 else "fingerprint"
                event.note = f"{party[3]}签名" if party[11] == "signature" else f"{party[3]}按指印"
            elif signer == "mediator":
                row[9] = life.t
                event.note = f"调解员{self.m.names.get(self.mediator, '')}签名"
            else:
                row[10] = life.t
                event.note = f"{self.m.names.get(('unit', self.committee), '')}盖章"
        note = "第1份协议生效，办结后安排回访"
        data = {"agreement": agreement_id, "superseded": []}
        if not life.annotate("agr_effective", rng.uniform(0.02, 1), self.mediator, note, data):
            self._keep(row, parties, clauses)
            return False
        row[4], row[11] = "effective", life.t
        self.row[4] = "succeeded"
        self._keep(row, parties, clauses)
        self.agreement, self.clauses = row, clauses
        return True

    def _agreement_parties(self, agreement_id: int) -> list[list]:
        """The case's parties as the draft copies them, in (role, pk) order."""
        life, m = self.life, self.m
        residents, grid = m.residents, life.grid
        district = m.district_code[grid.district]
        rows = []
        pairs = sorted(zip(life.g.parties, life.g.party_ids, strict=True), key=lambda p: p[0][1])
        for (resident, role), party_id in pairs:
            rows.append(
                [
                    m.next_id(AgreementParty), agreement_id, party_id, residents.name(resident),
                    role, SEX_LABEL.get(residents.sex(resident), ""),
                    residents.ethnicity(resident), residents.id_number(resident, district),
                    resident_address(grid, resident),
                    residents.phone(resident) if residents.is_adult(resident) else "",
                    None, "",
                ]
            )  # fmt: skip
        return rows

    def _keep(self, row, parties, clauses) -> None:
        self.rows[Agreement].append(row)
        self.rows[AgreementParty].extend(parties)
        self.rows[Clause].extend(clauses)

    # Completion and revisits -----------------------------------------------------------

    def book_revisits(self, at: dt.datetime, actor) -> None:
        """At completion (the cases completion hook): cancel what is left of an earlier
        round, then the day after and each clause's deadline, for the mediator; the
        event goes just before the completion's own."""
        for revisit in self.revisits:
            if revisit[REVISIT_STATUS] == "due":
                revisit[REVISIT_STATUS] = "cancelled"
        tomorrow = at.astimezone(self.m.clock.tz).date() + dt.timedelta(days=1)
        agreement = self.agreement[0] if self.agreement else None
        new = [self._revisit(agreement, None, "next_day", tomorrow)]
        for clause in self.clauses:
            new.append(self._revisit(agreement, clause[0], "clause", max(clause[5], tomorrow)))
        self.revisits += new
        self.rows[Revisit].extend(new)
        dates = "、".join(sorted({r[5].isoformat() for r in new}))
        life = self.life
        # The hook runs inside the completion, before the case moves: its event carries
        # the state before, and the completion's own event follows it.
        complete = life.g.events[-1]
        state = complete.from_state
        planned = type(complete)(at, actor, "revisits_planned", state, state, "", {})
        planned.note, planned.data = f"安排回访：{dates}", {"revisits": len(new)}
        life.g.events.insert(-1, planned)
        complete.at = at + MILLISECOND
        life.t = complete.at

    def _revisit(self, agreement, clause, kind: str, due_on: dt.date) -> list:
        return [
            self.m.next_id(Revisit), self.life.g.case_id, agreement, clause, kind, due_on,
            self.mediator, "due", None, None, "", "", {}, "", "", False, False, "", "", "",
            False,
        ]  # fmt: skip

    def do_revisits(self) -> bool:
        """Every open revisit, on its day (not before verification): the mediator calls
        or visits; the first one moves a verified case into revisiting when the mediator
        handles the case. False when cut at now."""
        life, rng, tz = self.life, self.life.rng, self.m.clock.tz
        due = sorted((r for r in self.revisits if r[REVISIT_STATUS] == "due"), key=lambda r: r[5])
        for revisit in due:
            on_day = dt.datetime.combine(revisit[5], dt.time(9), tzinfo=tz)
            at = on_day + dt.timedelta(seconds=rng.randrange(8 * 3600))
            if at <= life.t:
                at = life.t + dt.timedelta(hours=rng.uniform(0.5, 4))
            if at >= self.m.now:
                life.stopped = True
                return False
            self._found(revisit, at)
            if not life.annotate_at(
                "revisit_done", at, self.mediator, self._summary(revisit), {"revisit": revisit[0]}
            ):
                return False
            revisit[REVISIT_STATUS], revisit[8], revisit[9] = "done", at, self.mediator
            handler = life.f["current_handler_id"] == self.mediator
            if life.f["state"] == "verified" and handler:
                from fengqiao.cases.states import Action

                if not life.step(Action.REVISIT, 0.02, self.mediator):
                    return False
                life.g.events[-1].note = "开始回访"
        return True

    def _found(self, revisit: list, at: dt.datetime) -> None:
        rng = self.life.rng
        day = at.astimezone(self.m.clock.tz).date()
        revisit[10] = "phone" if revisit[4] == "next_day" or rng.random() < 0.6 else "visit"
        revisit[11] = T["contacted"]
        if revisit[2] is not None:
            revisit[12] = {
                str(c[0]): "performed" if c[5] <= day else "not_due" for c in self.clauses
            }
        roll = rng.random()
        revisit[13] = "satisfied" if roll < 0.85 else "basic" if roll < 0.97 else "dissatisfied"
        if revisit[13] == "dissatisfied":
            revisit[14] = T["dissatisfied"]
        revisit[17] = "none" if rng.random() < 0.9 else "low"

    def _summary(self, revisit: list) -> str:
        """As ``mediation.queries.revisit_summary`` writes it."""
        parts = [METHOD_LABEL[revisit[10]], SATISFACTION_LABEL[revisit[13]]]
        numbers = {str(c[0]): c[2] for c in self.clauses}
        for pk, value in sorted(revisit[12].items(), key=lambda kv: numbers.get(kv[0], 0)):
            parts.append(f"第{numbers.get(pk, '?')}条{PERFORMANCE_LABEL[value]}")
        if revisit[14]:
            parts.append(f"不满意原因：{revisit[14]}")
        return "；".join(parts)
