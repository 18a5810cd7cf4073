"""Uploaded images are re-encoded before they are stored and shown: no EXIF (GPS position,
camera serial, time), no XMP, no comments, no trailing bytes.

The pixels are kept as they are: JPEGs are re-saved with their own quantisation tables
(`quality="keep"`) unless the EXIF orientation has to be applied first, PNGs losslessly. A file
that is also something else (a JPEG+HTML polyglot) comes out as an image only.
"""

import io

from PIL import Image, ImageOps

from customs.uploads import CheckedImage

ORIENTATION_TAG = 0x0112
KEPT_INFO = ("icc_profile", "transparency")  # colour and alpha, nothing about the photographer


def _clean_info(image: Image.Image, source_info: dict[str, object]) -> None:
    image.info = {key: source_info[key] for key in KEPT_INFO if key in source_info}


def without_metadata(checked: CheckedImage) -> CheckedImage:
    with Image.open(io.BytesIO(checked.data)) as source:
        image_format = source.format
        info = dict(source.info)
        orientation = source.getexif().get(ORIENTATION_TAG, 1)
        out = io.BytesIO()
        if image_format == "JPEG" and orientation == 1:
            source.load()
            _clean_info(source, info)
            source.save(out, "JPEG", quality="keep", subsampling="keep",
                        icc_profile=info.get("icc_profile"))
            width, height = source.size
        else:
            image = ImageOps.exif_transpose(source) if orientation != 1 else source.copy()
            _clean_info(image, info)
            if image_format == "JPEG":
                image.save(out, "JPEG", quality=95, icc_profile=info.get("icc_profile"))
            elif image_format == "WEBP":
                image.save(out, "WEBP", quality=95, method=4,
                           icc_profile=info.get("icc_profile"))
            else:
                image.save(out, "PNG", optimize=False)
            width, height = image.size
    return CheckedImage(out.getvalue(), checked.content_type, width, height)
