"""Demo data, loaded once: `python -m customs.demo`. Running it again changes nothing."""

import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from customs import clearance, declarations, filings, inspections, packing_photos, rectification
from customs.db import make_engine, session_scope
from customs.enterprises import create_enterprise, create_office, create_user, ensure_admin
from customs.inprocess_worker import InProcessWorker
from customs.photos import check_upload
from customs.screening import ScreeningContext
from customs.settings import Settings, get_settings
from customs.storage import BlobStore
from models import (
    ContainerBase,
    CreditLevel,
    DeclarationCreate,
    Enterprise,
    EnterpriseCreate,
    FilingCreate,
    GoodsCategory,
    GoodsLineBase,
    InspectionOutcome,
    OfficeCreate,
    Role,
    TransportMode,
    User,
    UserCreate,
    utcnow,
)
from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, encode_png, render_photo

log = logging.getLogger(__name__)
DEMO_PASSWORD = "clearlane-demo"
DEMO_ACCOUNTS = [
    ("exporter", "exporter", "Xiamen Haicang Lithium Power Co. (advanced AEO)"),
    ("exporter2", "exporter", "Sanming Mountain Fresh Fruit Co. (general)"),
    ("officer", "officer", "Xiamen customs officer, vehicle 闽D-C1234"),
    ("officer2", "officer", "Sanming customs officer, vehicle 闽G-C5678"),
    ("remote", "officer", "desk officer for remote video inspections"),
    ("port", "port_operator", "Xiamen port terminal operator"),
]


DESIGN = CartonDesign.random(2026, un_numbers=("UN3480",), transport_mode="sea",
                             requires_9a=True)


def reference_photo() -> bytes:
    """The filed design's front face, flat, as an exporter's design file would show it."""
    return encode_png(render_face(DESIGN, 2.0))


def packing_photo(variant: FaceVariant | None = None, seed: int = 11) -> bytes:
    """A phone-like photo of a packed carton of the filed design (or of an anomaly)."""
    rgb, _ = render_photo(DESIGN, variant or FaceVariant(), seed, size=(2000, 1500))
    return encode_jpeg(rgb, 90)


def write_sample_photos(directory: Path) -> list[Path]:
    """Packing photos a demo user can upload: one clean, one with the wrong UN number."""
    directory.mkdir(parents=True, exist_ok=True)
    samples = {
        "packing-clean.jpg": packing_photo(seed=21),
        "packing-wrong-un-number.jpg": packing_photo(FaceVariant(mark_un_numbers=("UN3481",)),
                                                     seed=22),
        "packing-no-battery-mark.jpg": packing_photo(FaceVariant(mark=None), seed=23),
    }
    for name, data in samples.items():
        if not (directory / name).exists():
            (directory / name).write_bytes(data)
    return [directory / name for name in samples]


def load(engine: Engine, settings: Settings) -> bool:
    """Returns False when the demo data is already there."""
    with session_scope(engine) as session:
        ensure_admin(session, settings.admin_password or DEMO_PASSWORD)
        if session.exec(select(Enterprise).where(Enterprise.customs_code == "3502960ABC")).first():
            return False
        _load(session, settings)
    with session_scope(engine) as session:
        _screen_and_inspect(session, engine, settings)
    return True


def _load(session: Session, settings: Settings) -> None:
    store = BlobStore(settings.blob_dir)
    xiamen = create_office(session, OfficeCreate(name="Xiamen Customs, Haicang office",
                                                 latitude=24.4856, longitude=118.0331))
    sanming = create_office(session, OfficeCreate(name="Sanming Customs office",
                                                  latitude=26.2654, longitude=117.6390))
    battery = create_enterprise(session, EnterpriseCreate(
        name="Xiamen Haicang Lithium Power Co.", customs_code="3502960ABC",
        credit_level=CreditLevel.advanced, address="88 Haicang Ave, Xiamen",
        latitude=24.4947, longitude=117.9967))
    fruit = create_enterprise(session, EnterpriseCreate(
        name="Sanming Mountain Fresh Fruit Co.", customs_code="3504960XYZ",
        credit_level=CreditLevel.general, address="12 Liedong Rd, Sanming",
        latitude=26.2390, longitude=117.6150))
    ids = {"exporter": battery.id, "exporter2": fruit.id}
    shifts = {"shift_start": time(8, 30), "shift_end": time(17, 30)}
    for username, role, name in DEMO_ACCOUNTS:
        extra: dict[str, object] = {}
        if username == "officer":
            extra = {"office_id": xiamen.id, "vehicle": "闽D-C1234",
                     "skills": ["dangerous_goods", "general"], **shifts}
        elif username == "officer2":
            extra = {"office_id": sanming.id, "vehicle": "闽G-C5678",
                     "skills": ["general", "quarantine"], **shifts}
        elif username == "remote":
            extra = {"office_id": xiamen.id, "skills": ["dangerous_goods", "general"], **shifts}
        create_user(session, UserCreate(username=username, password=DEMO_PASSWORD,
                                        role=Role(role), full_name=name,
                                        enterprise_id=ids.get(username), **extra))
    exporter = session.exec(select(User).where(User.username == "exporter")).one()
    officer = session.exec(select(User).where(User.username == "officer")).one()
    filing = filings.create_filing(session, exporter, FilingCreate(
        title="48V e-bike battery pack, 4G fibreboard box", un_numbers=["UN3480"],
        proper_shipping_name="LITHIUM ION BATTERIES", packing_instruction="P903",
        package_type="fibreboard box", un_packaging_code="4G/Y25/S/24",
        gross_weight_min_kg=10, gross_weight_max_kg=25, transport_mode=TransportMode.sea))
    photo = reference_photo()
    image = check_upload(photo, settings)
    sha256 = store.put(image.data)[0]
    whole = [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]]
    # a flat design file: the whole image is the face, already rectified
    front = filings.add_photo(session, filing, "front", image, sha256,
                              {"corners": whole, "score": 1.0, "method": "design file"}, sha256,
                              rectification.labels_on(image.data))
    filings.review(session, officer, filing, True, "matches the P903 packing instruction",
                   [front.id])


