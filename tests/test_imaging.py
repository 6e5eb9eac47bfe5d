import numpy as np
import pytest
import torch
from PIL import Image

from gigs_core.errors import DataError
from gigs_core.imaging import conform, load_image, pil_to_tensor, resize, tensor_to_pil, to_channels


def test_rgb_round_trip_is_exact(tmp_path):
    array = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    Image.fromarray(array).save(tmp_path / "x.png")
    image = load_image(tmp_path / "x.png")
    assert image.shape == (1, 3, 5, 7)
    assert np.array_equal(np.asarray(tensor_to_pil(image[0])), array)


@pytest.mark.parametrize(
    "make,expected",
    [
        (lambda: Image.new("L", (4, 4), 51), (0.2, 0.2, 0.2)),
        (lambda: Image.new("RGBA", (4, 4), (255, 0, 0, 0)), (1.0, 1.0, 1.0)),  # transparent → white
        (lambda: Image.new("RGBA", (4, 4), (0, 0, 255, 255)), (0.0, 0.0, 1.0)),
        (lambda: Image.new("RGB", (4, 4), (0, 255, 0)).convert("P"), (0.0, 1.0, 0.0)),
        (lambda: Image.new("CMYK", (4, 4), (0, 0, 0, 0)), (1.0, 1.0, 1.0)),
        (lambda: Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16)), (1.0, 1.0, 1.0)),
        (lambda: Image.fromarray(np.full((4, 4), 32768, dtype=np.uint16)), (0.5, 0.5, 0.5)),
    ],
)
def test_every_mode_becomes_rgb_in_unit_range(make, expected):
    tensor = pil_to_tensor(make())
    assert tensor.shape == (1, 3, 4, 4) and tensor.dtype == torch.float32
    torch.testing.assert_close(tensor[0, :, 0, 0], torch.tensor(expected), atol=2e-3, rtol=0)


def test_not_an_image_is_a_data_error(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DataError, match="not a readable image"):
        load_image(tmp_path / "a.jpg")
    with pytest.raises(DataError, match="does not exist"):
        load_image(tmp_path / "missing.png")


def test_resize_and_channels():
    images = torch.rand(2, 3, 40, 20)
    assert resize(images, 8).shape == (2, 3, 8, 8)
    assert resize(images, (40, 20)) is images
    constant = torch.full((1, 3, 30, 30), 0.25)
    torch.testing.assert_close(resize(constant, 7), torch.full((1, 3, 7, 7), 0.25))
    grey = to_channels(torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1), 1)
    assert float(grey) == pytest.approx(0.299)
    assert to_channels(torch.rand(1, 1, 2, 2), 3).shape == (1, 3, 2, 2)
    assert conform(torch.rand(1, 3, 64, 64), 16, 1).shape == (1, 1, 16, 16)
