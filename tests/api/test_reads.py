"""Read endpoints: entries, importers, cases (the queue), reference data. Public identifiers only."""

import datetime as dt
import json
import re

import pytest

from cee_portal.legal_time import legal_today
from importers.models import Entry
from tests.api.helpers import V1, file_protest, make_world, recently_liquidated, unliquidated
from tests.factories import EntryFactory, EntryLineFactory, center

pytestmark = pytest.mark.django_db


def test_anonymous_is_refused_401_everywhere_it_reads():
    from rest_framework.test import APIClient

    for path in ["/cases/", "/entries/", "/importers/", "/centers/", "/ports/", "/hts-rules/"]:
        response = APIClient().get(V1 + path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


def test_entry_list_filters_by_number_prefix_importer_port_dates_and_liquidation_status():
    world = make_world()
    old = recently_liquidated(world.importer, days_ago=40)
    open_ = unliquidated(world.importer)
    theirs = unliquidated(world.other)
    staff = world.staff_client()

    def numbers(**params):
        response = staff.get(f"{V1}/entries/", params)
        assert response.status_code == 200, response.json()
        return {row["entry_number"] for row in response.json()["results"]}

    assert {old.entry_number, open_.entry_number, theirs.entry_number} <= numbers()
    assert numbers(number=old.entry_number[:10]) == {old.entry_number}
    formatted = f"{old.entry_number[:3]}-{old.entry_number[3:10]}"
    assert numbers(number=formatted) == {old.entry_number}  # dashes ignored
    assert numbers(importer=world.importer.ior_number) == {old.entry_number, open_.entry_number}
    assert numbers(liquidation_status="liquidated", importer=world.importer.ior_number) == {old.entry_number}
    day = open_.entry_date
    assert open_.entry_number in numbers(entry_date_from=day, entry_date_to=day)
    assert open_.entry_number not in numbers(entry_date_from=day + dt.timedelta(days=1))
    assert open_.entry_number not in numbers(entry_date_to=day - dt.timedelta(days=1))
    assert numbers(port="9999") == set()


def test_entry_list_refuses_bad_filters_on_their_field():
    world = make_world()
    staff = world.staff_client()
    for params, field in [
        ({"liquidation_status": "paid"}, "liquidation_status"),
        ({"importer": "not an ior"}, "importer"),
        ({"number": "ABC-123-$"}, "number"),
        ({"entry_date_from": "2026-02-01", "entry_date_to": "2026-01-31"}, "entry_date_to"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
    ]:
        response = staff.get(f"{V1}/entries/", params)
        assert response.status_code == 400, params
        assert response.json()["field"] == field, response.json()


def test_entry_list_pages_with_a_cursor_without_repeats_or_gaps():
    world = make_world()
    made = sorted(EntryFactory(importer=world.importer).entry_number for _ in range(5))
    staff, seen, cursor = world.staff_client(), [], None
    while True:
        params = {
            "importer": world.importer.ior_number,
            "page_size": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        body = staff.get(f"{V1}/entries/", params).json()
        seen += [row["entry_number"] for row in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made


def test_entry_detail_shows_lines_with_their_center_and_no_database_ids():
    world = make_world()
    entry = unliquidated(world.importer)
    # The ingest stores each line's Center as the resolver answers it.
    EntryLineFactory(entry=entry, line_number=1, hts_number="8471300100", center=center("CEE010"))
    response = world.filer_client().get(f"{V1}/entries/{entry.formatted_number}/")
    body = response.json()
    assert response.status_code == 200
    assert body["entry_number"] == entry.entry_number and body["importer"] == world.importer.ior_number
    assert body["lines"][0]["hts_number"] == "8471300100" and body["lines"][0]["center"] == "CEE010"
    assert '"id"' not in json.dumps(body)


def test_importer_list_is_the_accounts_the_caller_may_see():
    world = make_world()
    assert [r["ior_number"] for r in world.filer_client().get(f"{V1}/importers/").json()["results"]] == [
        world.importer.ior_number
    ]
    staff = {
        r["ior_number"] for r in world.staff_client().get(f"{V1}/importers/?page_size=200").json()["results"]
    }
    assert {world.importer.ior_number, world.other.ior_number} <= staff
    detail = world.filer_client().get(f"{V1}/importers/{world.importer.ior_number}/").json()
    assert detail == {
        "ior_number": world.importer.ior_number,
        "name": world.importer.name,
        "center": "CEE010",
        "center_name": world.importer.center.name,
    }


def test_case_list_is_the_queue_with_its_filters_and_cursor():
    world = make_world()
    refs = [file_protest(world)["reference_number"] for _ in range(3)]
    staff = world.staff_client()
    body = staff.get(f"{V1}/cases/", {"importer": world.importer.ior_number, "page_size": 2}).json()
    first = [row["reference_number"] for row in body["results"]]
    rest = staff.get(
        f"{V1}/cases/", {"importer": world.importer.ior_number, "page_size": 2, "cursor": body["next_cursor"]}
    ).json()
    assert sorted(first + [r["reference_number"] for r in rest["results"]]) == sorted(refs)
    assert rest["next_cursor"] is None
    assert (
        staff.get(f"{V1}/cases/", {"kind": "psc", "importer": world.importer.ior_number}).json()["results"]
        == []
    )
    refused = staff.get(f"{V1}/cases/", {"due_within": "-1"})
    assert refused.status_code == 400 and refused.json()["field"] == "due_within"
    assert staff.get(f"{V1}/cases/", {"center": "CEE999"}).json()["field"] == "center"


def test_case_list_hides_the_assignee_from_the_importer_side():
    world = make_world()
    case = file_protest(world)
    from tests.api.helpers import post

    post(world.staff_client(), f"/cases/{case['reference_number']}/claim/", version=case["version"])
    staff_row = world.staff_client().get(f"{V1}/cases/").json()["results"][0]
    filer_row = world.filer_client().get(f"{V1}/cases/").json()["results"][0]
    assert staff_row["assignee"] == world.specialist.username
    assert filer_row["assignee"] is None


def test_a_case_list_row_says_what_the_case_itself_says_for_each_side():
    """The list shapes its rows without DRF's fields (cases/api/outputs.py queue_row); each row must
    still carry exactly CaseOut's fields with the values the case's own answer gives."""
    from cases.api.outputs import CaseOut

    world = make_world()
    claimed, unclaimed = file_protest(world), file_protest(world)
    from tests.api.helpers import post

    post(world.staff_client(), f"/cases/{claimed['reference_number']}/claim/", version=claimed["version"])
    for client in (world.staff_client(), world.filer_client()):
        rows = client.get(f"{V1}/cases/", {"importer": world.importer.ior_number}).json()["results"]
        assert {row["reference_number"] for row in rows} == {
            claimed["reference_number"],
            unclaimed["reference_number"],
        }
        for row in rows:
            detail = client.get(f"{V1}/cases/{row['reference_number']}/").json()
            assert list(row) == list(CaseOut().fields)
            assert row == {name: detail[name] for name in row}
    staff_rows = world.staff_client().get(f"{V1}/cases/").json()["results"]
    assert {r["reference_number"]: r["assignee"] for r in staff_rows} == {
        claimed["reference_number"]: world.specialist.username,
        unclaimed["reference_number"]: None,
    }


def test_case_detail_by_reference_carries_its_version_as_etag():
    world = make_world()
    case = file_protest(world)
    response = world.filer_client().get(f"{V1}/cases/{case['reference_number']}/")
    body = response.json()
    assert response.status_code == 200 and response["ETag"] == f'"{body["version"]}"'
    assert body["kind"] == "protest" and body["protest"]["description"] == "Hydraulic excavators"
    assert body["objections"][0]["number"] == 1 and body["deadlines"]
    assert body["psc"] is None and body["decision"] is None
    assert not re.search(r'"(id|pk|case_id)"', json.dumps(body))


def test_case_detail_by_database_id_is_not_found():
    world = make_world()
    file_protest(world)
    from cases.models import Case

    pk = Case.objects.get().pk
    assert world.staff_client().get(f"{V1}/cases/{pk}/").status_code == 404


def test_reference_data_centers_ports_rules_and_the_center_of_an_hts_number():
    world = make_world()
    client = world.filer_client()
    centers = client.get(f"{V1}/centers/").json()
    assert len(centers) == 10 and centers[0]["ace_id"] == "CEE001"
    assert client.get(f"{V1}/centers/cee010/").json()["ace_id"] == "CEE010"
    assert client.get(f"{V1}/centers/CEE011/").status_code == 404
    port = client.get(f"{V1}/ports/2304/").json()
    assert port["code"] == "2304" and port["district"] == "23"
    active = client.get(f"{V1}/ports/", {"active": "true"}).json()
    assert active and all(p["active"] for p in active)
    assert client.get(f"{V1}/ports/0000/").status_code == 404
    rules = client.get(f"{V1}/hts-rules/").json()
    assert {"prefix", "center", "basis", "source"} == set(rules[0])
    # Machinery (CEE010) administers heading 8471 (the resolver; longest prefix wins).
    for number in ["8471", "8471.30", "8471.30.0100", "8471300100"]:
        body = client.get(f"{V1}/hts-centers/{number}/").json()
        assert body["heading"] == "8471" and body["center"]["ace_id"] == "CEE010", number
    for bad in ["847", "84713001001", "84a1"]:
        response = client.get(f"{V1}/hts-centers/{bad}/")
        assert response.status_code == 400 and response.json()["field"] == "hts_number", bad


def test_entries_have_their_numbers_not_ids_in_lists():
    world = make_world()
    unliquidated(world.importer)
    row = world.staff_client().get(f"{V1}/entries/").json()["results"][0]
    assert set(row) >= {"entry_number", "importer", "port"} and "id" not in row
    assert Entry.objects.filter(entry_number=row["entry_number"]).exists()
    assert legal_today()  # the legal date drives every window the filings check


def test_list_queries_do_not_grow_with_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = make_world()
    staff = world.staff_client()

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(V1 + path).status_code == 200
        return len(captured)

    file_protest(world)
    unliquidated(world.importer)
    staff.get(f"{V1}/centers/")  # the token's first use records it (at most once a minute)
    one = (queries("/cases/"), queries("/entries/"), queries("/importers/"))
    for _ in range(4):
        file_protest(world)
        unliquidated(world.other)
    assert (queries("/cases/"), queries("/entries/"), queries("/importers/")) == one
