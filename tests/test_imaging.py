import numpy as np
import pytest
import torch
from PIL import Image

from gigs_core.errors import DataError
from gigs_core.imaging import conform, load_image, pil_to_tensor, read_photo, resize, tensor_to_pil, to_channels


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


def test_a_huge_jpeg_is_decoded_small_with_a_note(tmp_path):
    path = tmp_path / "huge.jpg"
    Image.new("RGB", (4096, 2048), (30, 120, 200)).save(path, quality=90)
    photo, notes = read_photo(path, 32)
    assert max(photo.shape[-2:]) <= 256 and photo.shape[-1] == 2 * photo.shape[-2]
    assert notes == [f"the 4096×2048 photo was decoded at {photo.shape[-1]}×{photo.shape[-2]} to bound memory"]
    assert torch.allclose(photo.mean(dim=(2, 3)), torch.tensor([[30, 120, 200]]) / 255, atol=0.02)


@pytest.mark.parametrize("mode,value", [("I;16", 40000), ("P", 3), ("1", 1)])
def test_huge_images_of_modes_that_cannot_be_reduced_directly(tmp_path, mode, value):
    path = tmp_path / "huge.png"
    Image.new(mode, (1200, 600), value).save(path)
    photo, notes = read_photo(path, 32)
    full = load_image(path)
    assert photo.shape[-2:] == (120, 240) and "decoded at 240×120" in notes[0]
    assert torch.allclose(photo.mean(), full.mean(), atol=0.01)


def test_a_one_pixel_photo_is_accepted_with_a_note(tmp_path):
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (200, 10, 10)).save(path)
    photo, notes = read_photo(path, 32)
    assert photo.shape == (1, 3, 1, 1) and "holds little detail" in notes[0]


def test_an_ordinary_photo_is_read_as_is_without_notes(tmp_path):
    path = tmp_path / "shoe.png"
    Image.new("RGB", (40, 30), (1, 2, 3)).save(path)
    photo, notes = read_photo(path, 32)
    assert notes == [] and torch.equal(photo, load_image(path))
