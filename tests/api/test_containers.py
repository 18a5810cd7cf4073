"""ISO 6346 container numbers."""

import pytest

from customs.containers import check_digit, normalise_container_no
from customs.errors import Invalid


@pytest.mark.parametrize("number", ["CSQU3054383", "MSKU1234565", "TGHU9876542", "CAIU2345678"])
def test_valid_check_digits_are_accepted(number: str) -> None:
    assert normalise_container_no(number) == number


def test_spaces_and_case_are_normalised() -> None:
    assert normalise_container_no(" csqu 305438-3 ") == "CSQU3054383"


def test_check_digit_ten_counts_as_zero() -> None:
    # the ISO 6346 remainder 10 is written as 0
    assert check_digit("CSQU305438") == 3
    assert all(0 <= check_digit(f"ABCU{n:06d}") <= 9 for n in range(0, 200))


@pytest.mark.parametrize("number", ["CSQU3054384", "MSKU1234560", "TGHU9876544"])
def test_wrong_check_digit_is_refused_with_the_right_one_named(number: str) -> None:
    with pytest.raises(Invalid, match=r"the check digit should be \d, not \d"):
        normalise_container_no(number)


@pytest.mark.parametrize("number", ["CSQ3054383", "CSQX3054383", "1234567890A", ""])
def test_malformed_numbers_are_refused(number: str) -> None:
    with pytest.raises(Invalid, match="not ISO 6346"):
        normalise_container_no(number)


def test_declaration_with_a_bad_container_number_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    response = world.exporter_a.post("/declarations", json={
        "goods": [{"hs_code": "850760", "quantity": 1, "gross_weight_kg": 1}],
        "containers": [{"container_no": "CSQU3054384"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_container_no"
    assert "should be 3" in response.json()["detail"]
    assert world.exporter_a.get("/declarations").json()["total"] == 0
