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
    index: Annotated[
        Path | None,
        typer.Option(
            file_okay=False, help="Adapt the heads to this index's own shop (its text↔photo pairs and clicks)"
        ),
    ] = None,
    data: Annotated[
        Path | None, typer.Option(file_okay=False, help="Train from scratch on a fashion-style data folder")
    ] = None,
    out: Annotated[Path, typer.Option(help="With --data: weights file to write (a .json card goes beside it)")] = Path(
        ".shopseek/models/alignment.pt"
    ),
    cache: Annotated[Path, typer.Option(help="Feature cache folder")] = Path(".shopseek/cache/alignment"),
    epochs: Annotated[int | None, typer.Option(min=1, max=500, help="Default: 20 with --index, 30 with --data")] = None,
    seed: Annotated[int, typer.Option()] = 0,
    final: Annotated[bool, typer.Option(help="After choosing the epoch count on dev, refit on train+dev")] = True,
    partial_credit: Annotated[float, typer.Option(min=0, max=1, help="Target weight of same-type products")] = 0.0,
    exclude_category: Annotated[
        list[str] | None, typer.Option(help="With --data: leave out a master category from train and dev")
    ] = None,
) -> None:
    """Learn text↔image heads: adapt them to one shop (--index), or train them on a labelled data set (--data)."""
    if index is not None:
        adapt_to_shop(index, epochs or 20, seed)
        return
    epochs = epochs or 30
    if data is None or not data.is_dir():
        console.print("[red]give --index DIR (adapt to a shop) or --data DIR (a fashion-style data folder)[/red]")
        raise typer.Exit(2)
    from shopseek.encoders.base import get_encoder
    from shopseek.learn.alignment import (
        TrainConfig,
        combine,
        dev_queries,
        prepare,
        test_report,
        train,
        without_categories,
        write_card,
    )
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
        left_out = frozenset(exclude_category or [])
        splits["train"], splits["dev"] = (without_categories(splits[name], left_out) for name in ("train", "dev"))
        queries = dev_queries(splits["dev"])
        dev_set = (queries, query_vectors(encoder, [q.text for q in queries]))
        config = TrainConfig(epochs=epochs, seed=seed, partial_credit=partial_credit)
        task = bar.add_task("train", total=epochs)

        def epoch_progress(epoch: int, row: dict[str, float]) -> None:
            bar.update(task, completed=epoch, description=f"train (dev nDCG@10 {row['dev_all']:.3f})")

        heads, summary = train(splits["train"], splits["dev"], dev_set, config, epoch_progress)
        if final:
            refit = TrainConfig(epochs=int(summary["best_epoch"]), seed=seed, partial_credit=partial_credit)  # type: ignore[call-overload]
            task = bar.add_task("refit on train+dev", total=refit.epochs)
            heads, _ = train(
                combine(splits["train"], splits["dev"]), splits["dev"], dev_set, refit, epoch_progress, select=False
            )
            summary["refit"] = f"train+dev for {refit.epochs} epochs (the best dev epoch count)"
    report = test_report(heads, splits["test"], encoder)
    out.parent.mkdir(parents=True, exist_ok=True)
    heads.save(out)
    card = {
        "name": out.stem,
        "data": str(data),
        "split": {name: len(split.products) for name, split in splits.items()},
        "split_rule": "sha1(product id) mod 10: 0-6 train, 7 dev, 8-9 test",
        "left_out_of_train_and_dev": sorted(left_out),
        "features": "text: multilingual-e5-small; image: EfficientNet-Lite0 GeM at 80 px detail + 77-bin HSV histogram"
        " of the foreground (the image encoder's vector), of each product's photo in three views drawn at random per"
        " epoch (learn/alignment.py VIEWS: thumbnail, 224 px photo, studio rendering)",
        "selection": "epoch with the best dev nDCG@10 on shopper-phrased dev queries (build_queries, seed 2), averaged"
        " over the photo views",
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


def adapt_to_shop(index: Path, epochs: int, seed: int) -> None:
    """Fine-tune the heads on one index's own pairs and write them (and a card) into the index folder."""
    from shopseek.app import SHOP_HEADS, ShopSeek
    from shopseek.learn.adapt import AdaptConfig, adapt
    from shopseek.learn.alignment import write_card

    shop = ShopSeek.existing(index)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("adapt", total=epochs)

        def epoch_progress(epoch: int, dev: dict[str, float]) -> None:
            bar.update(task, completed=epoch, description=f"adapt (dev MRR {dev['MRR']:.3f})")

        heads, card = adapt(shop, AdaptConfig(epochs=epochs, seed=seed), epoch_progress)
    shop.close()
    console.print(f"test before: {card['before']['test']}  after: {card['after']['test']}")  # type: ignore[index]
    if not card["best_epoch"]:
        console.print("no epoch beat the current heads on dev: nothing written, the index keeps its heads")
        return
    path = index / SHOP_HEADS
    path.parent.mkdir(parents=True, exist_ok=True)
    heads.save(path)
    write_card(path, {"name": "alignment adapted to this shop", **card})
    console.print(f"wrote {path}; the index uses these heads from its next start")


simulate_app = typer.Typer(help="Simulated shoppers: generate logs, then measure policies.", no_args_is_help=True)
SIMULATION_SEED = 2026


def _simulation(index: Path, data: Path, shoppers: int, sessions: int):
    from shopseek.app import ShopSeek
    from shopseek.lab.fashion import load_products
    from shopseek.lab.simulator import make_sessions, make_shoppers

    shop = ShopSeek(index)
    in_index = {p.product.id for p in shop.store.iter_all()}
    products = {p.id: p for p in load_products(data) if p.id in in_index}
    people = make_shoppers(list(products.values()), shoppers, SIMULATION_SEED)
    training = make_sessions(people, sessions, SIMULATION_SEED, start=1_700_000_000.0)
    held_out = make_sessions(people, max(2, sessions // 2), SIMULATION_SEED + 1, start=1_800_000_000.0)
    return shop, products, training, held_out


@simulate_app.command("log")
def simulate_log(
    index: Annotated[Path, typer.Option(help="An index of fashion products (ids as in the data folder)")],
    data: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path("../shared/data/fashion"),
    shoppers: Annotated[int, typer.Option(min=1)] = 200,
    sessions: Annotated[int, typer.Option(min=1, help="Training searches per shopper")] = 10,
) -> None:
    """Play training sessions (personalised fusion, 30% shuffled for exploration) into the index's event log."""
    from shopseek.lab.simulator import log_sessions, policy

    shop, products, training, _ = _simulation(index, data, shoppers, sessions)
    clicks = log_sessions(shop, training, products, policy(personal=True, learned=False, explore=0.3), seed=1)
    console.print(f"logged {len(training)} searches with {clicks} clicks into {index}")


@simulate_app.command("evaluate")
def simulate_evaluate(
    index: Annotated[Path, typer.Option(help="The index the logs were written to")],
    data: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path("../shared/data/fashion"),
    shoppers: Annotated[int, typer.Option(min=1)] = 200,
    sessions: Annotated[int, typer.Option(min=1)] = 10,
    out: Annotated[Path | None, typer.Option(help="JSON file for the results")] = None,
) -> None:
    """Measure NDCG@10 and CTR of each policy on held-out sessions, with paired significance tests."""
    import json

    from shopseek.eval.simulated import evaluate_policies
    from shopseek.lab.simulator import standard_policies

    shop, products, _, held_out = _simulation(index, data, shoppers, sessions)
    policies = standard_policies()
    result = evaluate_policies(shop, held_out, products, policies)
    text = json.dumps(result, indent=2)
    if out:
        out.write_text(text + "\n")
    console.print(text)


@train_app.command("ranker")
def ranker(index: Annotated[Path, typer.Option(help="Index whose event log to learn from")]) -> None:
    """Train LambdaMART from logged events; a running server picks the new model up without a restart."""
    from shopseek.app import ShopSeek
    from shopseek.learn.ranker import train_ranker

    path, summary = train_ranker(ShopSeek.existing(index))
    console.print(f"wrote {path}: {summary}")
