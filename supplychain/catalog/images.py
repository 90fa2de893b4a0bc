"""商品图片 product images: stored as ``files/products/<id>.<ext>`` under the instance
folder.

An upload is accepted only when its first bytes say PNG, JPEG or WebP (the file name and
the browser's content type are not trusted) and it is at most 2 MB."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app

from supplychain.catalog.services import get_product
from supplychain.errors import NotFound, ValidationFailed
from supplychain.extensions import db

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_DIR = os.path.join("files", "products")
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def image_kind(data: bytes) -> str | None:
    """'png', 'jpg' or 'webp' from the magic bytes, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class StoredImage:
    path: str  # absolute path on this machine
    mimetype: str


def _absolute(relative: str) -> str:
    return os.path.join(current_app.instance_path, relative)


def save_product_image(sku: str, data: bytes) -> str:
    """Store the image of a product, replacing any earlier one; returns the path
    relative to the instance folder. Raises ValidationFailed (field ``image``) for an
    empty, oversize or non-image file, NotFound for an unknown SKU."""
    if not data:
        raise ValidationFailed({"image": ["Choose an image file."]})
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationFailed({"image": ["The image is larger than 2 MB."]})
    kind = image_kind(data)
    if kind is None:
        raise ValidationFailed(
            {"image": ["Only PNG, JPEG or WebP images are accepted."]}
        )
    product = get_product(sku)
    relative = os.path.join(IMAGE_DIR, f"{product.id}.{kind}")
    target = _absolute(relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = f"{target}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)  # readers never see a half-written file
    previous = product.image_path
    product.image_path = relative
    db.session.commit()
    if previous and previous != relative and os.path.exists(_absolute(previous)):
        os.remove(_absolute(previous))
    return relative


def product_image(sku: str, *, active_only: bool = False) -> StoredImage:
    """Where the product's image is, for sending; NotFound when it has none."""
    product = get_product(sku, active_only=active_only)
    if not product.image_path:
        raise NotFound(f"Product {sku!r} has no image.")
    path = _absolute(product.image_path)
    if not os.path.isfile(path):
        raise NotFound(f"The image of {sku!r} is missing.")
    kind = os.path.splitext(path)[1].lstrip(".")
    return StoredImage(path, MIMETYPES.get(kind, "application/octet-stream"))
