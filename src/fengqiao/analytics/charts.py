"""The report's charts as PNG, drawn on the server with matplotlib (no pyplot state, so
it is safe under threads). Chinese labels need a CJK font; the first one found is used."""

import io

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
]
BLUE, GREEN, ORANGE = "#206bc4", "#2fb344", "#f59f00"


def _font() -> list[str]:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed] + ["DejaVu Sans"]


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    return out.getvalue()


def _figure(width: float = 7, height: float = 3.2) -> Figure:
    fig = Figure(figsize=(width, height))
    fig.set_layout_engine("tight")
    return fig


def trend(buckets: list[dict]) -> bytes:
    """New cases as bars, closed cases as a line, per trend bucket."""
    fig = _figure()
    ax = fig.add_subplot()
    labels = [b["label"] for b in buckets]
    ax.bar(labels, [b["n"] for b in buckets], color=BLUE, label="新登记")
    ax.plot(labels, [b["closed"] for b in buckets], color=GREEN, marker="o", label="结案")
    ax.legend(prop={"family": _font()})
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    for label in ax.get_xticklabels():
        label.set_fontfamily(_font())
    return _png(fig)


def categories(counts) -> bytes:
    """A horizontal bar per category, largest on top."""
    rows = list(counts)[:12][::-1]
    fig = _figure(height=max(2.0, 0.35 * len(rows) + 0.8))
    ax = fig.add_subplot()
    ax.barh([c.label for c in rows], [c.n for c in rows], color=ORANGE)
    for label in ax.get_yticklabels():
        label.set_fontfamily(_font())
    return _png(fig)
