// Protokollsök: the page. The URL hash holds the whole state
// (#/search?q=…&group=…&group=…, #/protocol/ID?item=N&q=…, #/trend?q=…,
// #/person/NAME, #/persons), so links can be shared and Back works.
"use strict";

const PAGE = 20;
// Values shown per facet before "Visa fler"; the answer holds up to FACET_LIMIT.
const FACET_SHOWN = 12;
const FACET_LIMIT = 100;
const SINGLE_KEYS = ["q", "from", "to", "decisions", "sort"];
// A facet may hold several values: any of them will do.
const MULTI_KEYS = ["group", "organisation", "party", "person", "topic", "kind"];
const FACETS = [
  ["group", "Grupp"],
  ["organisation", "Organisation"],
  ["person", "Person"],
  ["party", "Parti"],
  ["topic", "Ämne"],
  ["year", "År"],
];

const $ = (id) => document.getElementById(id);

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// ---------------------------------------------------------------- state and URL

function parseHash() {
  const h = location.hash.replace(/^#\/?/, "");
  const [path, query] = h.split("?");
  const parts = (path || "search").split("/").map(decodeURIComponent);
  const params = new URLSearchParams(query || "");
  return { view: parts[0] || "search", arg: parts[1] || "", params };
}

// Query parameters of an object; an array is one parameter per value.
function toParams(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined && one !== null && one !== "" && one !== false) p.append(k, one);
    }
  }
  return p;
}

function hashFor(view, arg, params) {
  const qs = toParams(params).toString();
  return "#/" + view + (arg ? "/" + encodeURIComponent(arg) : "") + (qs ? "?" + qs : "");
}

// The filters of the URL: single values, and a list per facet.
function currentFilters() {
  const { params } = parseHash();
  const out = {};
  for (const k of SINGLE_KEYS) if (params.get(k)) out[k] = params.get(k);
  for (const k of MULTI_KEYS) {
    const values = params.getAll(k).filter(Boolean);
    if (values.length) out[k] = values;
  }
  return out;
}

// The filters without the sort order (what the trend and the chips take).
function filtersOnly(f) {
  const out = { ...f };
  delete out.sort;
  return out;
}

function go(view, arg, params, replace) {
  const h = hashFor(view, arg, params);
  if (h === location.hash) return render();
  if (replace) history.replaceState(null, "", h);
  else history.pushState(null, "", h);
  render();
}

// ---------------------------------------------------------------- fetching

// What an error of the API means, said in Swedish; the engine's own words follow
// for the query errors, which name the problem.
const ERROR_TEXT = {
  bad_query: "Sökningen gick inte att tolka.",
  bad_argument: "Ett filter eller en inställning har ett ogiltigt värde.",
  not_found: "Det finns inte i arkivet.",
  busy: "Indexet byggs just nu. Försök igen om en stund.",
  io: "Arkivet kunde inte läsas.",
  index: "Indexet kunde inte läsas.",
};

class ApiError extends Error {
  constructor(code, detail) {
    super(ERROR_TEXT[code] || "Något gick fel.");
    this.code = code;
    this.detail = detail;
  }
}

