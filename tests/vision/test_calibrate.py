"""Threshold proposals from labelled outcomes, and the replay they rest on."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from vision.calibrate import Outcome, propose, replay, upper_bound_95
from vision.params import CalibrationParams

CLEAN_SCORES = {"quality_blur_px": 0.6, "quality_brightness": 120.0, "quality_clipped": 0.01,
                "reuse_hamming": 110.0, "design_inliers": 300.0, "design_coverage": 0.5,
                "design_ncc": 0.95, "design_layout": 0.95, "label_integrity": 0.9}


def _outcomes(seed: int = 1) -> list[Outcome]:
    rng = np.random.default_rng(seed)
    out = [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], False)
           for a in rng.uniform(0.5, 0.95, 60)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], True, "damaged_carton")
            for a in rng.uniform(1.2, 1.6, 20)]
    # caught by a stage the appearance threshold does not govern (a wrong UN number)
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.6}, ["un_number_mismatch"], True)]
    return out


def test_proposal_opens_the_appearance_threshold_up_to_the_anomalies_with_a_margin() -> None:
    strict = CalibrationParams(version="v1", max_anomaly_score=0.7)
    p = propose(_outcomes(), strict, version="v2")
    assert 0.95 < p.params.max_anomaly_score < 1.2
    assert p.params.version == "v2" and p.current.version == "v1"
    assert p.false_releases_proposed == 0
    assert p.clean_release_proposed == 1.0
    assert p.clean_release_gain > 0.3
    assert "max_anomaly_score" in p.changes
    assert 0 < p.false_release_upper_95 < 0.15  # 0 of 21 bad: the bound is ~13 %


def test_proposal_tightens_a_threshold_that_releases_a_bad_photo() -> None:
    loose = CalibrationParams(max_anomaly_score=1.4)
    p = propose(_outcomes(), loose)
    assert p.false_releases_current > 0
    assert p.false_releases_proposed == 0
    assert p.params.max_anomaly_score < 1.2


def test_replay_keeps_reasons_of_stages_that_did_not_run() -> None:
    p = CalibrationParams()
    decision, codes = replay({"quality_blur_px": 0.6, "quality_brightness": 120.0},
                             ["design_mismatch", "missing_lithium_mark"], p)
    assert decision == "inspect"
    assert codes == {"design_mismatch", "missing_lithium_mark"}
    decision, codes = replay({**CLEAN_SCORES, "quality_blur_px": 3.0}, [], p)
    assert decision == "retake_photo" and codes == {"blurred"}
    decision, codes = replay({**CLEAN_SCORES, "anomaly": 0.2}, ["appearance_anomaly"], p)
    assert decision == "release" and not codes


def test_false_release_bound_follows_clopper_pearson() -> None:
    assert abs(upper_bound_95(0, 600) - 0.005) < 0.0001  # the 'rule of three'
    assert 0.05 < upper_bound_95(2, 50) < 0.2
    assert upper_bound_95(0, 0) == 1.0


def test_proposal_keeps_the_design_floor_when_appearance_also_stops_foreign_designs() -> None:
    rng = np.random.default_rng(5)
    out = [Outcome({**CLEAN_SCORES, "anomaly": float(a), "design_layout": float(d)}, [], False)
           for a, d in zip(rng.uniform(0.4, 0.9, 60), rng.uniform(0.9, 1.0, 60), strict=True)]
    # foreign designs: a low layout agreement, and (on this source) a high anomaly score too
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a), "design_layout": float(d)}, [], True,
                    "different_design", frozenset({"design_mismatch"}))
            for a, d in zip(rng.uniform(1.5, 3.0, 12), rng.uniform(0.1, 0.5, 12), strict=True)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], True, "damaged_carton",
                    frozenset({"appearance_anomaly"})) for a in rng.uniform(1.2, 1.6, 12)]
    p = propose(out, CalibrationParams(min_design_layout=0.7, max_anomaly_score=0.5))
    assert p.false_releases_proposed == 0
    assert p.params.max_anomaly_score > 0.9  # opened for the clean photos it stopped
    assert p.params.min_design_layout == 0.7  # foreign designs keep their own reason
    assert p.clean_release_proposed == 1.0
    foreign = [o for o in out if o.kind == "different_design"]
    assert all("design_mismatch" in replay(o.scores, o.codes, p.params)[1] for o in foreign)


def test_a_floor_the_labelled_photos_never_needed_keeps_the_value_in_force() -> None:
    # crushed cartons whose labels are bent too, all stopped by the appearance limit: the
    # label floor is never needed here, but another source's torn labels may depend on it
    out = [Outcome({**o.scores, "label_integrity": 0.4, "label_region_ssim": 0.2}, o.codes,
                   o.bad, o.kind, frozenset({"appearance_anomaly"}))
           if o.kind == "damaged_carton" else o for o in _outcomes()]
    p = propose(out, CalibrationParams(min_label_ncc=0.75, min_label_region=0.5))
    assert p.false_releases_proposed == 0
    assert p.params.min_label_ncc == 0.75
    assert p.params.min_label_region == 0.5
    assert "min_label_ncc" not in p.changes


def test_a_floor_that_stops_clean_photos_is_opened_without_any_anomaly_behind_it() -> None:
    # a camera whose clean photos score lower than the floor in force: nothing justifies it
    out = [Outcome({**o.scores, "label_integrity": 0.6}, o.codes, o.bad, o.kind, o.own)
           for o in _outcomes()]
    p = propose(out, CalibrationParams(min_label_ncc=0.75))
    assert p.params.min_label_ncc < 0.6
    assert p.clean_release_proposed == 1.0


def test_a_floor_sits_midway_from_the_anomalies_it_is_there_for_not_others_it_flags() -> None:
    rng = np.random.default_rng(7)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.6, "design_layout": float(d)}, [], False)
           for d in rng.uniform(0.95, 1.0, 200)]
    foreign = [*rng.uniform(0.1, 0.5, 12), 0.86]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.6, "design_layout": float(d)}, [], True,
                    "different_design", frozenset({"design_mismatch"})) for d in foreign]
    # old mark artwork: caught by its own stage, its layout agreement a little lower
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.6, "design_layout": float(d)},
                    ["obsolete_lithium_mark"], True, "obsolete_mark",
                    frozenset({"obsolete_lithium_mark"})) for d in rng.uniform(0.87, 0.93, 10)]
    # a floor in force too low for this exporter's foreign designs: they are released
    p = propose(out, CalibrationParams(min_design_layout=0.0, max_anomaly_score=0.7))
    assert p.false_releases_current == 13
    assert p.false_releases_proposed == 0
    assert 0.88 < p.params.min_design_layout < 0.92  # midway between 0.86 and 0.95


def _torn_label_outcomes(clean_low: float) -> list[Outcome]:
    """Clean labels with integrity from ``clean_low`` up; torn ones at 0.3 that only the
    label floor catches."""
    rng = np.random.default_rng(11)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "label_integrity": float(v)}, [], False)
           for v in rng.uniform(clean_low, 0.98, 80)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "label_integrity": 0.3}, [], True,
                    "torn_label", frozenset({"label_damaged_or_covered"})) for _ in range(8)]
    return out


def test_a_floor_the_fit_would_open_for_no_clean_photo_keeps_the_value_in_force() -> None:
    # the torn labels here need a floor anywhere above 0.3; another camera's subtler tears
    # (0.8) need the one in force, and opening it releases no clean photo here
    p = propose(_torn_label_outcomes(0.9), CalibrationParams(min_label_ncc=0.85))
    assert p.false_releases_proposed == 0
    assert p.params.min_label_ncc == 0.85
    assert p.clean_release_proposed == 1.0


def test_a_floor_in_force_that_stops_clean_photos_opens_only_past_them() -> None:
    out = _torn_label_outcomes(0.7)
    p = propose(out, CalibrationParams(min_label_ncc=0.85))
    assert p.false_releases_proposed == 0
    assert p.clean_release_proposed == 1.0
    # in the middle between the lowest clean label and the torn labels (0.3)
    lowest_clean = min(o.scores["label_integrity"] for o in out if not o.bad)
    assert p.params.min_label_ncc == pytest.approx((lowest_clean + 0.3) / 2, abs=0.01)


def test_a_located_face_that_differs_from_the_filing_still_gets_its_label_checked() -> None:
    covered = {**CLEAN_SCORES, "design_ncc": 0.4, "label_integrity": 0.2}
    _d, codes = replay(covered, [], CalibrationParams())
    assert codes == {"design_mismatch", "label_damaged_or_covered"}
    # a face not found on the reference at all: nothing to compare its labels with
    _d, codes = replay({**covered, "design_coverage": 0.05}, [], CalibrationParams())
    assert codes == {"design_mismatch"}


def test_a_face_printed_in_other_colours_throughout_is_another_design() -> None:
    scores = {**CLEAN_SCORES, "anomaly": 0.2, "anomaly_colour_level": 11.0}
    assert replay(scores, [], CalibrationParams())[1] == {"design_mismatch"}
    assert replay({**scores, "anomaly_colour_level": 2.0}, [], CalibrationParams())[0] == (
        "release")


def test_clean_photos_one_filing_holds_for_design_point_at_its_reference_not_the_floors(
        ) -> None:
    rng = np.random.default_rng(13)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], False,
                   group=f"F{i % 5}") for i, d in enumerate(rng.uniform(0.9, 1.0, 100))]
    # filing F9's reference face was rectified with wrong corners: none of its clean photos
    # agrees with it
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], False,
                    group="F9") for d in rng.uniform(0.1, 0.3, 8)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], True,
                    "different_design", frozenset({"design_mismatch"}), group="F1")
            for d in rng.uniform(0.35, 0.6, 10)]
    p = propose(out, CalibrationParams(min_design_layout=0.7))
    assert p.reference_problems == {"F9": 8}
    # not opened for F9: the foreign designs (<= 0.6) keep their reason
    assert 0.6 < p.params.min_design_layout < 0.9
    assert p.false_releases_proposed == 0
    assert p.to_dict()["reference_problems"] == {"F9": 8}


def test_a_floor_opened_for_a_whole_camera_stops_midway_to_the_first_anomaly() -> None:
    rng = np.random.default_rng(17)
    # every filing's clean photos sit lower on this camera: not a reference problem
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], False,
                   group=f"F{i % 5}") for i, d in enumerate(rng.uniform(0.6, 0.9, 100))]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": 0.3}, [], True,
                    "different_design", frozenset({"design_mismatch"})) for _ in range(5)]
    p = propose(out, CalibrationParams(min_design_layout=0.7))
    assert not p.reference_problems
    lowest_clean = min(o.scores["design_layout"] for o in out if not o.bad)
    assert p.params.min_design_layout == pytest.approx((lowest_clean + 0.3) / 2, abs=0.01)
    assert p.clean_release_proposed == 1.0 and p.false_releases_proposed == 0


def test_a_limit_opened_past_clean_photos_stops_midway_to_the_anomalies_it_is_for() -> None:
    # this camera's clean photos reach 0.6, over the limit in force (0.5)
    out = [Outcome({**CLEAN_SCORES, "anomaly": a}, [], False)
           for a in (0.2, 0.3, 0.4, 0.5, 0.6) * 16]
    out += [Outcome({**CLEAN_SCORES, "anomaly": a}, [], True, "damaged_carton",
                    frozenset({"appearance_anomaly"})) for a in (0.9, 1.0, 1.2) * 4]
    # caught by its own stage: it must not pull the limit towards itself
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.8}, ["un_number_mismatch"], True,
                    "wrong_un_number", frozenset({"un_number_mismatch"}))]
    p = propose(out, CalibrationParams(max_anomaly_score=0.5))
    highest_clean = max(o.scores["anomaly"] for o in out if not o.bad)
    lowest_damage = min(o.scores["anomaly"] for o in out if o.kind == "damaged_carton")
    assert p.params.max_anomaly_score == pytest.approx((highest_clean + lowest_damage) / 2,
                                                       abs=0.01)
    assert p.clean_release_proposed == 1.0 and p.false_releases_proposed == 0


def test_several_broken_references_are_all_set_aside_while_most_filings_pass() -> None:
    rng = np.random.default_rng(23)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], False,
                   group=f"F{i % 8}") for i, d in enumerate(rng.uniform(0.9, 1.0, 80))]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], False,
                    group=f"W{i % 4}") for i, d in enumerate(rng.uniform(0.1, 0.3, 40))]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "design_layout": float(d)}, [], True,
                    "different_design", frozenset({"design_mismatch"}), group="F1")
            for d in rng.uniform(0.35, 0.6, 10)]
    p = propose(out, CalibrationParams(min_design_layout=0.7))
    assert p.reference_problems == {f"W{i}": 10 for i in range(4)}
    assert p.params.min_design_layout > 0.6 and p.false_releases_proposed == 0


def test_the_fit_does_not_hold_dozens_of_clean_photos_to_catch_one_anomaly() -> None:
    rng = np.random.default_rng(29)
    out = [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], False)
           for a in rng.uniform(0.1, 0.4, 100)]
    # a torn label that only the appearance limit could see, in the middle of the clean ones
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.15}, [], True, "torn_label",
                    frozenset({"appearance_anomaly"}))]
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], True, "damaged_carton",
                    frozenset({"appearance_anomaly"})) for a in rng.uniform(0.9, 1.2, 10)]
    p = propose(out, CalibrationParams(max_anomaly_score=0.5))
    assert p.false_releases_proposed == 1  # reported, with its bound
    assert p.clean_release_proposed == 1.0
    assert 0.4 < p.params.max_anomaly_score < 0.9


def test_clean_photos_one_filing_holds_for_a_label_point_at_its_reference_not_the_floor(
        ) -> None:
    rng = np.random.default_rng(31)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "label_integrity": float(x)}, [], False,
                   group=f"F{i % 5}") for i, x in enumerate(rng.uniform(0.8, 0.95, 100))]
    # filing F7's reference shows its 9A label in glare: none of its clean labels agrees
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "label_integrity": float(x)}, [], False,
                    group="F7") for x in rng.uniform(0.2, 0.4, 6)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.2, "label_integrity": float(x)}, [], True,
                    "covered_label", frozenset({"label_damaged_or_covered"}), group="F2")
            for x in rng.uniform(0.45, 0.6, 10)]
    p = propose(out, CalibrationParams(min_label_ncc=0.7))
    assert p.reference_problems == {"F7": 6}
    # not opened for F7: the covered labels (<= 0.6) keep their reason
    assert 0.6 < p.params.min_label_ncc < 0.8
    assert p.false_releases_proposed == 0


def test_a_fit_opens_the_quality_gate_where_it_stops_good_photos_but_never_tightens_it() -> None:
    def photo(brightness: float, bad: bool) -> Outcome:
        scores = {**CLEAN_SCORES, "anomaly": 0.2, "quality_brightness": brightness}
        return Outcome(scores, [], bad, "bad_quality" if bad else None,
                       frozenset({"overexposed"}) if bad else frozenset())

    # this camera's bright photos pass the limit in force; the fit must not chase them with it
    out = [photo(b, False) for b in np.linspace(90, 200, 80)]
    out += [photo(b, True) for b in np.linspace(210, 224, 10)]
    assert propose(out, CalibrationParams(max_brightness=225.0)).params.max_brightness == 225.0
    # clean photos above the limit in force: it opens past them
    out = [photo(b, False) for b in np.linspace(90, 235, 80)]
    assert propose(out, CalibrationParams(max_brightness=225.0)).params.max_brightness > 235.0


def _clean_tail_and_torn_labels(n_tail: int) -> list[Outcome]:
    """300 clean photos, ``n_tail`` of them over the appearance limit in force (0.5-0.56),
    and nine torn labels scoring inside that band that the label floor caught."""
    rng = np.random.default_rng(29)
    out = [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], False)
           for a in [*rng.uniform(0.1, 0.5, 300 - n_tail), *rng.uniform(0.5, 0.56, n_tail)]]
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a), "label_integrity": 0.3}, [], True,
                    "torn_label", frozenset({"label_damaged_or_covered", "appearance_anomaly"}))
            for a in rng.uniform(0.51, 0.55, 9)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": float(a)}, [], True, "damaged_carton",
                    frozenset({"appearance_anomaly"})) for a in rng.uniform(0.8, 1.2, 20)]
    return out


def test_a_limit_is_not_opened_for_a_few_clean_photos_where_its_own_anomalies_score() -> None:
    # 8 clean photos would be freed, but 9 torn labels in the same band would then depend on
    # the label floor alone: at 20 clean photos per anomaly it is not worth it
    p = propose(_clean_tail_and_torn_labels(8), CalibrationParams(max_anomaly_score=0.5))
    assert p.params.max_anomaly_score == 0.5
    assert "max_anomaly_score" not in p.changes
    assert p.false_releases_proposed == 0
    # the admin is told what keeping it costs, and why
    assert p.kept_closed == {"max_anomaly_score": (8, 9)}
    assert p.to_dict()["kept_closed"] == {"max_anomaly_score": [8, 9]}


def test_a_limit_is_opened_when_it_frees_enough_clean_photos_for_the_anomalies_it_exposes(
) -> None:
    # a camera whose clean photos mostly score over the limit: 200 freed, 9 exposed
    p = propose(_clean_tail_and_torn_labels(200), CalibrationParams(max_anomaly_score=0.5))
    assert p.params.max_anomaly_score >= 0.55
    assert not p.kept_closed
    assert p.clean_release_proposed == 1.0 and p.false_releases_proposed == 0


def test_a_floor_in_force_that_already_catches_the_anomalies_is_not_moved_to_this_sources_gap(
) -> None:
    # foreign designs far below the floor in force, clean photos far above: the labelled
    # photos say the floor is right, not where this source alone would put it (a fit from
    # scratch moved it to the middle of this source's gap, and the other source lost clean
    # photos whose layout agreement is lower)
    rng = np.random.default_rng(31)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.3, "design_layout": float(d)}, [], False)
           for d in rng.uniform(0.97, 1.0, 200)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": 0.3, "design_layout": float(d)}, [], True,
                    "different_design", frozenset({"design_mismatch"}))
            for d in rng.uniform(0.1, 0.5, 12)]
    p = propose(out, CalibrationParams(min_design_layout=0.7))
    assert p.false_releases_proposed == 0 and p.clean_release_proposed == 1.0
    assert p.params.min_design_layout == 0.7
    assert "min_design_layout" not in p.changes


def test_a_floor_is_not_raised_to_name_an_anomaly_another_stage_already_holds() -> None:
    # one foreign design agrees with the filing's layout as well as a clean photo of another
    # source would (0.91); its appearance already sends it to inspection
    rng = np.random.default_rng(37)
    out = [Outcome({**CLEAN_SCORES, "anomaly": 0.3, "design_layout": float(d)}, [], False)
           for d in rng.uniform(0.93, 1.0, 200)]
    out += [Outcome({**CLEAN_SCORES, "anomaly": a, "design_layout": d}, [], True,
                    "different_design", frozenset({"design_mismatch"}))
            for a, d in [(1.4, 0.91), *[(0.3, float(v)) for v in rng.uniform(0.1, 0.5, 11)]]]
    p = propose(out, CalibrationParams(min_design_layout=0.7, max_anomaly_score=0.5))
    assert p.false_releases_proposed == 0
    assert p.params.min_design_layout == 0.7
    assert not p.changes


def _rows(clean: tuple[float, float], damaged: tuple[float, float], seed: int
          ) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    return [{"scores": {**CLEAN_SCORES, "anomaly": float(a)}, "codes": [], "anomaly": kind,
             "filing": "F-1", "seconds": 1.0}
            for kind, (lo, hi), n in ((None, clean, 80), ("damaged_carton", damaged, 20))
            for a in rng.uniform(lo, hi, n)]


def test_a_fit_on_one_source_repairs_a_too_loose_limit_for_the_other() -> None:
    from vision.crossbench import evaluate, fit, repair_table

    source_a = _rows((0.1, 0.45), (0.7, 0.9), 41)
    source_b = _rows((0.1, 0.45), (0.6, 0.95), 43)  # subtler damage than A's
    too_loose = CalibrationParams(max_anomaly_score=1.0)
    fitted = fit(source_a, "fit-A", too_loose)
    before, after = evaluate(source_b, too_loose), evaluate(source_b, fitted)
    assert before["false_releases"] == 20
    assert after["false_releases"] < 20 and after["clean_release"] == 1.0
    # a version in force that A's labelled photos do not show wrong is left as it is
    assert fit(source_a, "fit-A", CalibrationParams(max_anomaly_score=0.5)) == replace(
        CalibrationParams(max_anomaly_score=0.5), version="fit-A")
    assert "appearance limit 0.5 -> 1.0 (too loose) | A → B | 100.0 % / 20/20" in repair_table(
        source_a, source_b)
