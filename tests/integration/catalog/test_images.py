import os

import pytest
from flask import current_app

from supplychain.catalog import images
from supplychain.errors import NotFound, ValidationFailed
from tests.factories import ProductFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.mark.parametrize("data, ext", [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_an_image_is_stored_under_the_instance_folder_by_product_id(app, data, ext):
    product = ProductFactory()

    relative = images.save_product_image(product.sku, data)

    assert relative == os.path.join("files", "products", f"{product.id}.{ext}")
    with open(os.path.join(current_app.instance_path, relative), "rb") as handle:
        assert handle.read() == data
    assert product.image_path == relative


def test_a_new_image_of_another_type_replaces_the_old_file(app):
    product = ProductFactory()
    first = images.save_product_image(product.sku, PNG)

    second = images.save_product_image(product.sku, JPEG)

    assert not os.path.exists(os.path.join(current_app.instance_path, first))
    assert images.product_image(product.sku).mimetype == "image/jpeg"
    assert second.endswith(".jpg")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + b"\x00" * 20,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"%PDF-1.4",
    ],
)
def test_anything_but_png_jpeg_or_webp_is_refused(app, data):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as caught:
        images.save_product_image(product.sku, data)

    assert "image" in caught.value.errors
    assert product.image_path is None


def test_an_image_over_two_megabytes_is_refused(app):
    product = ProductFactory()

    with pytest.raises(ValidationFailed) as caught:
        images.save_product_image(product.sku, PNG + b"\x00" * (2 * 1024 * 1024))

    assert caught.value.errors == {"image": ["The image is larger than 2 MB."]}


def test_a_product_without_an_image_has_none_to_send(app):
    product = ProductFactory()

    with pytest.raises(NotFound):
        images.product_image(product.sku)
