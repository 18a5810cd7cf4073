"""`make run` and the Docker image take their worker count from here."""

import pytest

from customs.web_workers import available_cpus, worker_count


def test_the_worker_count_defaults_to_the_usable_cpus() -> None:
    assert worker_count({}) == available_cpus() >= 1


def test_a_setting_overrides_the_worker_count() -> None:
    assert worker_count({"CLEARLANE_WEB_WORKERS": "3"}) == 3


@pytest.mark.parametrize("value", ["two", "0", "65"])
def test_a_bad_worker_setting_says_what_to_fix(value: str) -> None:
    with pytest.raises(SystemExit, match="CLEARLANE_WEB_WORKERS"):
        worker_count({"CLEARLANE_WEB_WORKERS": value})
