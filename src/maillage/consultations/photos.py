"""Photos of contributions: checked by content, resized, stripped of EXIF (GPS included)."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from maillage.consultations.models import Contribution
from maillage.core.storage import random_file_name

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# Past this many pixels a small file could expand into gigabytes in memory.
MAX_PIXELS = 50_000_000


class PhotoTooLarge(Exception):
    """The upload is larger than MAX_PHOTO_BYTES (answered with 413)."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"the photo is {size / 1e6:.1f} MB; the limit is {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
        )


def photo_prepare(data: bytes) -> ContentFile:
    """Return a JPEG ready to store: at most 1600 px a side, no metadata at all, a random name.

    The orientation tag is applied to the pixels first so that the photo stays upright once
    EXIF is gone. Re-encoding from the pixels alone is what drops EXIF, GPS, XMP and comments.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            probe.verify()
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    f"unsupported image format {image.format}: send JPEG, PNG, WebP or GIF"
                )
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("the image has too many pixels (50 megapixels at most)")
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("the file is not an image (JPEG, PNG, WebP or GIF)") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError("the image is damaged and cannot be read") from None
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=random_file_name("jpg"))


def photo_store(prepared: ContentFile) -> str:
    """Save a prepared photo in the file store and return its name, to record afterwards.

    It runs before the transaction that records it: an upload to an object store inside it
    would hold a row lock and a database connection for as long as the network takes.
    Raise StorageUnavailable when the store fails.
    """
    if not prepared.name:
        raise ValueError("a photo is stored once photo_prepare has named it")
    field = Contribution._meta.get_field("photo")
    name = field.generate_filename(None, prepared.name)
    return field.storage.save(name, prepared, max_length=field.max_length)
