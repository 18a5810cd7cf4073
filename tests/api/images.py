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
