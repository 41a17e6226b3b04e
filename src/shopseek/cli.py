"""The `shopseek` command line: ingest catalogues, search, write TREC runs, serve the API and the demo."""

from __future__ import annotations

import json
import shutil
import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from shopseek.catalog.media import load_image
from shopseek.catalog.readers import read_catalog
from shopseek.catalog.store import Filters
from shopseek.errors import BadInput, ShopSeekError

if TYPE_CHECKING:
    from shopseek.app import IngestReport

console = Console()
err = Console(stderr=True)


class ExplainedErrors(TyperGroup):
    """Commands whose ShopSeekError (unknown index, bad photo, mismatched index...) prints in red and exits 2."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; explain a ShopSeekError instead of a traceback."""
        try:
            return super().invoke(ctx)
        except ShopSeekError as error:
            err.print(f"[red]{error}[/red]", soft_wrap=True)
            raise typer.Exit(2) from error


app = typer.Typer(
    cls=ExplainedErrors,
    help="shopseek: cross-modal product search (words, photos or both; Chinese and English).",
    no_args_is_help=True,
    add_completion=False,
)

from shopseek.learn.cli import simulate_app, train_app  # noqa: E402

app.add_typer(train_app, name="train")
app.add_typer(simulate_app, name="simulate")


class Sort(StrEnum):
    """Orders of search results."""

    relevance = "relevance"
    price_asc = "price_asc"
    price_desc = "price_desc"


IndexOption = Annotated[Path, typer.Option("--index", help="Index folder (created when missing).")]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    )


def _open(index: Path, defer_recovery: bool = False, create: bool = False):
    from shopseek.app import ShopSeek

    if create:
        return ShopSeek(index, defer_recovery=defer_recovery)
    return ShopSeek.existing(index, defer_recovery=defer_recovery)


def _count_lines(path: Path) -> int | None:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".csv"):
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    return None


def ingest_catalog(catalog: Path, index: Path, ray: str | None = None, workers: int = 2) -> IngestReport:
    """Ingest one catalogue file with a progress bar (embedding on Ray when asked)."""
    items = read_catalog(catalog)  # refuses an unknown format before an index folder is made
    shop = _open(index, create=True)
    with _progress() as progress:
        task = progress.add_task(f"ingest {catalog.name}", total=_count_lines(catalog))
        advance = lambda n: progress.advance(task, n)  # noqa: E731
        if ray:
            from shopseek.cluster.ray_ingest import ray_ingest

            report = ray_ingest(shop, items, ray, workers, advance)
        else:
            report = shop.ingest(items, progress=advance)
    for problem in report.problems[:50]:
        where = f" ({problem.product_id})" if problem.product_id else ""
        err.print(f"[yellow]line {problem.line}{where}: {problem.reason}[/yellow]")
    if len(report.problems) > 50:
        err.print(f"[yellow]... and {len(report.problems) - 50} more problems[/yellow]")
    console.print(
        f"ingested {report.added} products ({report.images} images) into {index}; "
        f"{len(report.problems)} problems; catalogue now holds {shop.count()} products"
    )
    shop.close()
    return report


@app.command()
def ingest(
    catalog: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Catalogue: .jsonl, .json or .csv")],
    index: IndexOption,
    ray: Annotated[str | None, typer.Option(help="Embed on Ray: 'local' starts a local cluster, or an address")] = None,
    workers: Annotated[int, typer.Option(min=1, max=1024, help="Ray embedding workers")] = 2,
    strict: Annotated[bool, typer.Option(help="Exit with 1 when any line had a problem")] = False,
) -> None:
    """Read a catalogue, encode its text and images, and add or update its products in the index.

    Exits with 1 when no product could be ingested (or, with --strict, when any line had a problem).
    """
    report = ingest_catalog(catalog, index, ray, workers)
    if report.added == 0:
        err.print("[red]no product was ingested[/red]")
        raise typer.Exit(1)
    if strict and report.problems:
        raise typer.Exit(1)


