"""The HTTP API's shapes: query and form parameters in, JSON bodies out (all of them in the OpenAPI schema)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field, field_validator, model_validator

from shopseek.catalog.schema import MAX_ID_LENGTH, MAX_SHORT_FIELD, Review
from shopseek.catalog.store import Filters
from shopseek.search.engine import SORTS, Hit
from shopseek.search.understand import MAX_QUERY_CHARS

MAX_K = 100
MAX_PAGE = 1000
MAX_FILTERS = 20
FILTER_FIELD = re.compile(r"[\w -]{1,64}")


def parse_filters(expressions: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`field:value|value` expressions as (lower-cased field, values) pairs, one per field."""
    fields: dict[str, list[str]] = {}
    for expression in expressions:
        name, _, values = expression.partition(":")
        chosen = fields.setdefault(name.strip().lower(), [])
        chosen += [v.strip() for v in values.split("|") if v.strip() and v.strip() not in chosen]
    return tuple((name, tuple(values)) for name, values in fields.items())


class SearchParams(BaseModel):
    """A search's words, page, filters, sort and shopper (query string of GET, form fields of POST)."""

    q: str = Field(default="", max_length=MAX_QUERY_CHARS, description="Words, Chinese or English")
    k: int = Field(default=10, ge=1, le=MAX_K, description="Results per page")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    category: str | None = Field(default=None, max_length=MAX_SHORT_FIELD)
    brand: str | None = Field(default=None, max_length=MAX_SHORT_FIELD)
    price_min: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    price_max: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    sort: str = Field(default="relevance", pattern="^(" + "|".join(SORTS) + ")$")
    user: str | None = Field(default=None, max_length=MAX_ID_LENGTH, description="Needs that shopper's token")
    filter: list[str] = Field(
        default_factory=list,
        max_length=MAX_FILTERS,
        description="`field:value|value` on any attribute, category or brand (repeat for more fields): values of "
        "one field are alternatives, every field must match; e.g. `filter=colour:red|blue&filter=gender:men`",
    )

    @field_validator("filter")
    @classmethod
    def _filter_expressions(cls, expressions: list[str]) -> list[str]:
        for expression in expressions:
            name, _, values = expression.partition(":")
            if not FILTER_FIELD.fullmatch(name.strip()) or not values.strip():
                raise ValueError(f"filter {expression[:80]!r} is not `field:value|value`")
            if any(not v.strip() or len(v) > MAX_SHORT_FIELD for v in values.split("|")):
                raise ValueError(f"filter {expression[:80]!r} has an empty or overlong value")
        return expressions

    @model_validator(mode="after")
    def _price_range(self) -> SearchParams:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min is above price_max")
        return self

    def filters(self) -> Filters:
        """The catalogue filters these parameters ask for."""
        return Filters(self.category, self.brand, self.price_min, self.price_max, parse_filters(self.filter))


class ErrorBody(BaseModel):
    """Every error answer: what went wrong, and for invalid requests each bad field."""

    error: str
    detail: list[dict[str, Any]] | None = None


class HitOut(BaseModel):
    """One search result as a client shows it."""

    id: str
    title: str
    price: float | None
    currency: str
    brand: str
    category: str
    image_url: str | None = Field(description="The first stored photo, when the product has one")
    score: float
    signals: dict[str, float] = Field(description="The score each retrieval signal gave this product")
    sponsored: bool = Field(default=False, description="A paid placement (marked as such on the page)")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) character spans of the title that match the query's words"
    )

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        """The public view of a hit."""
        product = hit.product
        return cls(
            id=product.id,
            title=product.title,
            price=product.price,
            currency=product.currency,
            brand=product.brand,
            category=product.category,
            image_url=image_url(product.id, 0) if hit.image_count else None,
            score=round(hit.score, 6),
            signals=hit.signals,
            highlights=list(hit.highlights),
            sponsored=hit.sponsored,
        )


class Results(BaseModel):
    """A list of products (similar products, recommendations)."""

    results: list[HitOut]


class SearchPage(Results):
    """One page of search results with the total, facets and time taken; nothing relevant is `total` 0."""

    total: int = Field(description="Products that answer the query (those above the relevance floor)")
    page: int
    facets: dict[str, Any]
    took_ms: float
    corrected: str | None = Field(default=None, description="The words searched for instead of misspelt ones")
    transcript: str | None = Field(default=None, description="What was heard in the `audio` part, when one was sent")


class AnswerOut(BaseModel):
    """A sentence of a product's own text that answers a question."""

    text: str
    source: str = Field(description="`description`, `attribute <name>` or `review <n>`")
    score: float


class Answers(BaseModel):
    """A product's sentences that answer a question, best first."""

    answers: list[AnswerOut]


class ProductAnswers(BaseModel):
    """A product that matches a question, with the sentences of its text that answer it."""

    product: HitOut
    answers: list[AnswerOut]


class AnswersAcross(BaseModel):
    """Products that match a question, each with its answering sentences."""

    results: list[ProductAnswers]


class Suggestions(BaseModel):
    """Completions of a partly typed query."""

    suggestions: list[str]


class ProductOut(BaseModel):
    """A catalogue product with the URLs of its stored photos."""

    id: str
    title: str
    description: str
    brand: str
    category: str
    price: float | None
    currency: str
    attributes: dict[str, Any]
    reviews: list[Review]
    image_urls: list[str]


class Written(BaseModel):
    """What a catalogue write did."""

    written: int
    problems: list[dict[str, Any]]
    products: int


class Deleted(BaseModel):
    """What was removed (a product, with the catalogue size after, or a campaign)."""

    deleted: str
    products: int | None = None


class SpaceLayout(BaseModel):
    """How one vector space is laid out and how well its approximate search agrees with exact search."""

    kind: str
    stored_as: str
    count: int
    nprobe: int
    recall_at_10: float | None


class Health(BaseModel):
    """Liveness, catalogue size and the vector spaces' layouts (measured recall@10 of approximate search)."""

    status: str
    products: int
    indexes: dict[str, SpaceLayout] = {}


class Categories(BaseModel):
    """Category names and how many products each holds."""

    categories: dict[str, int]


class Session(BaseModel):
    """A new shopper id and the token that lets a client act as them."""

    user_id: str
    token: str


class Recorded(BaseModel):
    """Where an event landed in the log."""

    recorded: int


class CampaignReport(BaseModel):
    """What a sponsored-products campaign did, in all and today."""

    campaign: str
    running: bool
    impressions: int
    clicks: int
    ctr: float
    spend: float
    spend_today: float
    budget_left_today: float


class ExperimentSaved(BaseModel):
    """An experiment as stored."""

    experiment: str
    variants: list[str]


def image_url(product_id: str, number: int) -> str:
    """The URL of a product's stored photo."""
    return f"/products/{quote(product_id, safe='')}/images/{number}"
