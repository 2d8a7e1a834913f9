"""Turn a user's digit picture into an MNIST-like 28x28 input.

MNIST was made this way (LeCun, Cortes and Burges, the MNIST page): each
digit was size-normalised to fit a 20x20 box keeping its aspect ratio
(anti-aliasing gives grey levels), then placed in a 28x28 field so that its
centre of mass sits at the centre. Digits are light on a dark background.
:func:`mnistify` repeats those steps on any greyscale array; :func:`load_digit`
reads a PNG or JPEG first (Pillow, the optional ``plot`` extra).
"""

from __future__ import annotations

import os
import stat
import struct
import warnings
import zlib
from typing import Any, BinaryIO

import numpy as np

__all__ = ["load_digit", "mnistify"]

_BOX = 20  # the digit's longest side after size normalisation
_FIELD = 28
# Where MNIST's centre of mass sits, in pixel indices (row, column): measured
# on the 10,000 test images, the mean is (13.99, 14.01) with a standard
# deviation of 0.29, i.e. the field's centre 28 / 2 (not the middle of the
# pixel grid, 13.5), reached by a whole-pixel shift.
_CENTRE = _FIELD / 2


def load_digit(
    path: str | os.PathLike[str] | BinaryIO, *, max_pixels: int | None = None
) -> np.ndarray:
    """Read an image file and return it as an MNIST input, float32 (784,) in [0, 1].

    ``path`` is a file name or an open binary file (``io.BytesIO`` of a PNG
    sent by the web playground). ``max_pixels``: refuse a larger picture
    from its header, before anything is decoded.

    Any size and colour mode; dark-on-light or light-on-dark; turned upright
    by its EXIF orientation; transparency laid over white, or over black when
    the picture is a light stroke on a transparent background. Raises
    ValueError naming the file when it is no image, truncated or damaged, not
    a regular file (a FIFO would block), too large or holds no digit;
    ImportError without Pillow.
    """
    try:  # deferred: Pillow is the optional "plot" extra
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError as err:
        raise ImportError("reading images needs Pillow: pip install 'nnscratch[plot]'") from err
    if isinstance(path, str | os.PathLike) and not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError(f"{_label(path)}: not a regular file (a folder, FIFO or device)")
    try:
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that, then
        # decodes gigabytes: treat the warning as the error it announces.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if max_pixels is not None and img.width * img.height > max_pixels:
                    raise ValueError(
                        f"{_label(path)}: expected at most {max_pixels} pixels, "
                        f"got {img.width}x{img.height}"
                    )
                img.load()
                # Phones store the sensor's pixels and the turn in EXIF Orientation.
                grey = _to_grey(ImageOps.exif_transpose(img))
    except UnidentifiedImageError:
        raise ValueError(f"{_label(path)}: not an image Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ValueError(f"{_label(path)}: too large to be a digit picture ({err})") from None
    except OSError as err:
        if err.filename is not None:  # FileNotFoundError and the like name the file already
            raise
        raise ValueError(f"{_label(path)}: damaged image ({err})") from None
    except (SyntaxError, EOFError, struct.error, zlib.error) as err:  # Pillow's decoders
        raise ValueError(f"{_label(path)}: damaged image ({err})") from None
    try:
        return mnistify(grey)
    except ValueError as err:
        raise ValueError(f"{_label(path)}: {err}") from None


def _label(path: str | os.PathLike[str] | BinaryIO) -> str:
    """How errors name the picture: its quoted path, or "image" for an open file."""
    if isinstance(path, str | os.PathLike):
        return repr(os.fspath(path))
    return "image"


def _to_grey(img: Any) -> np.ndarray:
    """Grey levels in [0, 1], float64 (H, W), transparency laid over a contrasting background.

    A picture with an alpha channel is composited ``alpha * grey + (1 - alpha)
    * background``. The background is white, unless the picture is mostly
    transparent and its opaque pixels (the ink, as drawing apps export a
    stroke) are light: then it is black, or light ink on white would vanish.
    """
    # Pillow's convert("L") clips 16- and 32-bit grey at 255, which would turn
    # every grey level of such a picture white: scale those by hand instead.
    if img.mode.startswith("I;16"):
        return np.asarray(img, dtype=np.float64) / 65535.0
    if img.mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        low, high = float(arr.min()), float(arr.max())
        return (arr - low) / (high - low) if high > low else np.zeros(arr.shape)
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        la = np.asarray(img.convert("RGBA").convert("LA"), dtype=np.float64) / 255.0
        grey, alpha = la[..., 0], la[..., 1]
        return alpha * grey + (1.0 - alpha) * _background(grey, alpha)
    return np.asarray(img.convert("L"), dtype=np.float64) / 255.0


def _background(grey: np.ndarray, alpha: np.ndarray) -> float:
    """1.0 (white) behind dark ink, 0.0 (black) behind the light ink of a mostly clear picture."""
    weight = float(alpha.sum())
    if np.mean(alpha < 0.5) <= 0.5 or weight == 0.0:
        return 1.0
    ink = float((grey * alpha).sum()) / weight  # the opaque pixels' mean grey level
    return 0.0 if ink > 0.5 else 1.0


def mnistify(image: Any) -> np.ndarray:
    """Preprocess a greyscale image (H, W), values in [0, 1], as MNIST was made.

    Steps: invert if the background (the median of the border) is light;
    subtract the background and stretch to [0, 1]; crop to the ink; scale the
    longest side to 20 pixels keeping the aspect ratio; paste into 28x28 with
    the centre of mass at pixel (14, 14), where MNIST has it. Returns float32
    (784,) in [0, 1]. Needs Pillow for the anti-aliased resize.
    """
    grey = np.asarray(image, dtype=np.float64)
    if grey.ndim != 2 or min(grey.shape) < 2:
        raise ValueError(f"image: expected a 2-D greyscale array of at least 2x2, got {grey.shape}")
    if not np.all(np.isfinite(grey)) or grey.min() < 0 or grey.max() > 1:
        raise ValueError("image: expected finite values in [0, 1]")
    ink = _ink(grey)
    rows, cols = np.nonzero(ink > 0.1)
    if rows.size == 0:
        raise ValueError("image: no digit found (the picture is one flat colour)")
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    digit = _fit_box(crop)
    return _centre_by_mass(digit).reshape(-1).astype(np.float32)


def _ink(grey: np.ndarray) -> np.ndarray:
    """Ink as light-on-dark in [0, 1]: background 0, strongest stroke 1."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        grey, background = 1.0 - grey, 1.0 - background
    ink = np.clip(grey - background, 0.0, None)
    peak = ink.max()
    return ink / peak if peak > 0 else ink


def _fit_box(crop: np.ndarray) -> np.ndarray:
    """Resize so the longest side is 20 pixels, keeping the aspect ratio (anti-aliased)."""
    from PIL import Image  # deferred: the optional "plot" extra (read_digit checked it is there)

    h, w = crop.shape
    scale = _BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = Image.fromarray(crop.astype(np.float32), mode="F")
    return np.clip(np.asarray(img.resize(size, Image.Resampling.LANCZOS)), 0.0, 1.0)


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste ``digit`` into 28x28 so its centre of mass lands on the field's centre."""
    h, w = digit.shape
    total = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(h)) / total
    cx = (digit.sum(axis=0) @ np.arange(w)) / total
    top = int(np.clip(round(_CENTRE - cy), 0, _FIELD - h))
    left = int(np.clip(round(_CENTRE - cx), 0, _FIELD - w))
    field = np.zeros((_FIELD, _FIELD))
    field[top : top + h, left : left + w] = digit
    return field