@app.command()
def search(
    text: Annotated[
        str, typer.Argument(help="Words to search for (Chinese or English); may be empty with --image or --audio")
    ],
    index: IndexOption,
    image: Annotated[Path | None, typer.Option(help="A photo to search with")] = None,
    audio: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Spoken words (wav, mp3, ogg, webm)")
    ] = None,
    k: Annotated[int, typer.Option(min=1, max=1000, help="Results per page")] = 10,
    page: Annotated[int, typer.Option(min=1, max=1000, help="Page of results")] = 1,
    sort: Annotated[Sort, typer.Option(help="Order of the results")] = Sort.relevance,
    category: Annotated[str | None, typer.Option(help="Only this category")] = None,
    brand: Annotated[str | None, typer.Option(help="Only this brand")] = None,
    price_min: Annotated[float | None, typer.Option(min=0, help="Lowest price")] = None,
    price_max: Annotated[float | None, typer.Option(min=0, help="Highest price")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON page instead of a table")] = False,
) -> None:
    """Search the index and print a table of results with each signal's score (or the JSON page with --json)."""
    from shopseek.app import SearchRequest

    photo = load_image(str(image)) if image else None
    filters = Filters(category, brand, price_min, price_max)
    shop = _open(index)
    transcript = shop.transcribe(audio.read_bytes()) if audio else None
    words = f"{text} {transcript or ''}".strip()
    result = shop.search_for(SearchRequest(words, photo, k, page, filters, sort.value, logged=False))
    if as_json:
        from shopseek.service.models import HitOut, SearchPage

        hits = [HitOut.of(hit) for hit in result.hits]
        body = SearchPage(
            results=hits,
            total=result.total,
            page=page,
            facets=result.facets,
            took_ms=result.took_ms,
            corrected=result.corrected,
            transcript=transcript,
        )
        print(body.model_dump_json(indent=2))
        return
    title = f"{result.total} matches in {result.took_ms:.0f} ms"
    if transcript:
        title = f"heard “{transcript}” — " + title
    if result.corrected:
        title += f" — showing results for “{result.corrected}”"
    table = Table(title=title)
    for column in ("#", "id", "title", "price", "score", "signals"):
        table.add_column(column)
    for rank, hit in enumerate(result.hits, start=(page - 1) * k + 1):
        price = "" if hit.product.price is None else f"{hit.product.price:g}"
        signals = " ".join(f"{name}={value:.3f}" for name, value in hit.signals.items())
        table.add_row(str(rank), hit.product.id, hit.product.title[:60], price, f"{hit.score:.4f}", signals)
    console.print(table)


@app.command("search-batch")
def search_batch(
    queries: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help='JSONL: {"qid", "text"?, "image"?}')],
    index: IndexOption,
    out: Annotated[Path, typer.Option(help="TREC run file to write")],
    k: Annotated[int, typer.Option(min=1, max=10000, help="Results per query")] = 100,
) -> None:
    """Run many queries and write a TREC run: `qid Q0 product_id rank score shopseek`."""
    from shopseek.search.engine import Query

    shop = _open(index)
    lines = [json.loads(line) for line in queries.read_text(encoding="utf-8").splitlines() if line.strip()]
    written = 0
    with _progress() as progress, out.open("w", encoding="utf-8") as run:
        task = progress.add_task("search", total=len(lines))
        for number, spec in enumerate(lines, start=1):
            progress.advance(task)
            try:
                image_path = spec.get("image")
                photo = load_image(str((queries.parent / image_path).resolve())) if image_path else None
                result = shop.search(Query(spec.get("text") or "", photo, k))
            except BadInput as exc:
                err.print(f"[yellow]line {number} ({spec.get('qid')}): {exc}[/yellow]")
                continue
            for rank, hit in enumerate(result.hits, start=1):
                run.write(f"{spec['qid']} Q0 {hit.product.id} {rank} {hit.score:.6f} shopseek\n")
                written += 1
    console.print(f"wrote {written} lines for {len(lines)} queries to {out}")


