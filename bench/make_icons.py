"""Draw Courtwatch's app icons (PNG, 192 and 512 px, plain and maskable) with Pillow.

The icons are committed; run this again only to change them:

    .venv/bin/python bench/make_icons.py

Drawn here rather than copied from anywhere: a dark blue field with a white eye (watching),
whose pupil is the scale's pivot. The maskable variant keeps everything inside the central
80 % circle that launchers may crop to.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "courtwatch" / "static" / "icons"
FIELD = (23, 55, 94)
WHITE = (255, 255, 255)
AMBER = (245, 176, 65)


def draw(size: int, safe: float) -> Image.Image:
    """The icon at ``size`` px; ``safe`` is the fraction of the side the motif may use."""
    scale = 4  # drawn large, then reduced: smooth edges without anti-aliasing support
    big = size * scale
    image = Image.new("RGB", (big, big), FIELD)
    pen = ImageDraw.Draw(image)
    centre = big / 2
    span = big * safe / 2
    # The eye: two arcs meeting at the corners, drawn as a lens-shaped polygon.
    points_top, points_bottom = [], []
    steps = 64
    for i in range(steps + 1):
        x = centre - span + 2 * span * i / steps
        t = (x - centre) / span
        lift = span * 0.55 * (1 - t * t)
        points_top.append((x, centre - lift))
        points_bottom.append((x, centre + lift))
    pen.polygon(points_top + points_bottom[::-1], fill=WHITE)
    iris = span * 0.42
    pen.ellipse((centre - iris, centre - iris, centre + iris, centre + iris), fill=FIELD)
    pupil = span * 0.18
    pen.ellipse((centre - pupil, centre - pupil, centre + pupil, centre + pupil), fill=AMBER)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, 0.82).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, 0.56).save(OUT / f"maskable-{size}.png", optimize=True)
    print(f"icons written to {OUT}")


if __name__ == "__main__":
    main()
