// shopseek web page: every product field is rendered with textContent, never as HTML.
"use strict";

const state = { q: "", page: 1, k: 24, sort: "relevance", category: null, brand: null, priceMin: null, priceMax: null, photo: null };
const $ = (id) => document.getElementById(id);
// The server issues this shopper's id with a token it keeps in an HttpOnly cookie: nobody else can act as them.
let userId = localStorage.getItem("shopseek-shopper");
async function shopper(renew = false) {
  if (userId && !renew) return userId;
  const response = await fetch("/sessions", { method: "POST" });
  if (!response.ok) return null;
  userId = (await response.json()).user_id;
  localStorage.setItem("shopseek-shopper", userId);
  return userId;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function money(price, currency) {
  if (price === null || price === undefined) return "";
  return (currency ? currency + " " : "") + Number(price).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function syncUrl() {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.page > 1) params.set("page", state.page);
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.category) params.set("category", state.category);
  if (state.brand) params.set("brand", state.brand);
  if (state.priceMin !== null) params.set("price_min", state.priceMin);
  if (state.priceMax !== null) params.set("price_max", state.priceMax);
  history.replaceState(null, "", params.toString() ? "/?" + params : "/");
}

function options(user) {
  const params = new URLSearchParams({ k: state.k, page: state.page, sort: state.sort });
  if (user) params.set("user", user);
  if (state.category) params.set("category", state.category);
  if (state.brand) params.set("brand", state.brand);
  if (state.priceMin !== null) params.set("price_min", state.priceMin);
  if (state.priceMax !== null) params.set("price_max", state.priceMax);
  return params;
}

async function search() {
  if (!state.q && !state.photo) { $("status").textContent = "Type words or add a photo."; return; }
  $("status").textContent = "Searching…";
  syncUrl();
  try {
    let response = await run(await shopper());
    if (response.status === 401) response = await run(await shopper(true));  // the cookie was lost: a new shopper
    const body = await response.json();
    if (!response.ok) { showError(body); return; }
    render(body);
  } catch (error) {
    $("status").textContent = "Search failed: " + error;
  }
}

function run(user) {
  if (state.photo) {
    const form = new FormData();
    for (const [key, value] of options(user)) form.append(key, value);
    form.append("q", state.q);
    form.append("image", state.photo);
    return fetch("/search", { method: "POST", body: form });
  }
  const params = options(user);
  params.set("q", state.q);
  return fetch("/search?" + params);
}

function showError(body) {
  const detail = typeof body.error === "string" ? body.error : JSON.stringify(body.detail || body);
  $("status").textContent = "Could not search: " + detail;
  $("results").replaceChildren();
  $("pager").replaceChildren();
}

function card(hit) {
  const image = hit.image_url ? el("img", { src: hit.image_url, alt: hit.title || hit.id, loading: "lazy" }) : el("div", { class: "noimg", text: "no photo" });
  const votes = el("div", { class: "votes" }, [
    el("button", { type: "button", title: "like", text: "Like", onclick: (e) => { e.stopPropagation(); vote(hit.id, "like", e.target); } }),
    el("button", { type: "button", title: "dislike", text: "Not for me", onclick: (e) => { e.stopPropagation(); vote(hit.id, "dislike", e.target); } }),
  ]);
  return el("article", { class: "card", "data-id": hit.id, onclick: () => openProduct(hit.id) }, [
    image,
    el("div", { class: "title", text: hit.title || hit.id }),
    el("div", { class: "brandname", text: hit.brand || "" }),
    el("div", { class: "price", text: money(hit.price, hit.currency) }),
    votes,
  ]);
}

function render(body) {
  const what = [state.q, state.photo ? "your photo" : ""].filter(Boolean).join(" + ");
  $("status").textContent = `${body.total} results for ${what} (${Math.round(body.took_ms)} ms)`;
  $("results").replaceChildren(...body.results.map(card));
  renderFacet("category", "Category", body.facets.category || {});
  renderFacet("brand", "Brand", body.facets.brand || {});
  const pages = Math.max(1, Math.ceil(Math.min(body.total, 1000) / state.k));
  $("pager").replaceChildren(
    el("button", { type: "button", text: "‹ Previous", ...(state.page <= 1 ? { disabled: "" } : {}), onclick: () => { state.page--; search(); } }),
    el("span", { text: `Page ${state.page} of ${pages}` }),
    el("button", { type: "button", text: "Next ›", ...(state.page >= pages ? { disabled: "" } : {}), onclick: () => { state.page++; search(); } }),
  );
  for (const hit of body.results) send({ product_id: hit.id, type: "impression", query: state.q || null });
}

