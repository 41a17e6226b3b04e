"""`shopseek train ...` commands: training runs with progress bars, writing weights and a model card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

train_app = typer.Typer(help="Train shopseek's models on product data.", no_args_is_help=True)
console = Console(stderr=True)


@train_app.command("alignment")
def alignment(
    data: Annotated[Path, typer.Option(exists=True, file_okay=False, help="Fashion-style data folder")] = Path(
        "../shared/data/fashion"
    ),
    out: Annotated[Path, typer.Option(help="Weights file to write (a .json model card goes beside it)")] = Path(
        "src/shopseek/models/alignment-v1.pt"
    ),
    cache: Annotated[Path, typer.Option(help="Feature cache folder")] = Path(".shopseek/cache/alignment"),
    epochs: Annotated[int, typer.Option(min=1, max=500)] = 30,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Learn text↔image heads (InfoNCE + BCE matching) on train, select on dev, report on test."""
    from shopseek.encoders.base import get_encoder
    from shopseek.learn.alignment import TrainConfig, dev_queries, prepare, test_report, train, write_card
    from shopseek.learn.features import query_vectors

    encoder = get_encoder("offline")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, int] = {}

        def feature_progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = int(bar.add_task(label, total=total))
            bar.update(TaskID(tasks[label]), completed=done)

        splits = {name: prepare(data, cache, encoder, name, feature_progress) for name in ("train", "dev", "test")}
        queries = dev_queries(splits["dev"])
        dev_set = (queries, query_vectors(encoder, [q.text for q in queries]))
        config = TrainConfig(epochs=epochs, seed=seed)
        task = bar.add_task("train", total=epochs)

        def epoch_progress(epoch: int, row: dict[str, float]) -> None:
            bar.update(task, completed=epoch, description=f"train (dev nDCG@10 {row['dev_all']:.3f})")

        heads, summary = train(splits["train"], splits["dev"], dev_set, config, epoch_progress)
    report = test_report(heads, splits["test"], encoder)
    out.parent.mkdir(parents=True, exist_ok=True)
    heads.save(out)
    card = {
        "name": out.stem,
        "data": str(data),
        "split": {name: len(split.products) for name, split in splits.items()},
        "split_rule": "sha1(product id) mod 10: 0-6 train, 7 dev, 8-9 test",
        "losses": "multi-positive InfoNCE (query↔image, title↔image, query↔title; positives share type+colour+gender)"
        " + BCE matching head on hard and random negatives",
        "config": {
            "epochs": epochs,
            "seed": seed,
            "batch_size": config.batch_size,
            "lr": config.learning_rate,
        },
        **summary,
        "test": report,
    }
    write_card(out, card)
    console.print(f"wrote {out}; best epoch {summary['best_epoch']}; test {report}")
