"""Server-rendered pages (experiment report, analytics): every value is HTML-escaped; plots are inline PNGs."""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

# Chinese queries draw with Noto CJK (Debian's fonts-noto-cjk) where DejaVu has no glyph, instead of boxes; the
# font files are registered directly, as matplotlib's font cache may predate the package.
for _path in font_manager.findSystemFonts():
    if "NotoSansCJK-Regular" in _path:
        font_manager.fontManager.addfont(_path)
plt.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK JP"]

STYLE = (
    "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}"
    "td,th{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}h1{color:#c2185b}img{max-width:100%}</style>"
)


def _page(title: str, body: str) -> str:
    head = f"<meta charset='utf-8'><title>{escape(title)}</title>{STYLE}"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No data yet.</p>"
    head = "".join(f"<th>{escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row.values()) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _plot(labels: list[str], values: list[float], title: str, kind: str = "bar") -> str:
    figure, axes = plt.subplots(figsize=(7, 3))
    if kind == "bar":
        axes.bar(range(len(values)), values)
        axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    else:
        axes.plot(labels, values, marker="o")
        axes.tick_params(axis="x", rotation=30)
    axes.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    plt.close(figure)
    return f"<img alt='{escape(title)}' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"


def experiment_page(report: dict[str, Any]) -> str:
    """An experiment's variants side by side with CTR and NDCG-from-clicks plots."""
    variants: dict[str, dict[str, Any]] = report["variants"]
    rows = [{"variant": name, **values} for name, values in variants.items()]
    names = list(variants)
    body = f"<h1>Experiment {escape(report['experiment'])}</h1>{_table(rows)}"
    body += f"<p>CTR difference, chi-squared p-value: {escape(str(report['ctr_chi2_p_value']))}</p>"
    body += _plot(names, [v["ctr"] for v in variants.values()], "CTR by variant")
    body += _plot(names, [v["ndcg_from_clicks"] for v in variants.values()], "NDCG from clicks by variant")
    return _page(f"Experiment {report['experiment']}", body)


def analytics_page(data: dict[str, Any]) -> str:
    """Top and zero-result queries, CTR by query, activity over time, and campaigns' CTR and spend."""
    body = "<h1>Search analytics</h1>"
    top = data["top_queries"]
    if top:
        body += _plot([r["query"][:20] for r in top], [r["shoppers"] for r in top], "Top queries (shoppers)")
    days = data["searches_per_day"]
    if days:
        body += _plot([r["day"] for r in days], [r["searches"] for r in days], "Searches per day", kind="line")
    ctr_days = data["ctr_per_day"]
    if ctr_days:
        body += _plot([r["day"] for r in ctr_days], [r["ctr"] for r in ctr_days], "CTR per day", kind="line")
    body += "<h2>Top queries</h2>" + _table(top)
    body += "<h2>Zero-result queries</h2>" + _table(data["zero_result_queries"])
    body += "<h2>CTR by query</h2>" + _table(data["ctr_by_query"])
    campaigns = data.get("campaigns") or []
    if campaigns:
        body += _plot([r["campaign"] for r in campaigns], [r["spend"] for r in campaigns], "Campaign spend")
        body += "<h2>Sponsored products: campaigns</h2>" + _table(campaigns)
    return _page("shopseek analytics", body)
