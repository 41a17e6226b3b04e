"""HTTP routes, one router per topic; each parses, calls one `ShopSeek` method and renders a response model."""
