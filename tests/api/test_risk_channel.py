"""Risk channel and periodic sampling (DESIGN §5)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from customs import risk
from models import CreditLevel, Enterprise, VisionDecision
from tests.api.conftest import World, make_settings, running_app
from tests.api.test_release_flow import fake_screener, upload


@pytest.fixture
def strict_world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """No random sampling, and a periodic floor of one sample per 3 releases."""
    settings = make_settings(database_url, tmp_path / "data", sampling_rate_advanced=0.0,
                             sampling_rate_general=0.0, sampling_floor_releases=3)
    with running_app(settings) as client:
        world = World(client, settings)
        world.use_screener(fake_screener(VisionDecision.release))
        yield world


def _clean_shipment(world: World, filing_id: int, seed: int) -> dict:  # type: ignore[type-arg]
    declaration = world.submitted(filing_id=filing_id)
    upload(world, declaration["id"], seed=seed)
    return world.exporter_a.get(f"/declarations/{declaration['id']}/screening").json()


def test_periodic_floor_samples_at_least_once_per_n_releases(strict_world: World) -> None:
    filing_id = strict_world.approved_filing()
    channels = [_clean_shipment(strict_world, filing_id, seed)["channel"] for seed in range(4)]
    assert channels == ["green", "green", "red", "green"]
    third = strict_world.officer.get("/declarations/3/screening").json()
    assert third["sampled"] is True
    assert any(hit.startswith("periodic_floor") for hit in third["rule_hits"])


def test_every_decision_stores_its_draw_and_rate(strict_world: World) -> None:
    screening = _clean_shipment(strict_world, strict_world.approved_filing(), 1)
    assert 0.0 <= screening["sampling_draw"] < 1.0
    assert screening["sampling_rate"] == 0.0
    assert screening["credit_level"] == "advanced"


def test_a_discredited_exporter_is_always_inspected(strict_world: World) -> None:
    with Session(strict_world.engine) as session:
        enterprise = session.get(Enterprise, strict_world.enterprise_a)
        assert enterprise is not None
        enterprise.credit_level = CreditLevel.discredited
        session.add(enterprise)
        session.commit()
    screening = _clean_shipment(strict_world, strict_world.approved_filing(), 2)
    assert screening["channel"] == "red"
    assert "discredited_exporter" in screening["rule_hits"]
    task = strict_world.officer.get("/inspections").json()["items"][0]
    assert task["mode"] == "onsite"  # no remote inspection for discredited exporters


def test_sampling_rates_follow_the_credit_level() -> None:
    settings = make_settings("sqlite://", Path("/tmp"))
    assert risk.rate_for(settings, CreditLevel.advanced) == 0.01
    assert risk.rate_for(settings, CreditLevel.general) == 0.05
    assert risk.rate_for(settings, CreditLevel.discredited) == 1.0


def test_channel_is_green_only_when_every_condition_holds() -> None:
    clean = risk.SamplingDraw(rate=0.05, draw=0.5, sampled=False)
    assert risk.decide_channel(VisionDecision.release, True, CreditLevel.general,
                               clean).channel == "green"
    for vision, filing, credit in [(VisionDecision.inspect, True, CreditLevel.general),
                                   (None, True, CreditLevel.general),
                                   (VisionDecision.release, False, CreditLevel.general),
                                   (VisionDecision.release, True, CreditLevel.discredited)]:
        assert risk.decide_channel(vision, filing, credit, clean).channel == "red"
    sampled = risk.SamplingDraw(rate=0.05, draw=0.01, sampled=True, rule_hits=["random_sample"])
    decision = risk.decide_channel(VisionDecision.release, True, CreditLevel.general, sampled)
    assert decision.channel == "red" and "random_sample" in decision.rule_hits
