"""A Markdown evaluation report with bar-chart plots comparing modes and languages."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

Results = dict[str, dict[str, dict[str, float]]]


def plot_metric(results: Results, metric: str, path: Path) -> Path:
    """Grouped bars of one metric: modes on the x axis, one bar per language."""
    modes = list(results)
    languages = list(next(iter(results.values())))
    width = 0.8 / len(languages)
    figure, axes = plt.subplots(figsize=(7, 3.5))
    for offset, language in enumerate(languages):
        values = [results[mode][language][metric] for mode in modes]
        positions = [i + offset * width for i in range(len(modes))]
        axes.bar(positions, values, width, label=language)
    axes.set_xticks([i + width * (len(languages) - 1) / 2 for i in range(len(modes))], modes)
    axes.set_ylabel(metric)
    axes.set_ylim(0, 1)
    axes.legend()
    axes.set_title(f"{metric} by mode and language")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def write_report(results: Results, folder: Path, extra: dict[str, dict[str, float]] | None = None) -> Path:
    """Write report.md and its plots into `folder`; returns the report path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# shopseek evaluation report", ""]
    metrics = list(next(iter(next(iter(results.values())).values())))
    for metric in ("nDCG@10", "MAP"):
        image = plot_metric(results, metric, folder / f"{metric.replace('@', '_at_')}.png")
        lines += [f"![{metric}]({image.name})", ""]
    for language in next(iter(results.values())):
        lines += [
            f"## Language: {language}",
            "",
            "| mode | " + " | ".join(metrics) + " |",
            "|---|" + "---|" * len(metrics),
        ]
        for mode, per_language in results.items():
            values = per_language[language]
            lines.append(f"| {mode} | " + " | ".join(f"{values[m]:.3f}" for m in metrics) + " |")
        lines.append("")
    for title, values in (extra or {}).items():
        lines += [f"## {title}", "", *(f"- {k}: {v}" for k, v in values.items()), ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines))
    return path