let inflight = null;
// Fetches JSON from the API; a newer call aborts the one before (the views share
// one area of the page, and only the last answer may be drawn).
async function api(path, params, own) {
  let signal;
  if (!own) {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    signal = inflight.signal;
  }
  const qs = toParams(params).toString();
  let res;
  try {
    res = await fetch(path + (qs ? "?" + qs : ""), { signal });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError("network", "");
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(body.code, body.error || res.statusText);
  return body;
}

function showError(el, err) {
  if (err.name === "AbortError") return;
  const msg = err instanceof ApiError ? err.message : "Något gick fel.";
  const detail = err instanceof ApiError && err.code === "bad_query" && err.detail ? ` <span class="muted">(${esc(err.detail)})</span>` : "";
  el.innerHTML = `<p class="error" role="alert">${esc(msg)}${detail}</p>`;
}

function setBusy(el, busy) {
  el.setAttribute("aria-busy", busy ? "true" : "false");
  el.classList.toggle("loading", busy);
}

// ---------------------------------------------------------------- views

const VIEWS = ["search", "protocol", "trend", "person", "persons", "matter"];

function showView(name) {
  for (const v of VIEWS) $("view-" + v).hidden = v !== name;
  $("nav-search").classList.toggle("active", name === "search" || name === "protocol");
  $("nav-trend").classList.toggle("active", name === "trend");
  $("nav-persons").classList.toggle("active", name === "persons" || name === "person");
  const f = currentFilters();
  $("nav-search").href = hashFor("search", "", f);
  $("nav-trend").href = hashFor("trend", "", filtersOnly(f));
}

async function render() {
  const { view, arg, params } = parseHash();
  const q = params.get("q") || "";
  // The box shows what the user typed: it is only set when the query changed by
  // navigation (a link, back), never trimmed under the user's hands.
  if (!typingTimer && $("q").value.trim() !== q.trim()) $("q").value = q;
  showView(VIEWS.includes(view) ? view : "search");
  if (view === "protocol") return renderProtocol(arg, params);
  if (view === "matter") return renderMatter(arg);
  if (view === "trend") return renderTrend(params);
  if (view === "person") return renderPerson(arg);
  if (view === "persons") return renderPersons();
  return renderSearch(params);
}

// Set before a navigation that should bring the results' top into sight (paging,
// a facet); the search view scrolls there once the new results are drawn.
let scrollToResults = false;

async function renderSearch(params) {
  const f = currentFilters();
  const offset = parseInt(params.get("offset") || "0", 10) || 0;
  $("from").value = f.from || "";
  $("to").value = f.to || "";
  $("decisions").checked = f.decisions === "true";
  $("sort").value = f.sort === "date" ? "date" : "relevance";
  renderActiveFilters(f);
  setBusy($("results"), true);
  $("summary").textContent = "Söker…";
  try {
    const r = await api("/api/search", { ...f, limit: PAGE, offset, facet_limit: FACET_LIMIT });
    setBusy($("results"), false);
    $("summary").textContent = r.total === 0
      ? `Inga träffar${f.q ? ` för ”${f.q}”` : ""}.`
      : `${r.total} ${r.total === 1 ? "träff" : "träffar"}${f.q ? ` för ”${f.q}”` : ""} (visar ${offset + 1}–${offset + r.hits.length})`;
    const corr = r.corrected || [];
    $("corrected").hidden = corr.length === 0;
    if (corr.length) {
      let fixed = f.q || "";
      for (const c of corr) fixed = fixed.split(c.from).join(c.to);
      $("corrected").innerHTML = `Visar resultat för <b>${esc(fixed)}</b>. ` + corr.map((c) => `${esc(c.from)} → ${esc(c.to)}`).join(", ");
    }
    renderHits(r.hits, corr.reduce((q, c) => q.split(c.from).join(c.to), f.q || ""));
    renderFacets(r.facets, f, r.facets_estimated);
    renderPager(r.total, offset, f);
    if (scrollToResults) {
      scrollToResults = false;
      const top = document.querySelector("#view-search .results-col");
      const header = document.querySelector(".top").offsetHeight;
      window.scrollTo(0, Math.max(0, top.getBoundingClientRect().top + window.scrollY - header - 8));
    }
  } catch (e) {
    if (e.name === "AbortError") return;
    setBusy($("results"), false);
    showError($("results"), e);
    $("summary").textContent = "";
    $("pager").innerHTML = "";
  }
}

const FILTER_LABELS = {
  group: "Grupp", organisation: "Organisation", person: "Person", party: "Parti", topic: "Ämne",
  kind: "Typ", from: "Från", to: "Till", decisions: "Beslut",
};

// The filters in force as chips; each removes itself (one value of a facet at a time).
function filterChips(f, view) {
  const chips = [];
  for (const k of Object.keys(FILTER_LABELS)) {
    if (!f[k]) continue;
    for (const value of Array.isArray(f[k]) ? f[k] : [f[k]]) {
      const rest = { ...f };
      if (Array.isArray(f[k])) rest[k] = f[k].filter((v) => v !== value);
      else delete rest[k];
      delete rest.offset;
      const shown = k === "decisions" ? "ja" : value;
      chips.push(`<a class="chip" href="${esc(hashFor(view, "", rest))}" title="Ta bort filtret">${esc(FILTER_LABELS[k])}: ${esc(shown)} ×</a>`);
    }
  }
  return chips.join("");
}

function renderActiveFilters(f) {
  $("active-filters").innerHTML = filterChips(f, "search");
  const n = Object.keys(FILTER_LABELS).reduce((sum, k) => sum + (Array.isArray(f[k]) ? f[k].length : f[k] ? 1 : 0), 0);
  $("filter-toggle").textContent = n ? `Filter (${n} valda)` : "Filter";
}

function renderHits(hits, q) {
  // Group hits by protocol, in the order of each protocol's best hit.
  const groups = new Map();
  for (const h of hits) {
    if (!groups.has(h.protocol_id)) groups.set(h.protocol_id, []);
    groups.get(h.protocol_id).push(h);
  }
  let html = "";
  for (const [id, hs] of groups) {
    const first = hs[0];
    html += `<section class="protocol-hits">
      <h2><a href="${esc(hashFor("protocol", id, { q }))}">${esc(first.date || "okänt datum")} · ${esc(first.group)}</a>
      <span class="kind">${esc(first.kind)}</span></h2>`;
    for (const h of hs) {
      const num = h.item_number ? `${esc(h.item_number)}. ` : "";
      const parent = h.parent ? `<span class="parent">${esc(h.parent)} ›</span> ` : "";
      const people = h.presenters.map((p) => `<a href="${esc(hashFor("person", p, {}))}">${esc(p)}</a>`).join(", ");
      html += `<div class="hit">
        <h3>${parent}<a class="hit-title" href="${esc(hashFor("protocol", id, { item: h.item_index, q }))}">${num}${marked(h.item_title, h.title_highlights)}</a>
        ${h.decisions.length ? '<span class="badge">Beslut</span>' : ""}</h3>
        <p class="snippet">${marked(h.snippet_text, h.highlights)}</p>
        ${people ? `<p class="people">Föredragande: ${people}</p>` : ""}
        ${h.matter ? `<p class="matter-link"><a href="${esc(hashFor("matter", h.matter, {}))}">Ärendets historik</a></p>` : ""}
        ${(h.themes || []).length ? `<p class="themes">${h.themes.map((t) => `<a class="chip" href="${esc(hashFor("search", "", { topic: t }))}">${esc(t)}</a>`).join(" ")}</p>` : ""}
      </div>`;
    }
    html += "</section>";
  }
  $("results").innerHTML = html;
}

// Facets the user opened to show all their values.
const expandedFacets = new Set();

function facetActive(key, value, f) {
  return key === "year" ? f.from === `${value}-01-01` && f.to === `${value}-12-31` : (f[key] || []).includes(value);
}

// Estimated counts (a very broad search counts a sample past its first items) are
// shown as such: "≈ 1 200".
function renderFacets(facets, f, estimated = false) {
  let html = estimated
    ? '<p class="muted facet-note" title="Sökningen träffar så många punkter att antalen räknas på ett urval">Ungefärliga antal</p>'
    : "";
  for (const [key, label] of FACETS) {
    const all = facets[key] || [];
    if (!all.length) continue;
    const open = expandedFacets.has(key);
    // The first values, and any chosen one further down, stay in sight.
    const values = open ? all : all.filter((v, i) => i < FACET_SHOWN || facetActive(key, v.value, f));
    html += `<section class="facet" data-facet="${key}"><h2>${label}</h2><ul>`;
    for (const v of values) {
      const active = facetActive(key, v.value, f);
      html += `<li><button type="button" class="facet-value${active ? " active" : ""}" aria-pressed="${active}"
        data-key="${key}" data-value="${esc(v.value)}"><span>${esc(v.value)}</span><span class="count">${estimated ? "≈ " : ""}${v.count}</span></button></li>`;
    }
    html += "</ul>";
    if (all.length > FACET_SHOWN) {
      const more = all.length >= FACET_LIMIT ? `${FACET_LIMIT}+` : String(all.length);
      html += `<button type="button" class="facet-more" data-key="${key}" aria-expanded="${open}">${open ? "Visa färre" : `Visa alla (${more})`}</button>`;
    }
    html += "</section>";
  }
  $("facet-lists").innerHTML = html;
}

// A facet value is added to or taken from its facet's values (OR within a facet);
// a year is a date range and replaces another year.
function toggleFacet(key, value) {
  const f = currentFilters();
  delete f.offset;
  if (key === "year") {
    const on = f.from === `${value}-01-01` && f.to === `${value}-12-31`;
    f.from = on ? "" : `${value}-01-01`;
    f.to = on ? "" : `${value}-12-31`;
  } else {
    const values = f[key] || [];
    f[key] = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  }
  scrollToResults = true;
  go("search", "", f);
}

function renderPager(total, offset, f) {
  let html = "";
  if (offset > 0) html += `<a href="${esc(hashFor("search", "", { ...f, offset: Math.max(0, offset - PAGE) }))}">← Föregående</a>`;
  if (offset + PAGE < total) html += `<a href="${esc(hashFor("search", "", { ...f, offset: offset + PAGE }))}">Nästa →</a>`;
  $("pager").innerHTML = html;
}

// Text as escaped HTML with <mark> around the ranges the engine marked: [start, end)
// in characters (code points), the way the API counts them. The page never guesses
// by itself what a query matched.
function marked(text, ranges) {
  const chars = Array.from(text || "");
  let out = "";
  let at = 0;
  for (const [a, b] of ranges || []) {
    if (a < at || b > chars.length || a >= b) continue;
    out += esc(chars.slice(at, a).join("")) + "<mark>" + esc(chars.slice(a, b).join("")) + "</mark>";
    at = b;
  }
  return out + esc(chars.slice(at).join(""));
}

// Paragraphs of marked text; a mark never spans a line break.
function paragraphs(text, ranges) {
  return marked(text, ranges).split(/\n\n+/).map((p) => `<p>${p.replace(/\n/g, "<br>")}</p>`).join("");
}

async function renderProtocol(id, params) {
  const el = $("protocol");
  const q = params.get("q") || "";
  const item = params.get("item");
  const back = document.querySelector("#view-protocol .back");
  back.href = hashFor("search", "", currentFilters());
  el.innerHTML = '<p class="loading">Hämtar protokollet…</p>';
  try {
    const p = await api(`/api/protocols/${encodeURIComponent(id)}`, q ? { q } : {});
    const person = (n) => `<a href="${esc(hashFor("person", n, {}))}">${esc(n)}</a>`;
    let html = `<header class="protocol-head">
      <h1>${esc(p.title)}</h1>
      <dl>
        <dt>Datum</dt><dd>${esc(p.date || "okänt")}</dd>
        <dt>Grupp</dt><dd>${esc(p.group)}</dd>
        ${p.organisation ? `<dt>Organisation</dt><dd>${esc(p.organisation)}</dd>` : ""}
        <dt>Typ</dt><dd>${esc(p.kind)}</dd>
        ${p.place ? `<dt>Plats</dt><dd>${esc(p.place)}</dd>` : ""}
        ${p.chairs.length ? `<dt>Ordförande</dt><dd>${p.chairs.map(person).join(", ")}</dd>` : ""}
        ${p.secretary ? `<dt>Sekreterare</dt><dd>${person(p.secretary)}</dd>` : ""}
        ${(p.adjusters || []).length ? `<dt>Justerare</dt><dd>${p.adjusters.map(person).join(", ")}</dd>` : ""}
        ${(p.absent || []).length ? `<dt>Frånvarande</dt><dd>${p.absent.map(esc).join(", ")}</dd>` : ""}
        <dt>Fil</dt><dd><a class="original" href="/api/protocols/${encodeURIComponent(p.id)}/file" target="_blank" rel="noopener">${esc(p.file)}</a></dd>
      </dl></header>
      <nav class="toc" aria-label="Dagordning"><h2>Dagordning</h2><ul class="agenda">`;
    p.items.forEach((it, i) => {
      const num = it.number ? `${esc(it.number)}. ` : "";
      html += `<li class="${it.parent ? "sub" : ""}${String(i) === item ? " current" : ""}"><a href="#item-${i}" data-item="${i}">${num}${esc(it.title)}</a></li>`;
    });
    html += "</ul></nav><div class=\"items\">";
    p.items.forEach((it, i) => {
      const num = it.number ? `${esc(it.number)}. ` : "";
      const hl = it.highlights || { title: [], text: [], dnr: [], decisions: [] };
      html += `<section class="item${String(i) === item ? " hit" : ""}" id="item-${i}" tabindex="-1">
        <h2>${it.parent ? `<span class="parent">${esc(it.parent)} ›</span> ` : ""}${num}${marked(it.title, hl.title)}</h2>
        ${it.dnr ? `<p class="dnr muted">Dnr ${marked(it.dnr, hl.dnr)}</p>` : ""}
        ${it.presenters.length ? `<p class="people">Föredragande: ${it.presenters.map(person).join(", ")}</p>` : ""}
        ${paragraphs(it.text, hl.text)}
        ${it.decisions.map((d, k) => `<div class="decision"><b>Beslut</b> ${marked(d, hl.decisions[k])}</div>`).join("")}
        ${(it.reservations || []).map((r) => `<div class="reservation"><b>Reservation</b> ${r.by.length ? r.by.map(person).join(", ") : esc(r.text)}</div>`).join("")}
      </section>`;
    });
    html += `</div><section class="persons"><h2>Personer (${p.persons.length})</h2><ul>`;
    for (const pe of p.persons) {
      const extra = [pe.party, pe.role, pe.organisation, pe.replaces ? `tjänstgör för ${pe.replaces}` : ""]
        .filter(Boolean).map(esc).join(", ");
      html += `<li>${person(pe.name)}${extra ? ` <span class="muted">${extra}</span>` : ""}</li>`;
    }
    html += "</ul></section>";
    el.innerHTML = html;
    const target = item !== null ? document.getElementById(`item-${item}`) : null;
    if (target) {
      target.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    } else {
      window.scrollTo(0, 0);
    }
  } catch (e) {
    showError(el, e);
  }
}

const COLORS = ["#1f6f8b", "#e07a1f", "#3a9d5d", "#b23a48", "#7453a6", "#8c6d1f", "#2b8cbe", "#d6604d"];
// Groups drawn one by one when split; the rest are summed as "Övriga".
const TOP_GROUPS = 6;
const OTHERS = "Övriga";
const PERIOD_NAME = { month: "Månad", quarter: "Kvartal", year: "År" };

const fmtInt = new Intl.NumberFormat("sv-SE");
const fmtDec = (digits) => new Intl.NumberFormat("sv-SE", { minimumFractionDigits: digits, maximumFractionDigits: digits });
// `16,7 %`: Swedish decimals, a space before the sign.
function pct(share, digits = 1) {
  return fmtDec(digits).format(share * 100) + "\u00a0%";
}

// Round ticks from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten.
function niceTicks(max, count = 4) {
  if (!(max > 0)) return { step: 1, top: 1, ticks: [0, 1] };
  const raw = max / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { step, top, ticks };
}

// The groups of a trend, most matching items first: the first TOP_GROUPS by name,
// the rest as one "Övriga".
function trendGroups(pts) {
  const sums = new Map();
  for (const p of pts) for (const [g, n] of Object.entries(p.groups)) sums.set(g, (sums.get(g) || 0) + n);
  const sorted = [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "sv"));
  if (sorted.length <= TOP_GROUPS + 1) return { shown: sorted.map((e) => e[0]), others: [] };
  return { shown: sorted.slice(0, TOP_GROUPS).map((e) => e[0]), others: sorted.slice(TOP_GROUPS).map((e) => e[0]) };
}