function renderFacet(name, label, counts) {
  const box = $("facet-" + name);
  const entries = Object.entries(counts);
  if (!entries.length && !state[name]) { box.replaceChildren(); return; }
  const links = entries.map(([value, count]) => el("a", {
    class: state[name] === value ? "active" : "", text: `${value} (${count})`,
    onclick: () => { state[name] = state[name] === value ? null : value; state.page = 1; search(); },
  }));
  if (state[name]) links.unshift(el("a", { text: "× any " + label.toLowerCase(), onclick: () => { state[name] = null; state.page = 1; search(); } }));
  box.replaceChildren(el("h3", { text: label }), ...links);
}

async function send(event) {
  try {
    const user = await shopper();
    if (!user) return;
    await fetch("/events", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user_id: user, ...event }) });
  } catch (_) { /* events are best effort */ }
}

function vote(productId, type, button) {
  send({ product_id: productId, type, query: state.q || null });
  button.classList.add("on");
}

async function openProduct(id) {
  send({ product_id: id, type: "click", query: state.q || null });
  const [product, similar] = await Promise.all([
    fetch("/products/" + encodeURIComponent(id)).then((r) => r.json()),
    fetch("/products/" + encodeURIComponent(id) + "/similar?k=8").then((r) => r.json()),
  ]);
  const reviews = (product.reviews || []).map((r) => el("li", { text: (r.rating ? "★".repeat(Math.round(r.rating)) + " " : "") + r.text }));
  const attributes = Object.entries(product.attributes || {}).map(([key, value]) => el("li", { text: `${key}: ${value}` }));
  $("product-body").replaceChildren(
    el("h2", { text: product.title || product.id }),
    el("div", { class: "gallery" }, (product.image_urls || []).map((url) => el("img", { src: url, alt: product.title || product.id }))),
    el("p", { class: "price", text: money(product.price, product.currency) }),
    el("p", { text: [product.brand, product.category].filter(Boolean).join(" · ") }),
    el("p", { text: product.description || "" }),
    el("ul", {}, attributes),
    el("div", { class: "votes" }, [
      el("button", { type: "button", text: "Like", onclick: (e) => vote(id, "like", e.target) }),
      el("button", { type: "button", text: "Not for me", onclick: (e) => vote(id, "dislike", e.target) }),
    ]),
    el("h3", { text: "Reviews" }),
    reviews.length ? el("ul", { class: "reviews" }, reviews) : el("p", { text: "No reviews yet." }),
    el("h3", { text: "Similar products" }),
    el("div", { class: "grid", id: "similar" }, (similar.results || []).map(card)),
  );
  const dialog = $("product");
  if (!dialog.open) dialog.showModal();
}

function setPhoto(file) {
  if (!file || !file.type.startsWith("image/")) { $("status").textContent = "That is not an image."; return; }
  state.photo = file;
  $("photo-preview").src = URL.createObjectURL(file);
  $("photo-name").textContent = file.name || "pasted photo";
  $("photo-chip").hidden = false;
  state.page = 1;
  search();
}

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.q = $("q").value.trim();
  state.page = 1;
  search();
});
$("photo").addEventListener("change", (event) => setPhoto(event.target.files[0]));
$("photo-clear").addEventListener("click", () => { state.photo = null; $("photo-chip").hidden = true; $("photo").value = ""; if (state.q) search(); });
$("sort").addEventListener("change", (event) => { state.sort = event.target.value; state.page = 1; search(); });
$("price-apply").addEventListener("click", () => {
  const low = $("price-min").value, high = $("price-max").value;
  state.priceMin = low === "" ? null : Number(low);
  state.priceMax = high === "" ? null : Number(high);
  state.page = 1;
  search();
});
$("product-close").addEventListener("click", () => $("product").close());
document.addEventListener("dragover", (event) => { event.preventDefault(); $("drop-hint").hidden = false; });
document.addEventListener("dragleave", () => { $("drop-hint").hidden = true; });
document.addEventListener("drop", (event) => {
  event.preventDefault();
  $("drop-hint").hidden = true;
  if (event.dataTransfer.files.length) setPhoto(event.dataTransfer.files[0]);
});
document.addEventListener("paste", (event) => {
  const item = [...(event.clipboardData || {}).items || []].find((i) => i.type.startsWith("image/"));
  if (item) setPhoto(item.getAsFile());
});

(function start() {
  const params = new URLSearchParams(location.search);
  state.q = params.get("q") || "";
  state.page = Number(params.get("page")) || 1;
  state.sort = params.get("sort") || "relevance";
  state.category = params.get("category");
  state.brand = params.get("brand");
  state.priceMin = params.has("price_min") ? Number(params.get("price_min")) : null;
  state.priceMax = params.has("price_max") ? Number(params.get("price_max")) : null;
  $("q").value = state.q;
  $("sort").value = state.sort;
  if (state.priceMin !== null) $("price-min").value = state.priceMin;
  if (state.priceMax !== null) $("price-max").value = state.priceMax;
  if (state.q) search();
})();
