"""The per-vessel direct-loading list: statuses, counts, CSV and bulk loading by scan."""

import csv
import io

from tests.api.conftest import World, container_number
from tests.api.port_helpers import released

VESSEL = {"vessel": "COSCO XIAMEN", "voyage": "041E"}


def _rows(world: World) -> dict[str, dict]:
    listing = world.port.get("/port/vessels", params=VESSEL).json()
    return {row["container_no"]: row for row in listing["containers"]}


def test_the_list_shows_every_declared_container_with_its_status_and_counts(
        world: World) -> None:
    ok = released(world)
    held = world.screened()
    world.submitted(vessel="OTHER SHIP")
    draft = world.declaration()
    listing = world.port.get("/port/vessels", params=VESSEL).json()
    rows = {row["declaration_no"]: row for row in listing["containers"]}
    assert rows[ok["declaration_no"]]["load_status"] == "released"
    assert rows[held["declaration_no"]]["load_status"] == "hold"
    assert rows[held["declaration_no"]]["reason_code"] == "inspection_pending"
    assert draft["declaration_no"] not in rows, "drafts are not on the loading list"
    assert listing["counts"] == {"released": 1, "hold": 1, "in_transit": 0, "loaded": 0,
                                 "total": 2}


def test_the_hold_reason_does_not_expose_the_screening_evidence(world: World) -> None:
    held = world.screened()
    row = next(iter(_rows(world).values()))
    assert row["declaration_no"] == held["declaration_no"]
    assert row["reason"] == "customs inspection not finished"


def test_bulk_loading_by_pasted_numbers_loads_released_and_refuses_the_rest(
        world: World) -> None:
    ok = released(world)
    held = world.screened()
    ok_no = ok["containers"][0]["container_no"]
    held_no = held["containers"][0]["container_no"]
    result = world.port.post("/port/loadings", json={
        "container_nos": [ok_no.lower(), held_no, "NOTACONTAINER"]}).json()
    assert result["loaded"] == 1 and result["refused"] == 2
    codes = [row["code"] for row in result["rows"]]
    assert codes == ["loaded", "not_released", "invalid_container_no"]
    rows = _rows(world)
    assert rows[ok_no]["load_status"] == "loaded"
    assert rows[held_no]["load_status"] == "hold"


def test_a_loaded_container_never_shows_as_hold_even_if_declared_again(world: World) -> None:
    ok = released(world)
    number = ok["containers"][0]["container_no"]
    assert world.port.post("/port/loadings", json={"container_nos": [number]}).json()["loaded"]
    world.submitted(containers=[{"container_no": number}])  # the container is free again
    assert _rows(world)[number]["load_status"] == "loaded"


def test_scanning_a_loaded_container_again_says_already_loaded(world: World) -> None:
    ok = released(world)
    number = ok["containers"][0]["container_no"]
    world.port.post("/port/loadings", json={"container_nos": [number]})
    again = world.port.post("/port/loadings", json={"container_nos": [number]}).json()
    assert again["rows"][0]["code"] == "already_loaded"


def test_csv_export_has_one_row_per_container(world: World) -> None:
    released(world)
    world.screened(containers=[{"container_no": container_number(900)},
                               {"container_no": container_number(901)}])
    response = world.port.get("/port/vessels.csv", params=VESSEL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == 3
    assert {row["load_status"] for row in table} == {"released", "hold"}


def test_exporters_cannot_see_the_vessel_list(world: World) -> None:
    assert world.exporter_a.get("/port/vessels", params=VESSEL).status_code == 403
    assert world.exporter_a.post("/port/loadings",
                                 json={"container_nos": ["CSQU3054383"]}).status_code == 403


def test_the_vessel_list_needs_vessel_and_voyage(world: World) -> None:
    assert world.port.get("/port/vessels", params={"vessel": "X"}).status_code == 422
