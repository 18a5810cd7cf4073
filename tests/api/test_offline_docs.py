"""/docs and /redoc load their scripts from this server, so they work with no internet."""

import re

import pytest

from tests.api.conftest import World


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_use_only_local_assets(world: World, page: str) -> None:
    html = world.client.get(page)
    assert html.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert assets, "the page loads its scripts"
    assert all(a.startswith("/") for a in assets), f"remote assets: {assets}"
    for asset in assets:
        assert world.client.get(asset).status_code == 200, asset
