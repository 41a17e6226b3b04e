"""The product schema every reader produces and every other room consumes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KNOWN_FIELDS = {
    "id",
    "title",
    "description",
    "brand",
    "category",
    "price",
    "currency",
    "attributes",
    "images",
    "reviews",
    "video",
}
MAX_ID_LENGTH = 128
MAX_TITLE = 500
MAX_DESCRIPTION = 20_000
MAX_SHORT_FIELD = 200  # brand, category, currency
MAX_REVIEW = 5_000
MAX_REVIEWS = 200
MAX_MEDIA = 20
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_VALUE = 2_000


class Review(BaseModel):
    """One shopper review: its text and an optional 1-5 rating."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_REVIEW)
    rating: float | None = Field(default=None, ge=0, le=5, allow_inf_nan=False)


class Product(BaseModel):
    """A catalogue product; every modality is optional except the id."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    title: str = Field(default="", max_length=MAX_TITLE)
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    brand: str = Field(default="", max_length=MAX_SHORT_FIELD)
    category: str = Field(default="", max_length=MAX_SHORT_FIELD)
    price: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    currency: str = Field(default="", max_length=MAX_SHORT_FIELD)
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=MAX_ATTRIBUTES)
    images: list[str] = Field(default_factory=list, max_length=MAX_MEDIA)
    reviews: list[Review] = Field(default_factory=list, max_length=MAX_REVIEWS)
    video: str | None = Field(default=None, max_length=2_000)

    @model_validator(mode="before")
    @classmethod
    def _collect_unknown_fields(cls, data: Any) -> Any:
        """Move unknown top-level fields into `attributes` and coerce numeric ids to strings."""
        if not isinstance(data, dict):
            raise ValueError("a product must be an object")
        data = dict(data)
        if isinstance(data.get("id"), int) and not isinstance(data.get("id"), bool):
            data["id"] = str(data["id"])
        extra = {k: data.pop(k) for k in list(data) if k not in KNOWN_FIELDS}
        if extra:
            attributes = data.get("attributes") or {}
            if not isinstance(attributes, dict):
                raise ValueError("attributes must be an object")
            data["attributes"] = {**extra, **attributes}
        for key in ("title", "description", "brand", "category", "currency"):
            if data.get(key) is None:
                data.pop(key, None)
        return data

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        """Refuse ids that could escape a URL path or a folder."""
        if "/" in value or "\\" in value or value in {".", ".."} or any(ord(c) < 32 for c in value):
            raise ValueError("id must not contain '/', '\\', control characters or be '.'/'..'")
        return value

    @field_validator("attributes")
    @classmethod
    def _bounded_attributes(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Refuse attribute values too long to be a product attribute (each as text)."""
        for key, item in value.items():
            if len(str(key)) > MAX_SHORT_FIELD or len(str(item)) > MAX_ATTRIBUTE_VALUE:
                raise ValueError(f"attribute {str(key)[:40]!r} is longer than {MAX_ATTRIBUTE_VALUE} characters")
        return value

    @field_validator("reviews", mode="before")
    @classmethod
    def _reviews_from_strings(cls, value: Any) -> Any:
        """Accept plain strings as reviews without a rating."""
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("images", mode="before")
    @classmethod
    def _single_image(cls, value: Any) -> Any:
        """Accept one image path as a one-item list."""
        return [value] if isinstance(value, str) else value

    def searchable_text(self) -> str:
        """The text the lexical index reads for this product: its naming words (title, brand, category) twice, as a
        word in the title says more of what the product is than one in its description or reviews."""
        parts = [self.naming_text(), self.naming_text(), self.description]
        parts += [f"{v}" for v in self.attributes.values() if isinstance(v, str | int | float)]
        parts += [r.text for r in self.reviews[:5]]
        return " ".join(p for p in parts if p)

    def naming_text(self) -> str:
        """The words a shop names this product with (title, brand, category): what queries are spelled against."""
        return naming_text(self.title, self.brand, self.category)

    def text_attributes(self) -> list[str]:
        """The attribute values that are text (colour, material…)."""
        return [v for v in self.attributes.values() if isinstance(v, str)]

    def naming_attributes_text(self) -> str:
        """The naming words and the text attributes (colour, material…): what the shop says the product is."""
        parts = [self.naming_text(), *self.text_attributes()]
        return " ".join(p for p in parts if p)

    def passage_text(self) -> str:
        """A short description for the dense text encoder (title first, it matters most)."""
        parts = [self.title, self.brand, self.category]
        parts += self.text_attributes()
        parts.append(self.description[:300])
        return " ".join(p for p in parts if p)[:600]

    @property
    def has_text(self) -> bool:
        """True when the product has any text to match words against."""
        return bool(self.title or self.description or self.brand or self.category or self.reviews)


SEARCHABLE_TEXT_VERSION = "naming-words-twice"  # an index whose lexical side read another text re-reads its products


def naming_text(title: str | None, brand: str | None, category: str | None) -> str:
    """Title, brand and category as one text (the words a shop names a product with)."""
    return " ".join(p for p in (title, brand, category) if p)
