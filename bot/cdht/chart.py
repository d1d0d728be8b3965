"""Draw simple horizontal bar charts as PNG with Pillow (imported only when drawing)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.matching.normalize import fold

# Fonts with full Vietnamese coverage, tried in order when no CHART_FONT is set.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)
WIDTH = 960
LABEL_WIDTH = 360
ROW_HEIGHT = 30
BAR_HEIGHT = 11
PADDING = 24
COLOURS = ("#2f6db5", "#3aa357", "#e39b2d")
TEXT = "#222222"


@dataclass(frozen=True)
class Panel:
    """One titled block of bars; each row has one value per series."""

    title: str
    series: tuple[str, ...]
    rows: list[tuple[str, tuple[int, ...]]]


def find_font(configured: Path | None) -> str | None:
    """Return the font file to use: the configured one, else the first found, else None."""
    if configured is not None:
        return str(configured)
    return next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)


def render(panels: list[Panel], *, font_path: str | None) -> bytes:
    """Return a PNG with the panels stacked top to bottom."""
    from PIL import Image, ImageDraw, ImageFont

    if font_path is None:  # Pillow's built-in font has no Vietnamese letters: drop the marks
        panels = [_folded(panel) for panel in panels]

    def font(size: int) -> Any:
        if font_path:
            return ImageFont.truetype(font_path, size)
        return ImageFont.load_default(size)

    small, normal, bold = font(14), font(16), font(19)
    height = PADDING
    for panel in panels:
        height += 34 + 22 + ROW_HEIGHT * max(len(panel.rows), 1) + PADDING
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    y = PADDING
    for panel in panels:
        draw.text((PADDING, y), panel.title, fill=TEXT, font=bold)
        y += 34
        x = LABEL_WIDTH
        for index, name in enumerate(panel.series):
            draw.rectangle((x, y + 4, x + 12, y + 16), fill=COLOURS[index % len(COLOURS)])
            draw.text((x + 18, y), name, fill=TEXT, font=small)
            x += 30 + int(draw.textlength(name, font=small))
        y += 22
        top = max((max(values) for _, values in panel.rows if values), default=0) or 1
        bar_space = WIDTH - LABEL_WIDTH - PADDING - 60
        for label, values in panel.rows:
            draw.text((PADDING, y + 5), _fit(draw, label, normal), fill=TEXT, font=normal)
            for index, value in enumerate(values):
                bar_y = y + 3 + index * (BAR_HEIGHT + 2)
                length = int(bar_space * value / top)
                colour = COLOURS[index % len(COLOURS)]
                draw.rectangle(
                    (LABEL_WIDTH, bar_y, LABEL_WIDTH + length, bar_y + BAR_HEIGHT), fill=colour
                )
                draw.text((LABEL_WIDTH + length + 6, bar_y - 2), str(value), fill=TEXT, font=small)
            y += ROW_HEIGHT
        if not panel.rows:
            y += ROW_HEIGHT
        y += PADDING
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _folded(panel: Panel) -> Panel:
    """Return the panel with its texts without diacritics."""
    rows = [(fold(label), values) for label, values in panel.rows]
    return Panel(fold(panel.title), tuple(fold(name) for name in panel.series), rows)


def _fit(draw: Any, text: str, font: Any) -> str:
    """Shorten a label with an ellipsis so it fits the label column."""
    limit = LABEL_WIDTH - PADDING - 10
    if draw.textlength(text, font=font) <= limit:
        return text
    while text and draw.textlength(text + "…", font=font) > limit:
        text = text[:-1]
    return text + "…"
