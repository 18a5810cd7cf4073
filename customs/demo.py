"""Demo data, loaded once: `python -m customs.demo`. Running it again changes nothing."""

import io
import logging
from datetime import time, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import Engine
from sqlmodel import Session, select

from customs import declarations, filings, inspections
from customs.db import make_engine, session_scope
from customs.enterprises import create_enterprise, create_office, create_user, ensure_admin
from customs.screening import run_screening
from customs.settings import Settings, get_settings
from customs.storage import BlobStore
from customs.uploads import check_image
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


def demo_photo(label: str, colour: tuple[int, int, int] = (176, 132, 82)) -> bytes:
    """A plain carton face; the vision engine's generator draws proper marks when present."""
    try:
        from vision.synth import demo_reference_photo  # type: ignore[attr-defined]

        return demo_reference_photo(label)
    except (ImportError, AttributeError):
        pass
    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 1120, 820), outline=(90, 60, 30), width=8)
    draw.rectangle((420, 300, 780, 600), outline=(220, 20, 20), width=24)
    draw.text((470, 430), label, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def load(engine: Engine, settings: Settings) -> bool:
    """Returns False when the demo data is already there."""
    with session_scope(engine) as session:
        ensure_admin(session, settings.admin_password or DEMO_PASSWORD)
        if session.exec(select(Enterprise).where(Enterprise.customs_code == "3502960ABC")).first():
            return False
        _load(session, settings)
    with session_scope(engine) as session:
        _screen_and_inspect(session, settings)
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
    for face in ("front", "left"):
        photo = demo_photo(f"UN3480 {face}")
        image = check_image(photo, max_bytes=settings.max_upload_bytes,
                            max_pixels=settings.max_image_pixels, min_side=1)
        filings.add_photo(session, filing, face, image, store.put(photo)[0])
    filings.review(session, officer, filing, True, "matches the P903 packing instruction")


def _declare(session: Session, user: User, **fields: object) -> None:
    declaration = declarations.create_declaration(session, user, DeclarationCreate(**fields))
    declarations.submit(session, user, declaration)


def _screen_and_inspect(session: Session, settings: Settings) -> None:
    store = BlobStore(settings.blob_dir)
    exporter = session.exec(select(User).where(User.username == "exporter")).one()
    exporter2 = session.exec(select(User).where(User.username == "exporter2")).one()
    officer = session.exec(select(User).where(User.username == "officer")).one()
    filing_id = 1
    for n, container in enumerate(["CSQU3054383", "MSKU1234565", "TGHU9876542"]):
        _declare(session, exporter, filing_id=filing_id, vessel="COSCO XIAMEN",
                 voyage=f"0{n + 41}E", goods=[GoodsLineBase(
                     hs_code="8507600090", description="lithium-ion battery packs",
                     un_number="UN3480", quantity=120 + n, gross_weight_kg=2400 + 10 * n)],
                 containers=[ContainerBase(container_no=container)],
                 arrival_at=utcnow() - timedelta(hours=3 - n))
    now = utcnow()
    _declare(session, exporter2, goods_category=GoodsCategory.fresh_food,
             remote_inspection_ok=False, vessel="ZHONGGU FUZHOU", voyage="112N",
             goods=[GoodsLineBase(hs_code="08052100", description="fresh mandarins",
                                  quantity=800, gross_weight_kg=9600)],
             containers=[ContainerBase(container_no="CAIU2345678")])
    session.flush()
    photo = demo_photo("UN3480 packing")
    image = check_image(photo, max_bytes=settings.max_upload_bytes,
                        max_pixels=settings.max_image_pixels, min_side=1)
    sha = store.put(photo)[0]
    for declaration, _ in zip(declarations.list_declarations(
            session, exporter, status=None, offset=0, limit=10)[0], range(3), strict=False):
        declarations.add_packing_photo(session, exporter, declaration, image, sha)
        run_screening(session, settings, store, declaration.id, screener=None)
    fruit = declarations.list_declarations(session, exporter2, status=None, offset=0,
                                           limit=1)[0][0]
    declarations.add_packing_photo(session, exporter2, fruit, image, sha)
    run_screening(session, settings, store, fruit.id, screener=None)
    for task in inspections.open_tasks(session):
        if task.goods_category == GoodsCategory.fresh_food:
            task.window_start, task.window_end = now + timedelta(hours=1), now + timedelta(hours=3)
            session.add(task)
    first = inspections.open_tasks(session)[0]
    inspections.record_result(session, settings, store, officer, first, InspectionOutcome.passed,
                              "packing matches the filing; marks correct (demo)")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    created = load(engine, settings)
    print("demo data loaded" if created else "demo data already present")
    print(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
    print(f"  {'admin':<10} admin          administrator"
          + ("" if not settings.admin_password else " (password: CLEARLANE_ADMIN_PASSWORD)"))
    for username, role, name in DEMO_ACCOUNTS:
        print(f"  {username:<10} {role:<14} {name}")


if __name__ == "__main__":
    main()
