"""Server-drawn charts: inline SVG, no JavaScript, nothing fetched.

Each chart is an image with a title and a text summary for screen readers (`role="img"`,
`aria-labelledby`), every bar carries its label and value in text (colour is never the only
carrier of meaning), and a real table with the same numbers follows it, to read aloud or copy
into a report.

    {% load charts %}
    {% bar_chart series chart_id="by-country" title=title label_heading=heading value_heading=officers %}
    {% stacked_chart rows segments=statuses chart_id="status" title=title label_heading=heading %}

`series` is a list of (label, value) or (label, value, text shown instead of the value);
a value of None is "no data". `rows` of a stacked chart are (label, {segment key: count}) and
`segments` the (key, label) pairs in order.
"""

from dataclasses import dataclass

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

WIDTH = 640  # the drawing's own units; the SVG scales to its container
VALUE_ROOM = 150  # room right of the longest bar for its value
ROW = 42  # a label line above each bar
INLINE_ROW = 24  # short labels (months, countries) sit left of their bar
INLINE_LABEL = 190  # ... in this much room
INLINE_CHARACTERS = 26  # what fits in it
BAR_TOP = 20
BAR_HEIGHT = 14
MIN_TEXT_WIDTH = 28  # a stacked segment narrower than this shows its count only in the table
SUMMARY_ITEMS = 12  # the text summary names this many bars, then points to the table


def number(value) -> str:
    """A count, or a rate with one decimal, written as the active language writes numbers."""
    if value is None:
        return _("no data")
    if isinstance(value, float) and not value.is_integer():
        return formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True)
    return formats.number_format(int(value), use_l10n=True, force_grouping=True)


@dataclass
class Bar:
    label: str
    value: float | None
    text: str
    y: int
    width: float
    inline: bool  # the label left of the bar (short labels) or above it

    @property
    def bar_x(self) -> int:
        return INLINE_LABEL if self.inline else 0

    @property
    def label_y(self) -> int:
        return self.y + (BAR_HEIGHT - 2 if self.inline else 14)

    @property
    def bar_y(self) -> int:
        return self.y + (0 if self.inline else BAR_TOP)

    @property
    def text_x(self) -> float:
        return round(self.bar_x + self.width + 6, 1)

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 2


def _summary(pairs: list[tuple[str, str]]) -> str:
    shown = "; ".join(f"{label}: {text}" for label, text in pairs[:SUMMARY_ITEMS])
    if len(pairs) > SUMMARY_ITEMS:
        shown += "; " + _("%(count)s more in the table that follows.") % {"count": len(pairs) - SUMMARY_ITEMS}
    return shown


@register.inclusion_tag("includes/chart_bar.html")
def bar_chart(
    series,
    *,
    chart_id: str,
    title: str,
    label_heading: str,
    value_heading: str,
    maximum=None,
    table_open: bool = False,
):
    """A horizontal bar chart of (label, value[, text]) and its table."""
    items = [(str(item[0]), item[1], item[2] if len(item) > 2 else None) for item in series]
    values = [value for _label, value, _text in items if value is not None]
    top = maximum if maximum is not None else max(values, default=0)
    inline = all(len(label) <= INLINE_CHARACTERS for label, _value, _text in items)
    row = INLINE_ROW if inline else ROW
    room = WIDTH - VALUE_ROOM - (INLINE_LABEL if inline else 0)
    bars = []
    for index, (label, value, text) in enumerate(items):
        width = round(room * value / top, 1) if top and value else 0
        text = str(text or number(value))
        bars.append(Bar(label=label, value=value, text=text, y=index * row, width=width, inline=inline))
    return {
        "chart_id": chart_id,
        "title": title,
        "description": _summary([(bar.label, bar.text) for bar in bars]),
        "label_heading": label_heading,
        "value_heading": value_heading,
        "bars": bars,
        "width": WIDTH,
        "height": max(len(bars), 1) * row + 4,
        "bar_height": BAR_HEIGHT,
        "table_open": table_open,
    }


@dataclass
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def shows_count(self) -> bool:
        return self.width >= MIN_TEXT_WIDTH


@dataclass
class StackedRow:
    label: str
    total: int
    segments: list[Segment]
    y: int

    @property
    def label_y(self) -> int:
        return self.y + 14

    @property
    def bar_y(self) -> int:
        return self.y + BAR_TOP

    @property
    def text_y(self) -> int:
        return self.y + BAR_TOP + BAR_HEIGHT - 3


@register.inclusion_tag("includes/chart_stacked.html")
def stacked_chart(rows, *, segments, chart_id: str, title: str, label_heading: str, table_open: bool = True):
    """One bar per row split into its segments (e.g. officers by status per credential), each
    segment's count written on it when it is wide enough, a legend in text, and the table."""
    segments = [(str(key), str(label)) for key, label in segments]
    room = WIDTH - 60
    drawn = []
    for index, (label, counts) in enumerate(rows):
        total = sum(counts.get(key, 0) for key, _label in segments)
        x, parts = 0.0, []
        for key, segment_label in segments:
            count = counts.get(key, 0)
            if not count:
                continue
            width = round(room * count / total, 1)
            parts.append(Segment(key=key, label=segment_label, count=count, x=round(x, 1), width=width))
            x += width
        drawn.append(StackedRow(label=str(label), total=total, segments=parts, y=index * ROW))
    described = [
        (
            row.label,
            ", ".join(f"{segment.label} {number(segment.count)}" for segment in row.segments) or number(0),
        )
        for row in drawn
    ]
    return {
        "chart_id": chart_id,
        "title": title,
        "description": _summary(described),
        "label_heading": label_heading,
        "segments": segments,
        "rows": drawn,
        "table_rows": [
            (row.label, [counts.get(key, 0) for key, _l in segments], row.total)
            for row, (_lab, counts) in zip(drawn, rows, strict=True)
        ],
        "width": WIDTH,
        "height": max(len(drawn), 1) * ROW + 4,
        "bar_height": BAR_HEIGHT,
        "table_open": table_open,
    }