function groupValues(p, groups) {
  const out = groups.shown.map((g) => [g, p.groups[g] || 0]);
  if (groups.others.length) out.push([OTHERS, groups.others.reduce((s, g) => s + (p.groups[g] || 0), 0)]);
  return out;
}

let csvUrl = null;

async function renderTrend(params) {
  const f = filtersOnly(currentFilters());
  const interval = params.get("interval") || "quarter";
  const split = params.get("split") === "1";
  const measure = params.get("measure") === "share" ? "share" : "count";
  $("interval").value = interval;
  $("split").checked = split;
  $("measure").value = measure;
  $("trend-filters").innerHTML = filterChips(f, "trend");
  setBusy($("chart"), true);
  $("trend-summary").textContent = "Räknar…";
  try {
    const t = await api("/api/trend", { ...f, interval });
    setBusy($("chart"), false);
    const corr = t.corrected || [];
    $("trend-corrected").hidden = corr.length === 0;
    $("trend-corrected").textContent = corr.length ? `Räknade ${corr.map((c) => `”${c.to}” i stället för ”${c.from}”`).join(", ")}.` : "";
    const share = t.total ? ` (${pct(t.matching / t.total)})` : "";
    $("trend-summary").textContent = `”${f.q || "alla punkter"}”: ${fmtInt.format(t.matching)} av ${fmtInt.format(t.total)} punkter${share}, per ${PERIOD_NAME[interval].toLowerCase()}.`;
    const groups = split ? trendGroups(t.points) : null;
    drawChart(t, groups, measure, interval, f);
    drawTrendTable(t, groups, interval);
    renderNew(t.points, interval);
  } catch (e) {
    if (e.name === "AbortError") return;
    setBusy($("chart"), false);
    showError($("chart"), e);
    $("trend-summary").textContent = "";
    $("legend").innerHTML = "";
    $("trend-table").innerHTML = "";
    $("trend-csv").hidden = true;
  }
}