def _declare(session: Session, user: User, **fields: object) -> None:
    declaration = declarations.create_declaration(session, user, DeclarationCreate(**fields))
    declarations.submit(session, user, declaration)


# On-site inspection sites around Xiamen (warehouses of the battery exporter).
ONSITE_SITES = [
    ("Haicang bonded warehouse 3", 24.4601, 117.9812, "CSQU3054383"),
    ("Xinyang industrial park, hall B", 24.5023, 118.0390, "MSKU1234565"),
    ("Jimei logistics centre", 24.5810, 118.0975, "OOLU1234567"),
    ("Tong'an battery plant", 24.7231, 118.1521, "EGHU1234562"),
]


def _plan_day_window(settings: Settings, start: time, end: time) -> tuple[datetime, datetime]:
    """An appointment on the day the next dispatch plan covers (tomorrow after 17:30)."""
    tz = ZoneInfo(settings.port_timezone)
    now = utcnow().astimezone(tz)
    day = now.date() + timedelta(days=1 if now.time() >= time(17, 30) else 0)
    return datetime.combine(day, start, tz), datetime.combine(day, end, tz)


def _screen_and_inspect(session: Session, engine: Engine, settings: Settings) -> None:
    """Declarations in every interesting state; screening here runs without the vision engine
    (every shipment to inspection), so the demo day has inspections to dispatch."""
    store = BlobStore(settings.blob_dir)
    exporter = session.exec(select(User).where(User.username == "exporter")).one()
    exporter2 = session.exec(select(User).where(User.username == "exporter2")).one()
    officer = session.exec(select(User).where(User.username == "officer")).one()
    battery = [GoodsLineBase(hs_code="8507600090", description="lithium-ion battery packs",
                             un_number="UN3480", quantity=120, gross_weight_kg=2400)]
    for name, lat, lon, container in ONSITE_SITES:
        _declare(session, exporter, filing_id=1, vessel="COSCO XIAMEN", voyage="041E",
                 goods=battery, containers=[ContainerBase(container_no=container)],
                 remote_inspection_ok=False, inspection_address=name,
                 inspection_latitude=lat, inspection_longitude=lon,
                 arrival_at=utcnow() - timedelta(hours=2))
    for n, container in enumerate(["TGHU9876542", "CMAU1234564"]):
        _declare(session, exporter, filing_id=1, vessel="COSCO XIAMEN", voyage=f"04{n + 2}E",
                 goods=battery, containers=[ContainerBase(container_no=container)],
                 arrival_at=utcnow() - timedelta(hours=3 - n))
    _declare(session, exporter2, goods_category=GoodsCategory.fresh_food,
             remote_inspection_ok=False, vessel="ZHONGGU FUZHOU", voyage="112N",
             goods=[GoodsLineBase(hs_code="08052100", description="fresh mandarins",
                                  quantity=800, gross_weight_kg=9600)],
             containers=[ContainerBase(container_no="CAIU2345678")])
    session.flush()
    for user in (exporter, exporter2):
        mine = declarations.list_declarations(session, user, status=None, offset=0,
                                              limit=50)[0]
        for number, declaration in enumerate(reversed(mine)):
            assert declaration.id is not None
            packing_photos.accept_packing_photo(session, settings, store, user, declaration.id,
                                                packing_photo(seed=100 + declaration.id + number))
    InProcessWorker(ScreeningContext(engine, settings, store, screener=None)).run_pending()
    window = _plan_day_window(settings, time(9, 0), time(11, 0))
    for task in inspections.open_tasks(session):
        if task.goods_category == GoodsCategory.fresh_food:
            task.window_start, task.window_end = window
            session.add(task)
    to_release = clearance.find(session, container_no="TGHU9876542", declaration_no=None)
    released = next(t for t in inspections.open_tasks(session)
                    if t.declaration_id == to_release.id)
    inspections.record_result(session, settings, store, officer, released,
                              InspectionOutcome.passed,
                              "packing matches the filing; marks correct (demo)")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    created = load(engine, settings)
    print("demo data loaded" if created else "demo data already present")
    samples = write_sample_photos(settings.data_dir / "demo-photos")
    print("\nPacking photos to try as the exporter (filing 1, UN3480):")
    for path in samples:
        print(f"  {path}")
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    print(f"  {'admin':<10} admin          administrator"
          + ("" if not settings.admin_password else " (password: CLEARLANE_ADMIN_PASSWORD)"))
    for username, role, name in DEMO_ACCOUNTS:
        print(f"  {username:<10} {role:<14} {name}")


if __name__ == "__main__":
    main()
