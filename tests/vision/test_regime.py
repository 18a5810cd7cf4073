"""The label regime rules table: one test per row, plus the combinations it refuses."""

from __future__ import annotations

import pytest

from vision import FilingReference
from vision.regime import (
    CAO,
    CLASS9A,
    LITHIUM_MARK,
    MARK_TEXT,
    PSN,
    RULES,
    UN_MARKING,
    RegimeError,
    expected_marks,
)

FULL = {CLASS9A, UN_MARKING, PSN}


@pytest.mark.parametrize("un", ["UN3480", "UN3481", "UN3090", "UN3091"])
def test_fully_regulated_by_sea_needs_9a_label_un_number_and_shipping_name(un: str) -> None:
    r = expected_marks([un], "sea", "fully_regulated")
    assert r.required == FULL
    assert r.forbidden == frozenset()


@pytest.mark.parametrize("provision", ["sp188_small", "small_battery", "SP188"])
def test_sp188_by_sea_needs_only_the_lithium_battery_mark_and_no_class9_label(
        provision: str) -> None:
    r = expected_marks(["UN3480"], "sea", provision)
    assert r.required == {LITHIUM_MARK}
    assert r.forbidden == {CLASS9A}


def test_fully_regulated_by_road_follows_adr_like_imdg() -> None:
    assert expected_marks(["UN3481"], "road", "fully_regulated").required == FULL


def test_sp188_by_road_needs_only_the_lithium_battery_mark() -> None:
    r = expected_marks(["UN3091"], "road", "sp188_small")
    assert r.required == {LITHIUM_MARK}
    assert r.forbidden == {CLASS9A}


@pytest.mark.parametrize("un", ["UN3480", "UN3090"])
def test_batteries_alone_by_air_section_ia_add_cargo_aircraft_only(un: str) -> None:
    assert expected_marks([un], "air", "fully_regulated").required == FULL | {CAO}


def test_section_ib_by_air_needs_label_mark_and_cargo_aircraft_only() -> None:
    r = expected_marks(["UN3480"], "air", "section_ib")
    assert r.required == FULL | {LITHIUM_MARK, CAO}


@pytest.mark.parametrize("un", ["UN3481", "UN3091"])
def test_batteries_in_equipment_by_air_section_i_need_no_cargo_aircraft_only(un: str) -> None:
    assert expected_marks([un], "air", "fully_regulated").required == FULL


@pytest.mark.parametrize("un", ["UN3481", "UN3091"])
def test_section_ii_by_air_needs_only_the_lithium_battery_mark(un: str) -> None:
    r = expected_marks([un], "air", "section_ii")
    assert r.required == {LITHIUM_MARK}
    assert r.forbidden == {CLASS9A}


def test_section_ii_for_batteries_alone_by_air_is_refused_with_what_to_choose() -> None:
    with pytest.raises(RegimeError, match="section_ib"):
        expected_marks(["UN3480"], "air", "section_ii")


def test_section_ib_by_sea_is_refused() -> None:
    with pytest.raises(RegimeError, match="Section IB"):
        expected_marks(["UN3480"], "sea", "section_ib")


def test_non_lithium_un_number_and_unknown_provision_are_refused() -> None:
    with pytest.raises(RegimeError, match="not a lithium battery"):
        expected_marks(["UN1203"], "sea", "fully_regulated")
    with pytest.raises(RegimeError, match="Unknown provision"):
        expected_marks(["UN3480"], "sea", "lq")
    with pytest.raises(RegimeError, match="no UN number"):
        expected_marks([], "sea", "fully_regulated")


def test_mixed_un_numbers_take_the_union_and_a_required_mark_is_never_forbidden() -> None:
    r = expected_marks(["UN3481", "3480"], "air", "fully_regulated")
    assert r.un_numbers == ("UN3480", "UN3481")
    assert CAO in r.required


def test_every_rule_cites_its_source_and_every_mark_has_both_languages() -> None:
    for rule in RULES:
        assert any(s in rule.source for s in ("IMDG", "IATA", "ADR")), rule
        assert rule.required
    for text in MARK_TEXT.values():
        assert text["en"] and text["zh-CN"]


def test_regime_explains_each_mark_with_its_sources() -> None:
    r = expected_marks(["UN3480"], "air", "fully_regulated")
    by_mark = {i.mark: i for i in r.items}
    assert set(by_mark) == r.required
    assert "Cargo Aircraft Only" in by_mark[CAO].explanation["en"]
    assert "仅限货机" in by_mark[CAO].explanation["zh-CN"]
    assert any("7.2.4.2" in s for s in by_mark[CAO].sources)
    assert r.to_dict()["items"][0]["explanation"]["en"]


def test_filing_reference_takes_its_regime_from_the_provision_or_the_legacy_flag() -> None:
    sp188 = FilingReference(id="F", un_numbers=("UN3480",), transport_mode="sea",
                            provision="sp188_small")
    assert sp188.marks() == ({LITHIUM_MARK}, {CLASS9A})
    legacy = FilingReference(id="F", un_numbers=("UN3480",), transport_mode="sea",
                             requires_9a=True)
    assert legacy.marks() == (FULL, frozenset())
    explicit = FilingReference(id="F", un_numbers=("UN3480",), transport_mode="sea",
                               expected_marks=frozenset({LITHIUM_MARK}))
    assert explicit.marks() == ({LITHIUM_MARK}, frozenset())
    from_json = FilingReference.from_json({"id": "F", "un_numbers": ["3480"],
                                           "transport_mode": "air", "provision": "section_ib"})
    assert CAO in from_json.marks()[0]
