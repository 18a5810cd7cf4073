"""Small real images for upload tests, made on the fly."""

import io
import random

from PIL import Image, ImageDraw


def jpeg_bytes(seed: int = 1, size: tuple[int, int] = (640, 480)) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def carton_face_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    """A plain carton face, slightly off-axis, on a darker floor: a face outline any detector
    is sure of."""
    w, h = size
    image = Image.new("RGB", size, (70, 90, 110))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0.22 * w, 0.2 * h), (0.8 * w, 0.23 * h), (0.78 * w, 0.8 * h),
                  (0.21 * w, 0.78 * h)], fill=(196, 160, 110))
    draw.rectangle((0.38 * w, 0.42 * h, 0.52 * w, 0.55 * h), fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
