"""A/B experiments: create or replace (API key), report as JSON or as a page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse

from shopseek.feedback.experiments import Experiment
from shopseek.service import pages
from shopseek.service.deps import Shop, require_key
from shopseek.service.models import ExperimentSaved

router = APIRouter(tags=["experiments"])


@router.put("/experiments/{name}", dependencies=[Depends(require_key)])
def put_experiment(
    name: Annotated[str, Path(pattern=r"^[\w-]{1,64}$")], experiment: Experiment, shop: Shop
) -> ExperimentSaved:
    """Create or replace an A/B experiment (users are assigned by a hash of their id)."""
    shop.put_experiment(name, experiment)
    return ExperimentSaved(experiment=name, variants=list(experiment.variants))


@router.get("/experiments/{name}/report")
def experiment_report(name: str, shop: Shop) -> dict[str, Any]:
    """Per-variant CTR, conversion and NDCG-from-clicks with a significance test."""
    return shop.experiment_report(name)


@router.get("/experiments/{name}", include_in_schema=False)
def experiment_page(name: str, shop: Shop) -> HTMLResponse:
    """The experiment report as a page."""
    return HTMLResponse(pages.experiment_page(shop.experiment_report(name)))
