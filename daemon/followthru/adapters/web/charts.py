"""Charts as inline SVG, drawn on the server from the numbers the page ships: no script, no
remote fonts or images (the CSP allows none). Labels go through markupsafe's escape."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

ROW, LABEL_W, BAR_W, NOTE_W, PAD = 22, 130, 170, 110, 6


def bars(rows: Sequence[tuple[str, float, str]], title: str) -> Markup:
    """A horizontal bar per (label, value, note); bars scale to the largest value."""
    if not rows:
        return Markup('<p class="empty">nothing to show yet</p>')
    top = max(v for _, v, _ in rows) or 1
    height = ROW * len(rows) + PAD
    width = LABEL_W + BAR_W + NOTE_W
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>'
    ]
    for n, (label, value, note) in enumerate(rows):
        y = n * ROW + PAD
        w = max(1.0, BAR_W * value / top) if value else 0
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 13}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{ROW - 8}" rx="2"></rect>'
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 13}" class="note">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every value above is escaped or a number)
