"""Image tensors: reading files, resizing, channel conversion, writing PNGs.

Every function takes and returns ``N×C×H×W`` float tensors in ``[0, 1]``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from gigs_core.errors import DataError


def resize(images: torch.Tensor, size: int | tuple[int, int]) -> torch.Tensor:
    """Bilinear resize (antialiased when shrinking); a no-op at the same size."""
    target = (size, size) if isinstance(size, int) else tuple(size)
    if tuple(images.shape[-2:]) == target:
        return images
    shrinking = images.shape[-2] > target[0] or images.shape[-1] > target[1]
    return F.interpolate(images, size=target, mode="bilinear", align_corners=False, antialias=shrinking)


def to_channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    """Convert between grey (1) and RGB (3) by luminance or repetition."""
    have = images.shape[1]
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return images.expand(-1, 3, -1, -1)
    if have == 3 and channels == 1:
        weights = images.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
        return (images * weights).sum(dim=1, keepdim=True)
    raise DataError(f"cannot convert {have}-channel images to {channels} channels")


def conform(images: torch.Tensor, size: int, channels: int) -> torch.Tensor:
    """Images resized to ``size`` and converted to ``channels``."""
    return to_channels(resize(images, size), channels)


def pil_to_tensor(image: Image.Image) -> torch.Tensor:
    """A PIL image of any mode (RGBA, palette, grey, CMYK, 16-bit) as a 1×3×H×W
    tensor in ``[0, 1]``; transparency is composited over white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if array.max() > 255 else 255.0
        grey = torch.from_numpy(array / peak).float().clamp(0, 1)
        return grey[None, None].expand(1, 3, -1, -1).contiguous()
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    array = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1)[None].float() / 255.0


@contextlib.contextmanager
def _reading(path: str | Path) -> Iterator[Image.Image]:
    """``path`` opened with PIL; a missing file, or one that cannot be read or decoded
    (within the block too), is a one-line :class:`DataError` naming it."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"image file {str(path)!r} {'is not a file' if path.exists() else 'does not exist'}")
    try:
        with Image.open(path) as image:
            yield image
    except Image.DecompressionBombError as exc:
        raise DataError(f"{str(path)!r} is too large to decode safely ({exc}); give a smaller image") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DataError(f"{str(path)!r} is not a readable image ({exc}); give a PNG or JPEG file") from None


#: The side a JPEG is decoded at when it is only checked, not used.
DRAFT_SIDE = 256


def check_image(path: str | Path) -> None:
    """Fail unless ``path`` is an image that decodes: its header, PIL's size limit against
    decompression bombs, its checksums (``verify``) and all its data (``load``; a JPEG is
    decoded at reduced scale, as :func:`read_photo` will, which still reads every byte)."""
    with _reading(path) as image:
        image.verify()
    with _reading(path) as image:  # PIL cannot load an image after verify()
        image.draft("RGB", (DRAFT_SIDE, DRAFT_SIDE))
        image.load()


def load_image(path: str | Path) -> torch.Tensor:
    """Read an image file as a 1×3×H×W tensor in ``[0, 1]``."""
    with _reading(path) as image:
        image.load()
        return pil_to_tensor(image)


#: Photos are decoded at no more than this many times the generator's side (enough for an
#: antialiased downscale), so a 10,000 × 10,000 photo does not take gigabytes.
DECODE_MARGIN = 4


def read_photo(path: str | Path, resolution: int) -> tuple[torch.Tensor, list[str]]:
    """An item photo of any size as a 1×3×H×W tensor, and notes on what was done to it.

    Large photos are decoded small: JPEGs at 1/2 to 1/8 scale by the decoder itself
    (``draft``), then any image is reduced by an integer factor, to at most
    ``DECODE_MARGIN × resolution`` (or 256) pixels a side. A photo much smaller than the
    generator's images is accepted and said to hold little detail (a 1×1 photo becomes
    a flat square)."""
    limit = max(DECODE_MARGIN * resolution, 256)
    notes = []
    with _reading(path) as image:
        width, height = image.size
        image.draft("RGB", (limit, limit))
        image.load()
        factor = math.ceil(max(image.size) / limit)
        if factor > 1:
            if image.mode in ("P", "1", "I;16", "I;16B", "I;16L"):
                image = image.convert("RGBA" if image.mode == "P" else "I" if image.mode.startswith("I") else "L")
            image = image.reduce(factor)
        if image.size != (width, height):
            notes.append(f"the {width}×{height} photo was decoded at {image.size[0]}×{image.size[1]} to bound memory")
        if min(width, height) * DECODE_MARGIN < resolution:
            notes.append(f"the {width}×{height} photo is far smaller than the generator's {resolution}×{resolution} "
                         f"images: it was enlarged and holds little detail")
        return pil_to_tensor(image), notes


def tensor_to_pil(image: torch.Tensor) -> Image.Image:
    """One C×H×W tensor in ``[0, 1]`` (C = 1 or 3) as a PIL image."""
    array = (image.detach().float().clamp(0, 1).cpu() * 255).round().to(torch.uint8)
    if array.shape[0] == 1:
        return Image.fromarray(array[0].numpy(), mode="L")
    return Image.fromarray(array.permute(1, 2, 0).numpy(), mode="RGB")
