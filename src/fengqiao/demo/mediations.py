"""Mediation records for the demo's closed disputes: who mediated, the written or oral
agreement with its clause, and the revisit its mediator owes (谁调解、谁负责).

The mediator is whoever completed the case; the committee is the town's 人民调解委员会.
A revisit whose clause deadline has passed is done (mostly performed and satisfied);
a later one is still due, so the mediators' revisit lists are not empty.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from fengqiao.mediation.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    Clause,
    Mediation,
    MediationStatus,
    Revisit,
    RevisitKind,
    RevisitMethod,
    RevisitStatus,
    SignMethod,
)
from fengqiao.people.models import Person
from fengqiao.units.models import Unit, UnitKind

from . import city

if TYPE_CHECKING:
    from .cases import DemoCases

CLAUSES = [
    ("被申请人于{days}日内赔偿申请人损失{amount}元。", "现金或转账支付"),
    ("双方按原界址恢复边界，被申请人拆除越界围栏。", "双方到场，村委会见证"),
    ("双方互谅互让，今后友好相处，不再就此事发生争执。", "自觉履行"),
    ("被申请人于{days}日内完成维修，费用由被申请人承担。", "自行维修，网格员见证"),
]
SATISFACTION = ["satisfied"] * 14 + ["basic"] * 5 + ["dissatisfied"]


def add_mediations(demo: "DemoCases") -> int:
    """Mediations, agreements, clauses and revisits for the closed disputes."""
    rng, today = demo.rng, timezone.localdate()
    committees = {u.area_path: u.pk for u in Unit.objects.filter(kind=UnitKind.MEDIATION_COMMITTEE)}
    closed = [
        w
        for w in demo.written
        if w[2].fields["state"] == "closed" and w[2].fields["kind"] == "dispute" and w[3]
    ]
    people = Person.objects.in_bulk([p for w in closed for _pk, p, _r in w[3]])
    mediations, plans = [], []
    for case_id, _number, g, _parties in closed:
        f = g.fields
        done = next(e for e in reversed(g.events) if e.action == "complete")
        started = next(e for e in g.events if e.action in ("sign_for", "start_handling"))
        succeeded = rng.random() < 0.95
        mediator = done.actor or demo.city.staff[demo.city.areas[f["area_id"]].pk].mediator
        mediations.append(
            Mediation(
                case_id=case_id,
                mediator_id=mediator,
                committee_id=committees.get(f["area_path"][: 3 * 5]),
                status=MediationStatus.SUCCEEDED if succeeded else MediationStatus.FAILED,
                started_at=started.at,
                failure_reason="" if succeeded else "双方分歧较大，已告知可向人民法院起诉。",
                created_by_id=mediator,
            )
        )
        plans.append((succeeded, done.at, mediator))
    Mediation.objects.bulk_create(mediations, batch_size=city.BATCH)

    agreements, parties_of = [], []
    for m, (succeeded, at, mediator), w in zip(mediations, plans, closed, strict=True):
        if not succeeded:
            continue
        g = w[2]
        is_oral = rng.random() < 0.3
        agreements.append(
            Agreement(
                mediation=m,
                number=1,
                is_oral=is_oral,
                status=AgreementStatus.EFFECTIVE,
                facts=g.fields["narrative"],
                disputed_matters=g.fields["title"],
                oral_content="双方当场达成一致，口头协议内容记录在卷。" if is_oral else "",
                mediator_signed_at=at,
                sealed_at=None if is_oral else at,
                effective_at=at,
                created_by_id=mediator,
            )
        )
        parties_of.append(w[3])
    Agreement.objects.bulk_create(agreements, batch_size=city.BATCH)

    signers, clauses = [], []
    for a, parties in zip(agreements, parties_of, strict=True):
        for party_id, person_id, role in parties:
            p = people[person_id]
            signers.append(
                AgreementParty(
                    agreement=a,
                    party_id=party_id,
                    name=p.name,
                    role=role,
                    sex=p.sex,
                    ethnicity=p.ethnicity,
                    id_number=p.id_number,
                    address=p.address,
                    phone=p.phone,
                    signed_at=a.effective_at,
                    sign_method=SignMethod.SIGNATURE,
                )
            )
        text, way = CLAUSES[rng.randrange(len(CLAUSES))]
        days = rng.choice((7, 10, 15, 30))
        amount = rng.randrange(5, 200) * 100
        clauses.append(
            Clause(
                agreement=a,
                number=1,
                content=text.format(days=days, amount=amount),
                performance_way=way,
                deadline=timezone.localtime(a.effective_at).date() + dt.timedelta(days=days),
            )
        )
    AgreementParty.objects.bulk_create(signers, batch_size=city.BATCH)
    Clause.objects.bulk_create(clauses, batch_size=city.BATCH)

    revisits = []
    tz = timezone.get_current_timezone()
    for a, c, m in zip(agreements, clauses, (a.mediation for a in agreements), strict=True):
        revisit = Revisit(
            case_id=m.case_id,
            agreement=a,
            clause=c,
            kind=RevisitKind.CLAUSE_DEADLINE,
            due_on=c.deadline,
            owner_id=m.mediator_id,
        )
        if c.deadline < today:
            performed = rng.random() < 0.96
            revisit.status = RevisitStatus.DONE
            revisit.done_at = dt.datetime.combine(c.deadline, dt.time(10), tzinfo=tz)
            revisit.done_by_id = m.mediator_id
            revisit.method = rng.choice((RevisitMethod.PHONE, RevisitMethod.VISIT))
            revisit.contacted = "双方当事人"
            revisit.performance = {str(c.pk): "performed" if performed else "not_performed"}
            revisit.satisfaction = SATISFACTION[rng.randrange(len(SATISFACTION))]
        revisits.append(revisit)
    Revisit.objects.bulk_create(revisits, batch_size=city.BATCH)
    return len(mediations)
