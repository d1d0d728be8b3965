"""QR codes (segno) and a printable A4 poster (PNG, Pillow) for an entry code."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.campaigns.links import Links

# A4 at 150 dots per inch: 210 x 297 mm.
DPI = 150
A4 = (1240, 1754)
MARGIN = 90
GREEN, INK, GREY = "#1d6b3a", "#1f1f1f", "#555555"
BOLD_SUFFIX = ("Sans.ttf", "Sans-Bold.ttf")  # DejaVuSans.ttf -> DejaVuSans-Bold.ttf


def qr_png(data: str, *, scale: int = 10, size: int | None = None) -> bytes:
    """Return a QR code of the text as PNG (error correction M, a quiet zone of 4).

    With `size`, the largest whole scale whose image fits in `size` pixels is used, so every
    module stays a sharp square.
    """
    import segno  # imported on use: only posters and the console's QR page need it

    code = segno.make(data, error="m")
    if size is not None:
        scale = max(1, size // code.symbol_size(border=4)[0])
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(data: str, *, scale: int = 6) -> str:
    """Return a QR code of the text as an inline SVG element."""
    import segno

    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=scale, border=4, xmldecl=False)
    return out.getvalue().decode("utf-8")


def poster_png(
    links: Links,
    *,
    place: str | None,
    title: str,
    text: Callable[..., str],
    font_path: str | None,
) -> bytes:
    """Return an A4 poster: heading, who it is for, the QR code(s), three steps, the link.

    `text(key, **values)` gives the wording from content/messages/campaigns.yaml.
    """
    from PIL import Image, ImageDraw, ImageFont

    if links.telegram is None:
        raise ValueError("a poster needs the Telegram link (set TELEGRAM_BOT_USERNAME)")

    def font(size: int, bold: bool = False) -> Any:
        path = _bold(font_path) if bold else font_path
        return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)

    image = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(image)
    width = A4[0] - 2 * MARGIN
    draw.rectangle((0, 0, A4[0], 250), fill=GREEN)
    y = _centred(draw, text("campaigns.poster_heading"), font(88, True), 55, "white", width)
    _centred(draw, text("campaigns.poster_title"), font(54, True), y + 10, "white", width)
    who = text("campaigns.poster_place", place=place) if place else title
    y = _centred(draw, who, font(50, True), 300, INK, width)
    y = _paste_qr(image, links.telegram, size=620, top=y + 40)
    y = _centred(draw, text("campaigns.poster_scan_telegram"), font(36), y + 20, INK, width)
    y = _centred(draw, links.telegram, font(30), y + 10, GREEN, width)
    if links.zalo:
        y = _centred(draw, text("campaigns.poster_scan_zalo"), font(30), y + 30, INK, width)
        y = _paste_qr(image, links.zalo, size=260, top=y + 10)
    steps = text("campaigns.poster_steps").splitlines()
    y = max(y + 40, A4[1] - 120 - 50 * len(steps))
    for line in steps:
        draw.text((MARGIN + 60, y), line, fill=INK, font=font(34))
        y += 50
    _centred(draw, text("campaigns.poster_footer"), font(28), A4[1] - 70, GREY, width)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def _bold(font_path: str | None) -> str | None:
    """Return the bold face beside a regular font file, or the regular one."""
    if font_path and font_path.endswith(BOLD_SUFFIX[0]):
        bold = font_path[: -len(BOLD_SUFFIX[0])] + BOLD_SUFFIX[1]
        if Path(bold).is_file():
            return bold
    return font_path


def _paste_qr(image: Any, data: str, *, size: int, top: int) -> int:
    """Paste a QR code of `size` pixels centred at `top`; return the y below it."""
    from PIL import Image

    with Image.open(io.BytesIO(qr_png(data, size=size))) as code:
        image.paste(code.convert("RGB"), ((image.width - code.width) // 2, top))
        return top + code.height


def _centred(draw: Any, text: str, font: Any, top: int, fill: str, width: int) -> int:
    """Draw text centred, wrapped to the width; return the y below it."""
    y = top
    for line in _wrap(draw, text, font, width):
        line_width = draw.textlength(line, font=font)
        draw.text(((A4[0] - line_width) / 2, y), line, fill=fill, font=font)
        y += int(font.size * 1.3)
    return y


def _wrap(draw: Any, text: str, font: Any, width: int) -> list[str]:
    """Split text into lines that fit the width, at spaces."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines
