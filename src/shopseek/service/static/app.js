// shopseek web page: every product field is rendered with textContent, never as HTML.
"use strict";

const state = { q: "", page: 1, k: 24, sort: "relevance", category: null, brand: null, priceMin: null, priceMax: null, photo: null, filters: {}, audio: null };
const $ = (id) => document.getElementById(id);
// The server issues this shopper's id with a token it keeps in an HttpOnly cookie: nobody else can act as them.
let userId = localStorage.getItem("shopseek-shopper");
const votes = JSON.parse(localStorage.getItem("shopseek-votes") || "{}");  // product id -> "like" | "dislike"

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

function highlighted(title, spans) {
  // The title as text nodes, with the spans that match the query's words in <mark> (still text, never HTML).
  const node = el("div", { class: "title" });
  let at = 0;
  for (const [start, end] of spans || []) {
    node.append(title.slice(at, start), el("mark", { text: title.slice(start, end) }));
    at = end;
  }
  node.append(title.slice(at));
  return node;
}

function urlOf() {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.page > 1) params.set("page", state.page);
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.category) params.set("category", state.category);
  if (state.brand) params.set("brand", state.brand);
  if (state.priceMin !== null) params.set("price_min", state.priceMin);
  if (state.priceMax !== null) params.set("price_max", state.priceMax);
  addFilters(params);
  return params.toString() ? "/?" + params : "/";
}

function options(user) {
  const params = new URLSearchParams({ k: state.k, page: state.page, sort: state.sort });
  if (user) params.set("user", user);
  if (state.category) params.set("category", state.category);
  if (state.brand) params.set("brand", state.brand);
  if (state.priceMin !== null) params.set("price_min", state.priceMin);
  if (state.priceMax !== null) params.set("price_max", state.priceMax);
  addFilters(params);
  return params;
}

function addFilters(params) {
  for (const [field, values] of Object.entries(state.filters)) {
    if (values.length) params.append("filter", `${field}:${values.join("|")}`);
  }
}

function banner(text) {
  $("banner").textContent = text || "";
  $("banner").hidden = !text;
}

let generation = 0;  // bumped by every new page of results: late answers for an older one are dropped
function clearResults() {
  generation++;
  $("results").replaceChildren();
  $("pager").replaceChildren();
  $("for-you").replaceChildren();
}

// A new search is a new history entry (Back steps through searches); restoring one from history is not.
async function search(push = true) {
  $("filters").classList.remove("open");
  if (push && location.pathname + location.search !== urlOf()) history.pushState(null, "", urlOf());
  if (!state.q && !state.photo && !state.audio) { showHome(); return; }
  $("home").replaceChildren();
  $("status").textContent = "Searching…";
  try {
    let response = await run(await shopper());
    if (response.status === 401) response = await run(await shopper(true));  // the cookie was lost: a new shopper
    const body = await response.json();
    if (!response.ok) { showError(body); return; }
    banner("");
    if (body.transcript) {  // spoken words become the query: the page, the URL and Back show them as typed
      state.q = body.transcript;
      $("q").value = body.transcript;
      state.audio = null;
      history.replaceState(null, "", urlOf());
    }
    render(body);
  } catch (error) {
    $("status").textContent = "";
    clearResults();
    banner("Search is unavailable right now (" + error.message + "). Please try again in a moment.");
  }
}

function run(user) {
  if (state.photo || state.audio) {
    const form = new FormData();
    for (const [key, value] of options(user)) form.append(key, value);
    form.append("q", state.q);
    if (state.photo) form.append("image", state.photo);
    if (state.audio) form.append("audio", state.audio, "speech.webm");
    return fetch("/search", { method: "POST", body: form });
  }
  const params = options(user);
  params.set("q", state.q);
  return fetch("/search?" + params);
}

function showError(body) {
  const detail = typeof body.error === "string" ? body.error : JSON.stringify(body.detail || body);
  $("status").textContent = "";
  clearResults();
  const fields = (body.detail || []).map((d) => d.msg).filter(Boolean).join("; ");
  banner("Could not search: " + (fields || detail));
}

function voteButtons(id) {
  const buttons = [["like", "Like"], ["dislike", "Not for me"]].map(([type, label]) => el("button", {
    type: "button", text: label, "data-vote": type, "aria-pressed": String(votes[id] === type),
    onclick: (e) => { e.stopPropagation(); vote(id, type); },
  }));
  return el("div", { class: "votes", "data-votes": id }, buttons);
}

function card(hit) {
  const image = hit.image_url ? el("img", { src: hit.image_url, alt: hit.title || hit.id, loading: "lazy" }) : el("div", { class: "noimg", text: "no photo" });
  return el("article", { class: "card", "data-id": hit.id, onclick: () => openProduct(hit.id) }, [
    image,
    highlighted(hit.title || hit.id, hit.highlights),
    el("div", { class: "brandname", text: hit.brand || "" }),
    el("div", { class: "price", text: money(hit.price, hit.currency) }),
    ...(hit.sponsored ? [el("div", { class: "sponsored", text: "Sponsored" })] : []),
    voteButtons(hit.id),
  ]);
}

function render(body) {
  const what = [body.corrected || state.q, state.photo ? "your photo" : ""].filter(Boolean).join(" + ");
  const status = [`${body.total} ${body.total === 1 ? "result" : "results"} for ${what}`];
  if (body.corrected) status.push(`(you typed “${state.q}”)`);
  $("status").textContent = status.join(" ");
  renderFacet("category", "Category", body.facets.category || {});
  renderFacet("brand", "Brand", body.facets.brand || {});
  renderAttributeFacets(body.facets.attributes || {});
  clearResults();
  if (!body.results.length) { showEmpty(); return; }
  $("results").replaceChildren(...body.results.map(card));
  const pages = Math.max(1, Math.ceil(Math.min(body.total, 1000) / state.k));
  const turn = (page) => { state.page = page; search().then(() => window.scrollTo(0, 0)); };
  $("pager").replaceChildren(
    el("button", { type: "button", text: "‹ Previous", ...(state.page <= 1 ? { disabled: "" } : {}), onclick: () => turn(state.page - 1) }),
    el("span", { text: `Page ${state.page} of ${pages}` }),
    el("button", { type: "button", text: "Next ›", ...(state.page >= pages ? { disabled: "" } : {}), onclick: () => turn(state.page + 1) }),
  );
  impressions(body.results);
  showForYou();
}

async function showEmpty() {
  const asked = generation;
  const query = state.q.split(/\s+/)[0] || "";
  const [suggested, categories] = await Promise.all([
    query ? fetch("/suggest?k=6&q=" + encodeURIComponent(query.slice(0, 2))).then((r) => r.json()).catch(() => ({ suggestions: [] })) : { suggestions: [] },
    fetch("/categories").then((r) => r.json()).catch(() => ({ categories: {} })),
  ]);
  if (asked !== generation) return;
  const tries = [...suggested.suggestions, ...Object.keys(categories.categories)].slice(0, 10);
  $("results").replaceChildren(el("div", { class: "empty" }, [
    el("h2", { text: "No products match" + (state.q ? ` “${state.q}”` : "") }),
    el("p", { text: "Check the spelling, use fewer words, or try one of these:" }),
    chips(tries),
  ]));
}

function chips(queries) {
  return el("div", { class: "chips" }, queries.map((text) => el("button", {
    type: "button", text, onclick: () => { state.q = text; $("q").value = text; state.page = 1; search(); },
  })));
}

async function showHome() {
  clearResults();
  banner("");
  $("status").textContent = "";
  const { categories } = await fetch("/categories").then((r) => r.json()).catch(() => ({ categories: {} }));
  const examples = ["手机", "red shirt", "笔记本电脑", "perfume"];
  $("home").replaceChildren(
    el("h2", { text: "Shop by category" }), chips(Object.keys(categories)),
    el("h2", { text: "Try" }), chips(examples),
  );
  showForYou();
}

async function showForYou() {
  const box = $("for-you");
  const asked = generation;
  if (!userId) { box.replaceChildren(); return; }
  try {
    const response = await fetch(`/users/${encodeURIComponent(userId)}/recommendations?k=8`);
    const body = response.ok ? await response.json() : { results: [] };
    if (asked !== generation) return;
    box.replaceChildren(...(body.results.length ? [el("h2", { text: "For you" }), el("div", { class: "grid" }, body.results.map(card))] : []));
  } catch (_) { box.replaceChildren(); }
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

function renderAttributeFacets(fields) {
  // Any attribute the results carry (colour, gender, size…): several values of one field may be chosen at once.
  const names = [...new Set([...Object.keys(fields), ...Object.keys(state.filters)])];
  $("facet-attributes").replaceChildren(...names.map((field) => {
    const chosen = state.filters[field] || [];
    const links = Object.entries(fields[field] || {}).map(([value, count]) => el("a", {
      class: chosen.includes(value) ? "active" : "", text: `${chosen.includes(value) ? "✓ " : ""}${value} (${count})`,
      onclick: () => {
        const next = chosen.includes(value) ? chosen.filter((v) => v !== value) : [...chosen, value];
        if (next.length) state.filters[field] = next; else delete state.filters[field];
        state.page = 1;
        search();
      },
    }));
    return el("div", { class: "facet" }, [el("h3", { text: field[0].toUpperCase() + field.slice(1) }), ...links]);
  }));
}

async function send(event) {
  try {
    const user = await shopper();
    if (!user) return;
    await fetch("/events", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user_id: user, ...event }) });
  } catch (_) { /* events are best effort */ }
}

function impressions(hits) {
  // One request for the whole page, sent even when the shopper leaves at once.
  if (!userId || !hits.length) return;
  const events = hits.map((hit, n) => ({ user_id: userId, product_id: hit.id, type: "impression", query: state.q || null, value: (state.page - 1) * state.k + n + 1 }));
  const blob = new Blob([JSON.stringify(events)], { type: "application/json" });
  if (!(navigator.sendBeacon && navigator.sendBeacon("/events/batch", blob))) {
    fetch("/events/batch", { method: "POST", headers: { "Content-Type": "application/json" }, body: blob, keepalive: true }).catch(() => {});
  }
}

function vote(productId, type) {
  // Like and "Not for me" exclude each other; pressing the pressed one takes the vote back.
  const next = votes[productId] === type ? null : type;
  if (next) votes[productId] = next; else delete votes[productId];
  localStorage.setItem("shopseek-votes", JSON.stringify(votes));
  send({ product_id: productId, type: next || "unvote", query: null });
  for (const box of document.querySelectorAll(`[data-votes="${CSS.escape(productId)}"]`)) {
    for (const button of box.querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.vote === next));
  }
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
    voteButtons(id),
    askBox(id),
    el("h3", { text: "Reviews" }),
    reviews.length ? el("ul", { class: "reviews" }, reviews) : el("p", { text: "No reviews yet." }),
    el("h3", { text: "Similar products" }),
    el("div", { class: "grid", id: "similar" }, (similar.results || []).map(card)),
  );
  const dialog = $("product");
  if (!dialog.open) dialog.showModal();
}

function askBox(id) {
  // Answers come from the product's own description, attributes and reviews, each with its source.
  const list = el("ol", { class: "answers" });
  const input = el("input", { type: "search", maxlength: "300", placeholder: "Is it waterproof? 保修多久？", "aria-label": "Ask about this product" });
  const form = el("form", { class: "ask", onsubmit: async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    try {
      const response = await fetch(`/products/${encodeURIComponent(id)}/answers?k=3&q=${encodeURIComponent(input.value.trim())}`);
      const body = await response.json();
      const found = response.ok ? body.answers : [];
      list.replaceChildren(...(found.length ? found.map((a) => el("li", {}, [a.text + " ", el("span", { class: "source", text: `(${a.source})` })]))
        : [el("li", { text: response.ok ? "Nothing in this product's text answers that." : body.error })]));
    } catch (error) { list.replaceChildren(el("li", { text: "Could not ask: " + error.message })); }
  } }, [input, el("button", { type: "submit", text: "Ask" })]);
  return el("section", {}, [el("h3", { text: "Ask about this product" }), form, list]);
}

function setPhoto(file) {
  if (!file || !file.type.startsWith("image/")) { banner("That is not an image."); return; }
  state.photo = file;
  $("photo-preview").src = URL.createObjectURL(file);
  $("photo-name").textContent = file.name || "pasted photo";
  $("photo-chip").hidden = false;
  state.page = 1;
  search();
}

let recorder = null;
async function toggleRecording() {
  // Speak, then press again (or wait 8 s): the recording is sent as the query and transcribed by the server.
  if (recorder) { recorder.stop(); return; }
  let stream;
  try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); } catch (error) { banner("No microphone: " + error.message); return; }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (event) => chunks.push(event.data);
  recorder.onstop = () => {
    stream.getTracks().forEach((track) => track.stop());
    recorder = null;
    $("mic").setAttribute("aria-pressed", "false");
    $("mic").textContent = "Speak";
    state.audio = new Blob(chunks, { type: chunks[0]?.type || "audio/webm" });
    state.q = "";
    state.page = 1;
    search();
  };
  recorder.start();
  $("mic").setAttribute("aria-pressed", "true");
  $("mic").textContent = "Stop";
  setTimeout(() => recorder && recorder.stop(), 8000);
}
if (window.MediaRecorder && navigator.mediaDevices) {
  $("mic").hidden = false;
  $("mic").addEventListener("click", toggleRecording);
}

let suggesting = null;
$("q").addEventListener("input", () => {
  clearTimeout(suggesting);
  const typed = $("q").value.trim();
  suggesting = setTimeout(async () => {
    if (!typed) { $("suggestions").replaceChildren(); return; }
    try {
      const body = await fetch("/suggest?k=8&q=" + encodeURIComponent(typed)).then((r) => r.json());
      $("suggestions").replaceChildren(...(body.suggestions || []).map((text) => el("option", { value: text })));
    } catch (_) { /* suggestions are best effort */ }
  }, 150);
});
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.q = $("q").value.trim();
  state.page = 1;
  search();
});
$("photo").addEventListener("change", (event) => setPhoto(event.target.files[0]));
$("photo-clear").addEventListener("click", () => { state.photo = null; $("photo-chip").hidden = true; $("photo").value = ""; search(); });
$("sort").addEventListener("change", (event) => { state.sort = event.target.value; state.page = 1; search(); });
$("price-apply").addEventListener("click", () => {
  const low = $("price-min").value, high = $("price-max").value;
  state.priceMin = low === "" ? null : Number(low);
  state.priceMax = high === "" ? null : Number(high);
  state.page = 1;
  search();
});
$("filters-open").addEventListener("click", () => $("filters").classList.add("open"));
$("filters-close").addEventListener("click", () => $("filters").classList.remove("open"));
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

function fromUrl() {
  const params = new URLSearchParams(location.search);
  state.q = params.get("q") || "";
  state.page = Number(params.get("page")) || 1;
  state.sort = params.get("sort") || "relevance";
  state.category = params.get("category");
  state.brand = params.get("brand");
  state.priceMin = params.has("price_min") ? Number(params.get("price_min")) : null;
  state.priceMax = params.has("price_max") ? Number(params.get("price_max")) : null;
  state.filters = {};
  for (const expression of params.getAll("filter")) {
    const [field, values] = [expression.slice(0, expression.indexOf(":")), expression.slice(expression.indexOf(":") + 1)];
    if (field && values) state.filters[field] = values.split("|");
  }
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("price-min").value = state.priceMin ?? "";
  $("price-max").value = state.priceMax ?? "";
}
window.addEventListener("popstate", () => { fromUrl(); search(false); });
fromUrl();
search(false);