@app.command("eval")
def evaluate_index(
    index: IndexOption,
    queries: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help='JSONL: {"qid", "text"?, "image"?, "language"?}')
    ],
    qrels: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="TREC qrels: qid 0 product_id gain")],
    out: Annotated[Path, typer.Option(help="Folder for report.md, plots and results.json")] = Path("eval-report"),
) -> None:
    """Measure nDCG@10, MAP, Recall@K, P@K, Hits@K and MRR per mode and language; write a report with plots."""
    from shopseek.eval.metrics import read_trec_qrels
    from shopseek.eval.report import write_report
    from shopseek.eval.runner import evaluate_modes, read_queries

    shop = _open(index)
    query_list = read_queries(queries)
    with _progress() as progress:
        task = progress.add_task("modes", total=5)
        results = evaluate_modes(shop, query_list, read_trec_qrels(qrels), lambda mode: progress.advance(task))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    report = write_report(results, out)
    table = Table(title=f"{len(query_list)} queries — report: {report}")
    for column in ("mode", "language", "nDCG@10", "MAP", "Recall@100", "MRR"):
        table.add_column(column)
    for mode, per_language in results.items():
        for language, values in per_language.items():
            table.add_row(mode, language, *(f"{values[m]:.3f}" for m in ("nDCG@10", "MAP", "Recall@100", "MRR")))
    console.print(table)


@app.command()
def serve(
    index: IndexOption,
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    ray: Annotated[
        str | None, typer.Option(help="Serve on Ray: 'local' starts a local cluster, or a cluster address")
    ] = None,
    shards: Annotated[int, typer.Option(min=1, max=256, help="With --ray: index shard actors")] = 2,
    replicas: Annotated[int, typer.Option(min=1, max=256, help="With --ray: API replicas behind Ray Serve")] = 2,
) -> None:
    """Serve the HTTP API and web page over an index (on Ray: sharded index actors behind Ray Serve replicas)."""
    if ray:
        from shopseek.cluster.ray_serve import serve_on_ray

        console.print(f"shopseek on Ray ({shards} shards, {replicas} replicas): http://{host}:{port}")
        serve_on_ray(index, ray, shards, replicas, host, port)
        return
    _serve(_open(index, defer_recovery=True, create=True), index, host, port)  # an empty shop can be filled by API


def _serve(shop, index: Path, host: str, port: int) -> None:
    import uvicorn

    from shopseek.service.api import create_app

    console.print(f"shopseek serving {index} at http://{host}:{port}")
    if not shop.ready.is_set():  # recovery runs while the server already answers (`/healthz`: recovering)
        threading.Thread(target=shop.finish_opening, name="recovery", daemon=True).start()
    uvicorn.run(create_app(shop), host=host, port=port, log_level="warning")


@app.command()
def demo(
    index: Annotated[Path, typer.Option("--index", help="Where the demo index lives")] = Path(".shopseek/demo-index"),
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Build the bundled demo catalogue's index when missing, then serve it."""
    from shopseek.app import ShopSeek
    from shopseek.demo import demo_catalog
    from shopseek.errors import IndexMismatch

    if (index / "catalog.sqlite").exists():
        try:
            _serve(ShopSeek(index, defer_recovery=True), index, "127.0.0.1", port)
            return
        except IndexMismatch:
            console.print("the demo index was built by an older encoder version: rebuilding it")
            shutil.rmtree(index)
    console.print("building the demo index (first run only, a few minutes on 2 cores)...")
    building = index.with_name(index.name + ".building")  # an interrupted build is never served as complete
    shutil.rmtree(building, ignore_errors=True)
    ingest_catalog(demo_catalog(), building)
    building.rename(index)
    serve(index=index, port=port, host="127.0.0.1")


if __name__ == "__main__":
    app()
