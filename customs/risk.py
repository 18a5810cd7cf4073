"""Risk channel and periodic sampling (DESIGN §5).

Green (release) needs every one of: a clean vision result, an approved filing, an exporter that
is not discredited, and no sampling hit. The sampling draw comes from a cryptographic RNG and is
stored with the decision, so it can be audited but not predicted. A periodic floor samples each
exporter at least once per N released shipments or D days.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from customs.settings import Settings
from models import Channel, CreditLevel, Declaration, Screening, VisionDecision, as_utc

_DRAW_RESOLUTION = 1_000_000


@dataclass
class SamplingDraw:
    rate: float
    draw: float
    sampled: bool
    rule_hits: list[str] = field(default_factory=list)


@dataclass
class ChannelDecision:
    channel: Channel
    rule_hits: list[str]
    reasons: list[str]


def rate_for(settings: Settings, credit: CreditLevel) -> float:
    return {
        CreditLevel.advanced: settings.sampling_rate_advanced,
        CreditLevel.general: settings.sampling_rate_general,
        CreditLevel.discredited: settings.sampling_rate_discredited,
    }[credit]


def draw_sample(session: Session, settings: Settings, enterprise_id: int, credit: CreditLevel,
                now: datetime) -> SamplingDraw:
    rate = rate_for(settings, credit)
    draw = secrets.randbelow(_DRAW_RESOLUTION) / _DRAW_RESOLUTION
    result = SamplingDraw(rate=rate, draw=draw, sampled=draw < rate)
    if result.sampled:
        result.rule_hits.append(f"random_sample: draw {draw:.6f} < rate {rate:.4f}")
    result.rule_hits.extend(_periodic_floor(session, settings, enterprise_id, now))
    result.sampled = result.sampled or bool(result.rule_hits)
    return result


def _periodic_floor(session: Session, settings: Settings, enterprise_id: int,
                    now: datetime) -> list[str]:
    decided = (select(Screening).join(Declaration, col(Declaration.id) == Screening.declaration_id)
               .where(Declaration.enterprise_id == enterprise_id,
                      col(Screening.channel).is_not(None)))
    last_sampled = session.exec(decided.where(col(Screening.sampled).is_(True))
                                .order_by(col(Screening.id).desc())).first()
    since = decided.where(Screening.channel == Channel.green)
    if last_sampled is not None:
        since = since.where(col(Screening.id) > last_sampled.id)
    releases = session.exec(select(func.count()).select_from(since.subquery())).one()
    hits = []
    if releases + 1 >= settings.sampling_floor_releases:
        hits.append(f"periodic_floor: {releases} releases since the last sample "
                    f"(floor: one per {settings.sampling_floor_releases})")
    reference = last_sampled or session.exec(decided.order_by(col(Screening.id))).first()
    if reference is not None and as_utc(now) - as_utc(reference.created_at) >= timedelta(
            days=settings.sampling_floor_days):
        what = "last sample" if last_sampled else "first screening"
        hits.append(f"periodic_floor: {settings.sampling_floor_days}+ days since the {what}")
    return hits


def decide_channel(vision: VisionDecision | None, has_approved_filing: bool,
                   credit: CreditLevel, sampling: SamplingDraw) -> ChannelDecision:
    hits: list[str] = []
    reasons: list[str] = []
    if vision is None:
        hits.append("no_vision_result")
        reasons.append("no automated packing-photo check ran; an officer must inspect")
    elif vision != VisionDecision.release:
        hits.append("vision_anomaly")
        reasons.append("the packing-photo check found an anomaly")
    if not has_approved_filing:
        hits.append("no_approved_filing")
        reasons.append("the declaration has no approved packaging filing")
    if credit == CreditLevel.discredited:
        hits.append("discredited_exporter")
        reasons.append("the exporter is discredited")
    if sampling.sampled:
        hits.extend(sampling.rule_hits)
        reasons.append("selected for periodic sampling")
    return ChannelDecision(channel=Channel.red if hits else Channel.green, rule_hits=hits,
                           reasons=reasons)