function drawChart(t, groups, measure, interval, f) {
  const pts = t.points;
  if (!pts.length) {
    $("chart").innerHTML = '<p class="muted">Inga punkter att visa.</p>';
    $("legend").innerHTML = "";
    return;
  }
  const byShare = measure === "share";
  const value = (p) => (byShare ? p.share : p.matching);
  const scale = niceTicks(Math.max(...pts.map(value)));
  const W = Math.max(320, Math.max($("chart").clientWidth - 16, pts.length * 14 + 80));
  const H = 300, left = 56, bottom = 52, top = 18;
  const plotH = H - bottom - top;
  const bw = Math.min(70, (W - left - 10) / pts.length);
  const yOf = (v) => H - bottom - (plotH * v) / scale.top;
  const yTitle = byShare ? "Andel av alla punkter" : "Antal punkter";
  let svg = `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(yTitle)} per ${esc(PERIOD_NAME[interval].toLowerCase())}">`;
  for (const v of scale.ticks) {
    const y = yOf(v);
    const label = byShare ? pct(v, scale.step * 100 < 1 ? 1 : 0) : fmtInt.format(v);
    svg += `<line x1="${left}" x2="${W - 5}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y + 4}" class="axis tick" text-anchor="end">${esc(label)}</text>`;
  }
  svg += `<text class="axis-title" transform="translate(12 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(yTitle)}</text>`;
  svg += `<text class="axis-title" x="${left + (W - left) / 2}" y="${H - 6}" text-anchor="middle">${esc(PERIOD_NAME[interval])}</text>`;
  const every = Math.ceil(pts.length / 14);
  const labelled = pts.length <= 24;
  pts.forEach((p, i) => {
    const x = left + i * bw + 2;
    const w = Math.max(2, bw - 4);
    const tip = `${p.period}: ${fmtInt.format(p.matching)} av ${fmtInt.format(p.total)} punkter (${pct(p.share)})`;
    const segs = groups && p.matching
      ? groupValues(p, groups).map(([g, n], gi) => [g, n, COLORS[gi % COLORS.length]]).filter((s) => s[1])
      : [[null, p.matching, COLORS[0]]];
    let y = H - bottom;
    const total = value(p);
    svg += `<g class="bar" tabindex="0" role="button" data-from="${p.from}" data-to="${p.to}" data-tip="${esc(tip)}" aria-label="${esc(tip)}">`;
    svg += `<rect x="${x}" y="${top}" width="${w}" height="${plotH}" class="hover-area"/>`;
    for (const [g, n, color] of segs) {
      // A group's part of the bar is its part of the period's matching items.
      const h = p.matching ? (plotH * (total * (n / p.matching))) / scale.top : 0;
      y -= h;
      svg += `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${color}"><title>${esc(g ? `${g}: ${fmtInt.format(n)}` : tip)}</title></rect>`;
    }
    if (labelled && p.total) {
      svg += `<text x="${x + w / 2}" y="${yOf(total) - 4}" class="axis bar-label" text-anchor="middle">${esc(byShare ? pct(p.share) : fmtInt.format(p.matching))}</text>`;
    }
    svg += "</g>";
    if (i % every === 0) svg += `<text x="${x + w / 2}" y="${H - bottom + 16}" class="axis" text-anchor="middle">${esc(p.period)}</text>`;
  });
  svg += "</svg>";
  $("chart").innerHTML = svg;
  const legend = groups ? [...groups.shown, ...(groups.others.length ? [OTHERS] : [])] : [];
  $("legend").innerHTML = legend.map((g, gi) => `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${COLORS[gi % COLORS.length]}"/></svg> ${esc(g)}${g === OTHERS ? ` <span class="muted">(${groups.others.length} grupper)</span>` : ""}</span>`).join("");
  for (const bar of $("chart").querySelectorAll(".bar")) {
    const open = () => go("search", "", { ...f, from: bar.dataset.from, to: bar.dataset.to });
    bar.addEventListener("click", open);
    bar.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
    bar.addEventListener("mousemove", (e) => {
      const tip = $("tooltip");
      tip.textContent = bar.dataset.tip;
      tip.hidden = false;
      tip.style.left = `${e.pageX + 12}px`;
      tip.style.top = `${e.pageY - 28}px`;
    });
    bar.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  }
}

