"""The shopper web page, the analytics page and data, and the health check."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse

from shopseek.service import pages
from shopseek.service.deps import Shop, require_owner
from shopseek.service.models import Categories, Health, SpaceLayout

STATIC = Path(str(resources.files("shopseek").joinpath("service/static")))
router = APIRouter()


@router.get("/healthz", tags=["service"])
def healthz(shop: Shop) -> Health:
    """Liveness, catalogue size and each vector space's layout with its measured recall@10."""
    return Health(
        status="ok",
        products=shop.count(),
        indexes={name: SpaceLayout.model_validate(layout) for name, layout in shop.index_card().items()},
    )


@router.get("/categories", tags=["products"])
def categories(shop: Shop) -> Categories:
    """The catalogue's largest categories and their product counts (for a home page)."""
    return Categories(categories=shop.categories())


@router.get("/analytics/data", tags=["analytics"], dependencies=[Depends(require_owner)])
def analytics_data(shop: Shop) -> dict[str, Any]:
    """Top queries, zero-result queries, CTR by query, searches and CTR per day."""
    return shop.analytics()


@router.get("/analytics", include_in_schema=False, dependencies=[Depends(require_owner)])
def analytics_page(shop: Shop) -> HTMLResponse:
    """Analytics with plots."""
    return HTMLResponse(pages.analytics_page(shop.analytics()))


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    """The shopper web page."""
    return FileResponse(STATIC / "index.html", media_type="text/html")
