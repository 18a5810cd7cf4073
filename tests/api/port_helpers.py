"""Shortcuts for the port-side tests: releasing a declaration through the inspection path."""

from typing import Any

from tests.api.conftest import World


def release_by_inspection(world: World, declaration: dict[str, Any]) -> dict[str, Any]:
    """A screened declaration (INSPECTION_REQUIRED) released by its passed inspection."""
    task = next(t for t in world.officer.get("/inspections?status=open").json()["items"]
                if t["declaration_id"] == declaration["id"])
    response = world.officer.post(f"/inspections/{task['id']}/result",
                                  json={"outcome": "pass", "notes": "ok"})
    assert response.status_code == 200, response.text
    world.settle()
    return world.exporter_a.get(f"/declarations/{declaration['id']}").json()


def released(world: World, **overrides: Any) -> dict[str, Any]:
    return release_by_inspection(world, world.screened(**overrides))