// The trend as a table (what a screen reader and a spreadsheet get), and the same
// rows as a CSV file to download: semicolons and decimal commas, as Swedish
// spreadsheets read them.
function drawTrendTable(t, groups, interval) {
  const cols = groups ? [...groups.shown, ...(groups.others.length ? [OTHERS] : [])] : [];
  let html = `<table class="trend-table"><thead><tr><th>${esc(PERIOD_NAME[interval])}</th><th class="num">Träffar</th><th class="num">Alla punkter</th><th class="num">Andel</th>${cols.map((g) => `<th class="num">${esc(g)}</th>`).join("")}</tr></thead><tbody>`;
  const csv = [["period", "från", "till", "träffar", "alla punkter", "andel", ...cols]];
  for (const p of t.points) {
    const gv = groups ? groupValues(p, groups).map((e) => e[1]) : [];
    html += `<tr><td>${esc(p.period)}</td><td class="num">${fmtInt.format(p.matching)}</td><td class="num">${fmtInt.format(p.total)}</td><td class="num">${pct(p.share)}</td>${gv.map((n) => `<td class="num">${fmtInt.format(n)}</td>`).join("")}</tr>`;
    csv.push([p.period, p.from, p.to, p.matching, p.total, fmtDec(4).format(p.share).replace(/\s/g, ""), ...gv]);
  }
  $("trend-table").innerHTML = html + "</tbody></table>";
  const cell = (v) => (/[;"\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const text = "\ufeff" + csv.map((row) => row.map(cell).join(";")).join("\r\n") + "\r\n";
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = $("trend-csv");
  link.href = csvUrl;
  link.download = `trend-${(currentFilters().q || "alla").replace(/[^\p{L}\p{N}]+/gu, "_")}-${interval}.csv`;
  link.hidden = false;
}

// Beside the trend: what rose most in the latest period with meetings, against the
// period before (over the whole archive).
async function renderNew(points, interval) {
  const panel = $("new-panel");
  const last = [...points].reverse().find((p) => p.total > 0);
  if (!last) { panel.innerHTML = ""; return; }
  try {
    const n = await api("/api/new", { period: last.period }, true);
    let html = `<h2>Nytt ${esc(n.period)}</h2><p class="muted">Ord och ämnen vars andel av punkterna ökade mest jämfört med ${esc(n.previous)} (hela arkivet).</p>`;
    if (!n.rising.length) html += '<p class="muted">Inget stack ut.</p>';
    html += "<ol>";
    for (const r of n.rising.slice(0, 8)) {
      const href = r.kind === "theme" ? hashFor("search", "", { topic: [r.term] }) : hashFor("search", "", { q: r.term });
      html += `<li><a href="${esc(href)}">${esc(r.term)}</a> <span class="muted">${fmtInt.format(r.items)} punkter (${pct(r.share)}, före ${pct(r.share_before)})</span></li>`;
    }
    panel.innerHTML = html + "</ol>";
  } catch (e) {
    if (e.name !== "AbortError") panel.innerHTML = "";
  }
}

async function renderPersons() {
  setBusy($("persons-list"), true);
  $("persons-summary").textContent = "Hämtar…";
  try {
    const people = await api("/api/persons");
    setBusy($("persons-list"), false);
    personList = people;
    drawPersons();
  } catch (e) {
    setBusy($("persons-list"), false);
    showError($("persons-list"), e);
    $("persons-summary").textContent = "";
  }
}

let personList = [];
function drawPersons() {
  const wanted = $("person-filter").value.trim().toLowerCase();
  const shown = personList.filter((p) => !wanted || p.value.toLowerCase().includes(wanted));
  $("persons-summary").textContent = `${fmtInt.format(shown.length)} av ${fmtInt.format(personList.length)} personer, flest punkter först.`;
  $("persons-list").innerHTML = shown.slice(0, 500).map((p) =>
    `<li><a href="${esc(hashFor("person", p.value, {}))}">${esc(p.value)}</a> <span class="muted">${fmtInt.format(p.count)} punkter</span></li>`).join("");
}

async function renderPerson(name) {
  const el = $("person");
  document.querySelector("#view-person .back").href = hashFor("search", "", currentFilters());
  el.innerHTML = '<p class="loading">Hämtar…</p>';
  try {
    const p = await api(`/api/persons/${encodeURIComponent(name)}`);
    let html = `<h1>${esc(p.name)}</h1>
      <p><a href="${esc(hashFor("search", "", { person: p.name }))}">Visa alla punkter från möten där ${esc(p.name)} deltog</a></p>
      <h2>Roller och organisationer</h2><table><thead><tr><th>Roll</th><th>Organisation</th><th>Första</th><th>Senaste</th><th>Möten</th></tr></thead><tbody>`;
    for (const r of p.roles) {
      html += `<tr><td>${esc(r.role || "–")}</td><td>${esc(r.organisation || "–")}</td><td>${esc(r.first || "")}</td><td>${esc(r.last || "")}</td><td>${r.meetings}</td></tr>`;
    }
    html += `</tbody></table><h2>Föredrog (${p.presented.length})</h2><ul>`;
    for (const it of p.presented) {
      html += `<li>${esc(it.date || "")} · ${esc(it.group)}: <a href="${esc(hashFor("protocol", it.protocol_id, { item: it.item_index }))}">${esc(it.item_title)}</a></li>`;
    }
    html += `</ul><h2>Ämnen</h2><p class="chips">`;
    html += p.topics.map((t) => `<a class="chip" href="${esc(hashFor("search", "", { topic: t.value }))}">${esc(t.value)} (${t.count})</a>`).join("") || '<span class="muted">–</span>';
    html += `</p><h2>Möten (${p.meetings.length})</h2><ul>`;
    for (const m of p.meetings) {
      html += `<li><a href="${esc(hashFor("protocol", m.protocol_id, {}))}">${esc(m.date || "")} · ${esc(m.group)}</a> <span class="muted">${esc([m.kind, m.role, m.organisation].filter(Boolean).join(", "))}</span></li>`;
    }
    html += "</ul>";
    el.innerHTML = html;
  } catch (e) {
    showError(el, e);
  }
}

const LINKED_BY = { first: "", dnr: "samma diarienummer", title: "samma rubrik", abbreviation: "samma förkortning" };

async function renderMatter(id) {
  const el = $("matter");
  document.querySelector("#view-matter .back").href = hashFor("search", "", currentFilters());
  el.innerHTML = '<p class="loading">Hämtar…</p>';
  try {
    const m = await api(`/api/matters/${encodeURIComponent(id)}`);
    let html = `<h1>Ärende: ${esc(m.title)}</h1>
      <p class="muted">${esc(m.first_date || "")} – ${esc(m.last_date || "")} · ${esc(m.groups.join(", "))}${m.dnr ? ` · Dnr ${esc(m.dnr)}` : ""}</p>
      <ol class="timeline">`;
    for (const it of m.items) {
      const why = LINKED_BY[it.linked_by] ? `<span class="why">${esc(LINKED_BY[it.linked_by])}${it.link_value ? " " + esc(it.link_value) : ""}</span>` : "";
      html += `<li><span class="date">${esc(it.date || "")}</span> ${esc(it.group)}:
        <a href="${esc(hashFor("protocol", it.protocol_id, { item: it.item_index }))}">${it.number ? esc(it.number) + ". " : ""}${esc(it.title)}</a> ${why}
        ${it.decisions.map((d) => `<p class="decision"><span class="badge">Beslut</span> ${esc(d)}</p>`).join("")}</li>`;
    }
    el.innerHTML = html + "</ol>";
  } catch (e) {
    showError(el, e);
  }
}

// ---------------------------------------------------------------- events

// The trend's own settings, as the URL holds them.
function trendSettings() {
  return {
    interval: $("interval").value,
    split: $("split").checked ? "1" : "",
    measure: $("measure").value === "share" ? "share" : "",
  };
}

// Runs the typed query in the view it was typed in (the trend counts it, any other
// view searches it). The box's value is sent as typed and never written back.
function runQuery(replace) {
  const { view } = parseHash();
  const f = { ...currentFilters(), q: $("q").value.trim() };
  if (view === "trend") go("trend", "", { ...filtersOnly(f), ...trendSettings() }, replace);
  else go("search", "", f, replace);
}

let typingTimer = null;
$("q").addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    typingTimer = null;
    runQuery(true);
  }, 250);
});
$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(typingTimer);
  typingTimer = null;
  runQuery(false);
});
$("facet-lists").addEventListener("click", (e) => {
  const more = e.target.closest("button.facet-more");
  if (more) {
    const key = more.dataset.key;
    if (expandedFacets.has(key)) expandedFacets.delete(key);
    else expandedFacets.add(key);
    render();
    return;
  }
  const b = e.target.closest("button.facet-value");
  if (b) toggleFacet(b.dataset.key, b.dataset.value);
});
$("pager").addEventListener("click", (e) => {
  if (e.target.closest("a")) scrollToResults = true;
});
$("active-filters").addEventListener("click", (e) => {
  if (e.target.closest("a")) scrollToResults = true;
});
$("filter-toggle").addEventListener("click", () => {
  const open = !$("facets").classList.contains("open");
  $("facets").classList.toggle("open", open);
  $("filter-toggle").setAttribute("aria-expanded", String(open));
});
for (const id of ["from", "to"]) {
  $(id).addEventListener("change", () => go("search", "", { ...currentFilters(), [id]: $(id).value }));
}
$("decisions").addEventListener("change", () => go("search", "", { ...currentFilters(), decisions: $("decisions").checked ? "true" : "" }));
$("sort").addEventListener("change", () => {
  const f = currentFilters();
  delete f.offset;
  go("search", "", { ...f, sort: $("sort").value === "date" ? "date" : "" });
});
for (const id of ["interval", "split", "measure"]) {
  $(id).addEventListener("change", () => go("trend", "", { ...filtersOnly(currentFilters()), ...trendSettings() }));
}
$("person-filter").addEventListener("input", drawPersons);
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-item]");
  if (!a) return;
  e.preventDefault();
  const target = document.getElementById(`item-${a.dataset.item}`);
  if (target) { target.scrollIntoView({ block: "start" }); target.focus({ preventScroll: true }); }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && document.activeElement.tagName !== "INPUT") {
    e.preventDefault();
    $("q").focus();
  }
});
window.addEventListener("popstate", render);
window.addEventListener("hashchange", render);
render();
