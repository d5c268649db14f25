// Protokollsök: the page. The URL hash holds the whole state
// (#/search?q=…&group=…, #/protocol/ID?item=N&q=…, #/trend?q=…, #/person/NAME),
// so links can be shared and Back works.
"use strict";

const PAGE = 20;
const FILTER_KEYS = ["q", "from", "to", "group", "organisation", "party", "person", "topic", "decisions"];
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

function hashFor(view, arg, params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "" && v !== false) p.set(k, v);
  }
  const qs = p.toString();
  return "#/" + view + (arg ? "/" + encodeURIComponent(arg) : "") + (qs ? "?" + qs : "");
}

function currentFilters() {
  const { params } = parseHash();
  const out = {};
  for (const k of FILTER_KEYS) if (params.get(k)) out[k] = params.get(k);
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

let inflight = null;
async function api(path, params) {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const qs = new URLSearchParams(params || {}).toString();
  const res = await fetch(path + (qs ? "?" + qs : ""), { signal: inflight.signal });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function showError(el, err) {
  if (err.name === "AbortError") return;
  el.innerHTML = `<p class="error" role="alert">${esc(err.message)}</p>`;
}

// ---------------------------------------------------------------- views

function showView(name) {
  for (const v of ["search", "protocol", "trend", "person", "matter"]) $("view-" + v).hidden = v !== name;
  $("nav-search").classList.toggle("active", name === "search" || name === "protocol");
  $("nav-trend").classList.toggle("active", name === "trend");
  const f = currentFilters();
  $("nav-search").href = hashFor("search", "", f);
  $("nav-trend").href = hashFor("trend", "", f);
}

async function render() {
  const { view, arg, params } = parseHash();
  const q = params.get("q") || "";
  // The box shows what the user typed: it is only set when the query changed by
  // navigation (a link, back), never trimmed under the user's hands.
  if (!typingTimer && $("q").value.trim() !== q.trim()) $("q").value = q;
  showView(["protocol", "trend", "person", "matter"].includes(view) ? view : "search");
  if (view === "protocol") return renderProtocol(arg, params);
  if (view === "matter") return renderMatter(arg);
  if (view === "trend") return renderTrend(params);
  if (view === "person") return renderPerson(arg);
  return renderSearch(params);
}

async function renderSearch(params) {
  const f = currentFilters();
  const offset = parseInt(params.get("offset") || "0", 10) || 0;
  $("from").value = f.from || "";
  $("to").value = f.to || "";
  $("decisions").checked = f.decisions === "true";
  renderActiveFilters(f);
  try {
    const r = await api("/api/search", { ...f, limit: PAGE, offset });
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
    renderFacets(r.facets, f);
    renderPager(r.total, offset, f);
  } catch (e) {
    showError($("results"), e);
    $("summary").textContent = "";
    $("pager").innerHTML = "";
  }
}

function renderActiveFilters(f) {
  const labels = { group: "Grupp", person: "Person", topic: "Ämne", from: "Från", to: "Till", decisions: "Beslut" };
  const chips = Object.keys(labels).filter((k) => f[k]).map((k) => {
    const rest = { ...f };
    delete rest[k];
    const value = k === "decisions" ? "ja" : f[k];
    return `<a class="chip" href="${esc(hashFor("search", "", rest))}" title="Ta bort filtret">${esc(labels[k])}: ${esc(value)} ×</a>`;
  });
  $("active-filters").innerHTML = chips.join("");
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

function renderFacets(facets, f) {
  let html = "";
  for (const [key, label] of FACETS) {
    const values = (facets[key] || []).slice(0, 12);
    if (!values.length) continue;
    html += `<section class="facet" data-facet="${key}"><h2>${label}</h2><ul>`;
    for (const v of values) {
      const active = key === "year" ? f.from === `${v.value}-01-01` && f.to === `${v.value}-12-31` : f[key] === v.value;
      html += `<li><button type="button" class="facet-value${active ? " active" : ""}" aria-pressed="${active}"
        data-key="${key}" data-value="${esc(v.value)}"><span>${esc(v.value)}</span><span class="count">${v.count}</span></button></li>`;
    }
    html += "</ul></section>";
  }
  $("facet-lists").innerHTML = html;
}

function toggleFacet(key, value) {
  const f = currentFilters();
  if (key === "year") {
    const on = f.from === `${value}-01-01` && f.to === `${value}-12-31`;
    f.from = on ? "" : `${value}-01-01`;
    f.to = on ? "" : `${value}-12-31`;
  } else {
    f[key] = f[key] === value ? "" : value;
  }
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
        <dt>Fil</dt><dd>${esc(p.file)}</dd>
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

async function renderTrend(params) {
  const f = currentFilters();
  const interval = params.get("interval") || "quarter";
  const split = params.get("split") === "1";
  $("interval").value = interval;
  $("split").checked = split;
  try {
    const t = await api("/api/trend", { ...f, interval });
    $("trend-summary").textContent = `”${f.q || "alla punkter"}”: ${t.matching} av ${t.total} punkter, per ${({ month: "månad", quarter: "kvartal", year: "år" })[interval]}.`;
    drawChart(t, split, f);
  } catch (e) {
    showError($("chart"), e);
    $("legend").innerHTML = "";
  }
}

function drawChart(t, split, f) {
  const pts = t.points;
  if (!pts.length) {
    $("chart").innerHTML = '<p class="muted">Inga punkter att visa.</p>';
    $("legend").innerHTML = "";
    return;
  }
  const groups = split ? [...new Set(pts.flatMap((p) => Object.keys(p.groups)))].sort() : [];
  const max = Math.max(1, ...pts.map((p) => p.matching));
  const W = Math.max(320, Math.max($("chart").clientWidth - 16, pts.length * 14 + 60));
  const H = 280, left = 40, bottom = 40, top = 10;
  const bw = Math.min(70, (W - left - 10) / pts.length);
  let svg = `<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Antal träffar per period">`;
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    const y = H - bottom - ((H - bottom - top) * v) / max;
    svg += `<line x1="${left}" x2="${W - 5}" y1="${y}" y2="${y}" class="grid"/><text x="${left - 6}" y="${y + 4}" class="axis" text-anchor="end">${v}</text>`;
  }
  pts.forEach((p, i) => {
    const x = left + i * bw + 2;
    const w = Math.max(2, bw - 4);
    const tip = `${p.period}: ${p.matching} av ${p.total} punkter (${(p.share * 100).toFixed(1)} %)`;
    const segs = split && p.matching ? groups.map((g, gi) => [g, p.groups[g] || 0, COLORS[gi % COLORS.length]]).filter((s) => s[1]) : [[null, p.matching, COLORS[0]]];
    let y = H - bottom;
    svg += `<g class="bar" tabindex="0" role="button" data-from="${p.from}" data-to="${p.to}" data-tip="${esc(tip)}" aria-label="${esc(tip)}">`;
    svg += `<rect x="${x}" y="${top}" width="${w}" height="${H - bottom - top}" class="hover-area"/>`;
    for (const [g, n, color] of segs) {
      const h = ((H - bottom - top) * n) / max;
      y -= h;
      svg += `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${color}"><title>${esc(g ? `${g}: ${n}` : tip)}</title></rect>`;
    }
    svg += "</g>";
    const every = Math.ceil(pts.length / 14);
    if (i % every === 0) svg += `<text x="${x + w / 2}" y="${H - bottom + 16}" class="axis" text-anchor="middle">${esc(p.period)}</text>`;
  });
  svg += "</svg>";
  $("chart").innerHTML = svg;
  $("legend").innerHTML = groups.map((g, gi) => `<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${COLORS[gi % COLORS.length]}"/></svg> ${esc(g)}</span>`).join("");
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

let typingTimer = null;
$("q").addEventListener("input", () => {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    typingTimer = null;
    const { view } = parseHash();
    const f = { ...currentFilters(), q: $("q").value.trim() };
    go(view === "trend" ? "trend" : "search", "", view === "trend" ? { ...f, interval: parseHash().params.get("interval") } : f, true);
  }, 250);
});
$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  clearTimeout(typingTimer);
  typingTimer = null;
  const { view } = parseHash();
  go(view === "trend" ? "trend" : "search", "", { ...currentFilters(), q: $("q").value.trim() });
});
$("facet-lists").addEventListener("click", (e) => {
  const b = e.target.closest("button.facet-value");
  if (b) toggleFacet(b.dataset.key, b.dataset.value);
});
for (const id of ["from", "to"]) {
  $(id).addEventListener("change", () => go("search", "", { ...currentFilters(), [id]: $(id).value }));
}
$("decisions").addEventListener("change", () => go("search", "", { ...currentFilters(), decisions: $("decisions").checked ? "true" : "" }));
$("interval").addEventListener("change", () => go("trend", "", { ...currentFilters(), interval: $("interval").value, split: $("split").checked ? "1" : "" }));
$("split").addEventListener("change", () => go("trend", "", { ...currentFilters(), interval: $("interval").value, split: $("split").checked ? "1" : "" }));
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
