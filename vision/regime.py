"""The label regime: which marks and labels a lithium-battery package must (and must not)
carry, from the UN numbers, the transport mode and the exporter's stated provision.

All rules live in :data:`RULES`, one row per (provision, mode, UN numbers), each citing its
source. :func:`expected_marks` is the only entry point; the filing page shows its
explanations to the exporter (when filing) and to the officer (when approving).

Provisions (what the exporter states on the filing):

* ``fully_regulated`` — Class 9 dangerous goods: IMDG / ADR in full, IATA PI 965/968
  Section IA or PI 966/967/969/970 Section I.
* ``section_ib`` — air only, PI 965/968 Section IB (small cells/batteries shipped alone,
  over the Section II quantities, which IATA removed in 2022 for PI 965/968).
* ``small_battery`` — the small-battery exemption: IMDG / ADR special provision 188 by sea or
  road, IATA PI 966/967/969/970 Section II by air. Aliases: ``sp188_small``, ``section_ii``.

Decision on the class 9 label under the exemption: SP188 and Section II packages are not
subject to the labelling provisions, and IATA DGR 7.1.1 / 7.2.1 require marks and labels
that do not apply to the contents to be removed or obliterated. A class 9 label on a package
filed as exempt therefore means either the filing or the package is wrong (the cells may be over the
SP188 limits); it is flagged for inspection (``unexpected_class9_label``), not ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vision.schema import normalise_un

CLASS9A = "class9a_label"
UN_MARKING = "un_number_marking"
PSN = "proper_shipping_name"
LITHIUM_MARK = "lithium_battery_mark"
CAO = "cargo_aircraft_only"
MARKS = (CLASS9A, UN_MARKING, PSN, LITHIUM_MARK, CAO)

LITHIUM_UN = frozenset({"UN3090", "UN3091", "UN3480", "UN3481"})
STANDALONE = frozenset({"UN3480", "UN3090"})  # batteries shipped alone (not in equipment)
IN_EQUIPMENT = frozenset({"UN3481", "UN3091"})
PROVISIONS = ("fully_regulated", "section_ib", "small_battery")
_ALIASES = {"sp188_small": "small_battery", "sp188": "small_battery",
            "section_ii": "small_battery", "section_ia": "fully_regulated",
            "section_i": "fully_regulated"}

MARK_TEXT: dict[str, dict[str, str]] = {
    CLASS9A: {"en": "Class 9A lithium battery hazard label (diamond, 100 × 100 mm, seven "
                    "black stripes above the battery pictogram)",
              "zh-CN": "第9类锂电池危险性标签（9A，100×100 毫米菱形，上半部七条黑色竖条，"
                       "下半部电池图形）"},
    UN_MARKING: {"en": "UN number marked on the package, preceded by the letters \"UN\"",
                 "zh-CN": "包件上标注以“UN”开头的联合国编号"},
    PSN: {"en": "Proper shipping name marked next to the UN number (e.g. \"LITHIUM ION "
                "BATTERIES\")",
          "zh-CN": "在联合国编号旁标注正确运输名称（如“LITHIUM ION BATTERIES”）"},
    LITHIUM_MARK: {"en": "Lithium battery mark: red hatched border, at least 100 × 100 mm "
                         "(100 × 70 mm on small packages), with the UN number(s)",
                   "zh-CN": "锂电池标记：红色斜线边框，至少 100×100 毫米（小包件 100×70 "
                            "毫米），内含联合国编号"},
    CAO: {"en": "Cargo Aircraft Only label (orange, 120 × 110 mm)",
          "zh-CN": "“仅限货机”标签（橙色，120×110 毫米）"},
}
FORBIDDEN_TEXT: dict[str, dict[str, str]] = {
    CLASS9A: {"en": "No class 9 hazard label: the package is filed under the small-battery "
                    "exemption, where hazard labels do not apply and must not be shown",
              "zh-CN": "不得粘贴第9类危险性标签：该包件按小型电池豁免申报，危险性标签不适用，"
                       "不应出现"},
}


class RegimeError(ValueError):
    """The filing's combination of UN numbers, mode and provision is not allowed; the
    message says what to change (show it on the filing form, answer 4xx)."""


@dataclass(frozen=True)
class Rule:
    """One row of the rules table."""

    provision: str
    modes: frozenset[str]
    un_numbers: frozenset[str]
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    source: str


def _rule(provision: str, modes: str, uns: Iterable[str], required: Sequence[str],
          forbidden: Sequence[str], source: str) -> Rule:
    return Rule(provision, frozenset(modes.split()), frozenset(uns), tuple(required),
                tuple(forbidden), source)


RULES: tuple[Rule, ...] = (
    # sea -------------------------------------------------------------------------------------
    _rule("fully_regulated", "sea", LITHIUM_UN, (CLASS9A, UN_MARKING, PSN), (),
          "IMDG Code 5.2.1.1 (UN number and proper shipping name on the package); 5.2.2.1 and "
          "5.2.2.2.2 (class 9A lithium battery label, model No. 9A)"),
    _rule("small_battery", "sea", LITHIUM_UN, (LITHIUM_MARK,), (CLASS9A,),
          "IMDG Code 3.3 special provision 188 (.7: lithium battery mark; not subject to the "
          "other provisions of the Code) and 5.2.1.10 (the mark)"),
    # road ------------------------------------------------------------------------------------
    _rule("fully_regulated", "road", LITHIUM_UN, (CLASS9A, UN_MARKING, PSN), (),
          "ADR 5.2.1.1 (UN number) and 5.2.2.2.2 (label model No. 9A), as IMDG 5.2.1/5.2.2"),
    _rule("small_battery", "road", LITHIUM_UN, (LITHIUM_MARK,), (CLASS9A,),
          "ADR 3.3 special provision 188 and 5.2.1.9 (lithium battery mark), as IMDG SP188"),
    # air -------------------------------------------------------------------------------------
    _rule("fully_regulated", "air", STANDALONE, (CLASS9A, UN_MARKING, PSN, CAO), (),
          "IATA DGR PI 965 / PI 968 Section IA; 7.1.4.1 (UN number and proper shipping name), "
          "7.2 (class 9 lithium battery hazard label), 7.2.4.2 (Cargo Aircraft Only: UN3480 / "
          "UN3090 are forbidden on passenger aircraft)"),
    _rule("section_ib", "air", STANDALONE, (CLASS9A, UN_MARKING, PSN, LITHIUM_MARK, CAO), (),
          "IATA DGR PI 965 / PI 968 Section IB (class 9 lithium battery label, lithium battery "
          "mark 7.1.5.5, Cargo Aircraft Only 7.2.4.2, UN number and proper shipping name)"),
    _rule("fully_regulated", "air", IN_EQUIPMENT, (CLASS9A, UN_MARKING, PSN), (),
          "IATA DGR PI 966 / 967 / 969 / 970 Section I; 7.1.4.1 and 7.2 (batteries "
          "packed with or contained in equipment may go on passenger aircraft: no CAO label)"),
    _rule("small_battery", "air", IN_EQUIPMENT, (LITHIUM_MARK,), (CLASS9A,),
          "IATA DGR PI 966 / 967 / 969 / 970 Section II (lithium battery mark 7.1.5.5; no "
          "hazard label, 7.2.1: labels that do not apply are not shown)"),
)


@dataclass(frozen=True)
class MarkExpectation:
    """One expected (or forbidden) mark with the text shown to the officer and exporter."""

    mark: str
    required: bool  # False: must NOT be on the package
    explanation: dict[str, str]
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"mark": self.mark, "required": self.required,
                "explanation": dict(self.explanation), "sources": list(self.sources)}


@dataclass(frozen=True)
class LabelRegime:
    """The marks the package must carry and those it must not."""

    un_numbers: tuple[str, ...]
    transport_mode: str
    provision: str
    required: frozenset[str]
    forbidden: frozenset[str]
    items: tuple[MarkExpectation, ...]

    def to_dict(self) -> dict[str, object]:
        return {"un_numbers": list(self.un_numbers), "transport_mode": self.transport_mode,
                "provision": self.provision, "required": sorted(self.required),
                "forbidden": sorted(self.forbidden), "items": [i.to_dict() for i in self.items]}


def normalise_provision(provision: str) -> str:
    p = provision.strip().lower().replace("-", "_").replace(" ", "_")
    p = _ALIASES.get(p, p)
    if p not in PROVISIONS:
        raise RegimeError(f"Unknown provision {provision!r}: choose one of "
                          f"{', '.join(PROVISIONS)} (or sp188_small / section_ii).")
    return p


def expected_marks(un_numbers: Iterable[str], transport_mode: str,
                   provision: str = "fully_regulated") -> LabelRegime:
    """The label regime of a filing. Raises :class:`RegimeError` for a combination the
    regulations do not allow (e.g. Section II for UN3480 by air) or for UN numbers that are
    not lithium batteries. Several UN numbers: the union of their rows' requirements."""
    uns = tuple(sorted({normalise_un(u) for u in un_numbers}))
    mode = transport_mode.strip().lower()
    prov = normalise_provision(provision)
    if not uns:
        raise RegimeError("The filing names no UN number: give UN3480, UN3481, UN3090 or "
                          "UN3091.")
    if mode not in {"sea", "air", "road"}:
        raise RegimeError(f"Unknown transport mode {transport_mode!r}: sea, air or road.")
    required: dict[str, list[str]] = {}
    forbidden: dict[str, list[str]] = {}
    for un in uns:
        if un not in LITHIUM_UN:
            raise RegimeError(f"{un} is not a lithium battery UN number (UN3480, UN3481, "
                              f"UN3090, UN3091): this check covers lithium batteries only.")
        rows = [r for r in RULES if r.provision == prov and mode in r.modes and un in r.un_numbers]
        if not rows:
            raise RegimeError(_no_rule_message(un, mode, prov))
        for r in rows:
            for m in r.required:
                required.setdefault(m, []).append(r.source)
            for m in r.forbidden:
                forbidden.setdefault(m, []).append(r.source)
    # a mark required for one UN number is never forbidden because of another
    for m in required:
        forbidden.pop(m, None)
    items = [MarkExpectation(m, True, MARK_TEXT[m], tuple(dict.fromkeys(required[m])))
             for m in MARKS if m in required]
    items += [MarkExpectation(m, False, FORBIDDEN_TEXT.get(m, MARK_TEXT[m]),
                              tuple(dict.fromkeys(forbidden[m]))) for m in MARKS if m in forbidden]
    return LabelRegime(uns, mode, prov, frozenset(required), frozenset(forbidden), tuple(items))


def _no_rule_message(un: str, mode: str, prov: str) -> str:
    if prov == "small_battery" and mode == "air" and un in STANDALONE:
        return (f"{un} by air cannot use Section II: IATA removed Section II of PI 965/968 "
                f"in 2022. File it as section_ib or fully_regulated.")
    if prov == "section_ib":
        return (f"Section IB exists only for UN3480 / UN3090 by air (PI 965/968); for {un} by "
                f"{mode} choose fully_regulated or small_battery.")
    return f"No labelling rule for {un} by {mode} under {prov}."


def regime_from_legacy(un_numbers: Iterable[str], transport_mode: str,
                       requires_9a: bool) -> LabelRegime:
    """Compatibility for filings made before the regime existed: ``requires_9a=True`` was a
    fully regulated package, ``False`` the small-battery exemption (mark only)."""
    uns = list(un_numbers)
    mode = transport_mode
    prov = "fully_regulated" if requires_9a else "small_battery"
    try:
        return expected_marks(uns, mode, prov)
    except RegimeError:
        if prov == "small_battery":  # e.g. UN3480 by air: Section IB is the nearest rule
            return expected_marks(uns, mode, "section_ib")
        raise
