"""``index_case(case, names=…)``: the caller's party names give the same search text,
byte for byte, as the parties read back, and nothing is read."""

from fengqiao.search import index
from fengqiao.search.models import CaseSearch
from tests.cases.builders import party, register


def test_given_names_write_the_text_the_parties_give(world, django_assert_num_queries):
    # Given a case whose parties were written in this order (a person named twice stays
    # one party, in the first place given)
    case = register(
        world.intake,
        world.grid1,
        parties=[
            party(name="王五", id_number="110101199003074514"),
            party(role="respondent", name="李四"),
            party(role="third_party", name="王五", id_number="110101199003074514"),
            party(role="third_party", name="赵六"),
        ],
    )
    read_back = index.text_of(case)
    CaseSearch.objects.filter(case=case).delete()

    # When the row is written with the names in the order the parties were written
    with django_assert_num_queries(1):
        row = index.index_case(case, new=True, names=["王五", "李四", "赵六"])

    # Then it is the text read from the parties, and one INSERT wrote it
    assert row.text == read_back
    assert CaseSearch.objects.get(case=case).text.encode() == read_back.encode()
    assert read_back.endswith("\n王五 李四 赵六")


def test_without_names_the_parties_are_read_in_the_order_written(world):
    case = register(
        world.intake,
        world.grid1,
        parties=[party(name="钱七"), party(role="respondent", name="孙八")],
    )

    assert index.text_of(case) == "\n".join([case.number, case.title, case.narrative, "钱七 孙八"])
    assert CaseSearch.objects.get(case=case).text == index.text_of(case)


def test_registration_indexes_the_stored_names_not_the_typed_ones(world):
    # Given a person already registered as 王五
    register(
        world.intake, world.grid1, parties=[party(name="王五", id_number="110101199003074514")]
    )

    # When a new case names them by ID number under another spelling, twice, beside a new
    # person
    case = register(
        world.intake,
        world.grid1,
        parties=[
            party(name="王 五（父）", id_number="110101199003074514"),
            party(role="respondent", name="李四"),
            party(role="third_party", name="王五", id_number="110101199003074514"),
        ],
    )

    # Then its search row is what reading the parties back gives: the stored name, once
    assert CaseSearch.objects.get(case=case).text == index.text_of(case)
    assert index.text_of(case).endswith("\n王五 李四")
