"""Sponsored products: campaigns (API key) and their reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from shopseek.feedback.campaigns import Campaign
from shopseek.service.deps import Shop, require_key
from shopseek.service.models import CampaignReport, Deleted

CAMPAIGN_NAME = r"^[\w-]{1,64}$"
router = APIRouter(tags=["campaigns"])


@router.put("/campaigns/{name}", dependencies=[Depends(require_key)])
def put_campaign(name: Annotated[str, Path(pattern=CAMPAIGN_NAME)], campaign: Campaign, shop: Shop) -> CampaignReport:
    """Create or replace a campaign: its products, bid per click, daily budget, dates and optional target text."""
    return CampaignReport.model_validate(shop.put_campaign(name, campaign))


@router.get("/campaigns/{name}/report", dependencies=[Depends(require_key)])
def campaign_report(name: Annotated[str, Path(pattern=CAMPAIGN_NAME)], shop: Shop) -> CampaignReport:
    """Impressions, clicks, CTR and spend (in all and today) and the budget left today."""
    return CampaignReport.model_validate(shop.campaign_report(name))


@router.delete("/campaigns/{name}", dependencies=[Depends(require_key)])
def delete_campaign(name: Annotated[str, Path(pattern=CAMPAIGN_NAME)], shop: Shop) -> Deleted:
    """Stop and remove a campaign (its log stays for reports)."""
    shop.delete_campaign(name)
    return Deleted(deleted=name)
