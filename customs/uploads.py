"""Checks an uploaded image by decoding it: the file name and the declared type are not trusted."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from customs.errors import UploadRejected, UploadTooLarge

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int


def check_image(data: bytes, *, max_bytes: int, max_pixels: int, min_side: int) -> CheckedImage:
    if not data:
        raise UploadRejected("the file is empty; choose a JPEG, PNG or WebP photo",
                             code="empty_upload")
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes. "
            "Send a smaller photo (phone photos are usually 2-8 MB)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise UploadRejected(
                    f"the image is {width}×{height} = {width * height:,} pixels; the limit is "
                    f"{max_pixels:,}. Resize it before uploading", code="image_too_many_pixels")
            if image.format not in ACCEPTED_FORMATS:
                raise UploadRejected(
                    f"{image.format or 'this'} images are not accepted; send JPEG, PNG or WebP",
                    code="unsupported_image_type")
            image.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRejected(
            f"the image has far too many pixels ({exc}); the limit is {max_pixels:,} pixels. "
            "Resize it before uploading", code="image_too_many_pixels") from exc
    except UnidentifiedImageError as exc:
        raise UploadRejected(
            "the file is not a readable JPEG, PNG or WebP image; send the photo file itself",
            code="not_an_image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(
            f"the image is damaged or incomplete ({exc}); upload it again",
            code="corrupt_image") from exc
    if min(width, height) < min_side:
        raise UploadRejected(
            f"the image is only {width}×{height} pixels; at least {min_side} pixels on each "
            "side are needed", code="image_too_small")
    return CheckedImage(data, ACCEPTED_FORMATS[image.format], width, height)
