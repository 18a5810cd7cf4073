"""The declaration state machine: only legal transitions, each audited, races detected."""

import threading

import pytest
from sqlmodel import Session

from customs import lifecycle
from customs.errors import ConcurrentUpdate, IllegalTransition
from models import Declaration, DeclarationStatus
from tests.api.conftest import World


def test_new_declaration_is_a_draft_with_a_number_and_an_audit_event(world: World) -> None:
    declaration = world.declaration()
    assert declaration["status"] == "DRAFT"
    assert declaration["declaration_no"].startswith("CL")
    events = world.exporter_a.get(f"/declarations/{declaration['id']}/events").json()
    assert [e["action"] for e in events] == ["created"]


def test_submit_then_cancel_writes_one_audit_event_per_transition(world: World) -> None:
    declaration = world.submitted()
    cancelled = world.exporter_a.post(f"/declarations/{declaration['id']}/cancel",
                                      json={"reason": "order withdrawn"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    events = world.officer.get(f"/declarations/{declaration['id']}/events").json()
    transitions = [(e["from_status"], e["to_status"], e["actor"]) for e in events
                   if e["action"] == "transition"]
    assert transitions == [("DRAFT", "SUBMITTED", "exporter_a"),
                           ("SUBMITTED", "CANCELLED", "exporter_a")]
    assert events[-1]["reason"] == "order withdrawn"


def test_submitting_twice_is_refused_with_the_current_state(world: World) -> None:
    declaration = world.submitted()
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/submit")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "is SUBMITTED" in response.json()["detail"]


def test_a_cancelled_declaration_cannot_be_cancelled_or_photographed(world: World) -> None:
    declaration = world.declaration()
    world.exporter_a.post(f"/declarations/{declaration['id']}/cancel")
    assert world.exporter_a.post(f"/declarations/{declaration['id']}/cancel").status_code == 409
    from tests.api.images import jpeg_bytes

    response = world.exporter_a.post(f"/declarations/{declaration['id']}/photos",
                                     files={"file": ("p.jpg", jpeg_bytes(), "image/jpeg")})
    assert response.status_code == 409
    assert "CANCELLED" in response.json()["detail"]


def test_loading_an_unreleased_declaration_is_refused(world: World) -> None:
    declaration = world.submitted()
    response = world.port.post(f"/clearance/{declaration['declaration_no']}/loaded")
    assert response.status_code == 409
    assert "only released declarations can be loaded" in response.json()["detail"]


@pytest.mark.parametrize("current", list(DeclarationStatus))
def test_every_illegal_transition_is_refused(world: World, current: DeclarationStatus) -> None:
    declaration_id = world.declaration()["id"]
    with Session(world.engine) as session:
        declaration = session.get(Declaration, declaration_id)
        assert declaration is not None
        declaration.status = current
        session.add(declaration)
        session.commit()
        for target in DeclarationStatus:
            if lifecycle.can_transition(current, target):
                continue
            with pytest.raises(IllegalTransition, match=f"is {current.value}"):
                lifecycle.transition(session, declaration, target, None)
        session.refresh(declaration)
        assert declaration.status == current


def test_illegal_transition_over_http_is_409_and_changes_nothing(world: World) -> None:
    declaration = world.screened()
    assert declaration["status"] == "INSPECTION_REQUIRED"
    response = world.exporter_a.post(f"/declarations/{declaration['id']}/cancel")
    assert response.status_code == 409
    after = world.exporter_a.get(f"/declarations/{declaration['id']}").json()
    assert after["status"] == "INSPECTION_REQUIRED"
    assert after["version"] == declaration["version"]


def test_of_two_interleaved_transitions_exactly_one_wins(world: World) -> None:
    declaration_id = world.submitted()["id"]
    with Session(world.engine) as first, Session(world.engine) as second:
        a = first.get(Declaration, declaration_id)
        b = second.get(Declaration, declaration_id)
        assert a is not None and b is not None
        lifecycle.transition(first, a, DeclarationStatus.cancelled, None, reason="first")
        first.commit()
        with pytest.raises(ConcurrentUpdate):
            lifecycle.transition(second, b, DeclarationStatus.screening, None, reason="second")
        second.rollback()
    with Session(world.engine) as session:
        final = session.get(Declaration, declaration_id)
        assert final is not None and final.status == DeclarationStatus.cancelled


def test_two_concurrent_requests_on_one_declaration_exactly_one_wins(world: World) -> None:
    declaration = world.declaration()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def act(action: str) -> None:
        barrier.wait()
        codes.append(world.exporter_a.post(f"/declarations/{declaration['id']}/{action}")
                     .status_code)

    threads = [threading.Thread(target=act, args=("submit",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    final = world.exporter_a.get(f"/declarations/{declaration['id']}").json()
    events = world.exporter_a.get(f"/declarations/{declaration['id']}/events").json()
    transitions = [e for e in events if e["action"] == "transition"]
    assert final["status"] == "SUBMITTED" and final["version"] == 2
    assert len(transitions) == 1
