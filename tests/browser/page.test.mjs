// The page in a real browser: Debian's headless Chromium driven by playwright-core,
// against a real `protokollsok serve` on an ephemeral loopback port.
// Screenshots go to target/browser/ for a person to look at.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const shots = join(repo, "target", "browser");
const bin = process.env.PROTOKOLLSOK_BIN || join(repo, "target", "release", "protokollsok");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

let server, browser, base, work;

before(async () => {
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "protokollsok-browser-"));
  cpSync(join(repo, "corpus"), join(work, "corpus"), { recursive: true });
  server = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--corpus", join(work, "corpus"), "--index", join(work, "index")], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/(127\.0\.0\.1:\d+)\//);
      if (m) resolve(`http://${m[1]}`);
    });
    server.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
    setTimeout(() => reject(new Error("server did not start")), 60000).unref();
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function newPage(width = 1280, height = 900) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const outside = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
  return { page, errors, outside };
}

const total = async (page) => parseInt((await page.textContent("#summary")).match(/^(\d+)/)?.[1] ?? "0", 10);

test("typing IKB finansiering lands on the IKB item with highlights", async () => {
  const { page, errors, outside } = await newPage();
  await page.goto(base + "/");
  await page.locator("#q").pressSequentially("IKB finansiering", { delay: 30 });
  // The answer to the whole query is drawn (not one to the words typed so far).
  await page.waitForFunction(() => /för ”IKB finansiering”/.test(document.querySelector("#summary").textContent)
    && document.querySelector("#results").getAttribute("aria-busy") === "false");
  const first = page.locator(".hit-title").first();
  await first.waitFor();
  assert.match(await first.textContent(), /Intensiv kontextuell behandling \(IKB\)/);
  assert.match(await page.locator(".protocol-hits h2").first().textContent(), /2025-12-12/);
  const marks = await page.locator(".hit .snippet mark").allTextContents();
  assert.ok(marks.some((m) => m === "IKB"), `marks: ${marks}`);
  await page.screenshot({ path: join(shots, "search.png"), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(outside, [], "the page fetches nothing from elsewhere");
  await page.close();
});

test("the search box never rewrites what the user types: a space survives a pause", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/");
  await page.locator("#q").pressSequentially("psykisk ", { delay: 30 });
  // Longer than the typing pause: the search runs and the hash changes.
  await page.waitForFunction(() => location.hash.includes("psykisk"));
  await page.waitForTimeout(500);
  assert.equal(await page.inputValue("#q"), "psykisk ");
  await page.locator("#q").pressSequentially("hälsa", { delay: 30 });
  await page.waitForFunction(() => new URLSearchParams(location.hash.split("?")[1] || "").get("q") === "psykisk hälsa");
  assert.equal(await page.inputValue("#q"), "psykisk hälsa");
  // Navigation still sets the box: a link to another query.
  await page.evaluate(() => { location.hash = "#/search?q=samverkan"; });
  await page.waitForFunction(() => document.querySelector("#q").value === "samverkan");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a hit links to its matter's timeline, items of other meetings in date order", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/search?q=digital+ungdomsmottagning");
  await page.locator(".matter-link a").first().click();
  await page.locator(".timeline li").nth(1).waitFor();
  const dates = await page.locator(".timeline .date").allTextContents();
  assert.deepEqual(dates, ["2025-12-12", "2026-02-06"]);
  assert.match(await page.locator(".timeline li").nth(1).textContent(), /samma rubrik/);
  await page.screenshot({ path: join(shots, "matter.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a group facet filters, keeps the other values with their counts, and ORs a second value", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/search?q=samverkan");
  await page.locator(".hit").first().waitFor();
  const before = await total(page);
  const groupButtons = page.locator('.facet[data-facet="group"] button.facet-value');
  assert.equal(await groupButtons.count(), 2);
  const counts = async () => Object.fromEntries(await groupButtons.evaluateAll((bs) => bs.map((b) => [b.dataset.value, parseInt(b.querySelector(".count").textContent, 10)])));
  const countsBefore = await counts();
  const target = groupButtons.filter({ hasText: "Ledningsgrupp" });
  const facetCount = parseInt(await target.locator(".count").textContent(), 10);
  await target.click();
  await page.waitForFunction((n) => !document.querySelector("#summary").textContent.startsWith(String(n)) && document.querySelector("#results").getAttribute("aria-busy") === "false", before);
  const after = await total(page);
  assert.equal(after, facetCount);
  assert.ok(after < before, `${after} < ${before}`);
  // The other group is still there, and no count moved.
  assert.equal(await groupButtons.count(), 2);
  assert.deepEqual(await counts(), countsBefore);
  assert.equal(await page.locator(".facet-value.active").count(), 1);
  await page.screenshot({ path: join(shots, "facet.png"), fullPage: true });
  // A second value of the same facet: either will do.
  await groupButtons.filter({ hasNotText: "Ledningsgrupp" }).click();
  await page.waitForFunction((n) => !document.querySelector("#summary").textContent.startsWith(String(n)) && document.querySelector("#results").getAttribute("aria-busy") === "false", after);
  assert.equal(await total(page), Object.values(countsBefore).reduce((a, b) => a + b, 0));
  assert.equal(await page.locator(".facet-value.active").count(), 2);
  assert.equal(await page.locator("#active-filters .chip").count(), 2);
  // Clicking a chosen value again takes it away.
  await page.locator(".facet-value.active").first().click();
  await page.waitForFunction(() => document.querySelectorAll(".facet-value.active").length === 1);
  await page.locator(".facet-value.active").click();
  await page.waitForFunction((n) => document.querySelector("#summary").textContent.startsWith(String(n)), before);
  // Back restores the filtered view.
  await page.goBack();
  await page.waitForFunction(() => document.querySelectorAll(".facet-value.active").length === 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a long facet shows its first values and all of them on request", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/search");
  const persons = page.locator('.facet[data-facet="person"] button.facet-value');
  await persons.first().waitFor();
  assert.equal(await persons.count(), 12);
  const more = page.locator('.facet[data-facet="person"] button.facet-more');
  assert.match(await more.textContent(), /Visa alla \(\d+\+?\)/);
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll('.facet[data-facet="person"] button.facet-value').length > 12);
  assert.equal(await more.getAttribute("aria-expanded"), "true");
  assert.deepEqual(errors, []);
  await page.close();
});

test("paging and facet clicks bring the results' top into sight; sort by date", async () => {
  const { page, errors } = await newPage(1280, 700);
  await page.goto(base + "/#/search");
  await page.locator(".hit").first().waitFor();
  await page.locator("#pager a").last().scrollIntoViewIfNeeded();
  assert.ok(await page.evaluate(() => window.scrollY) > 300);
  await page.locator("#pager a", { hasText: "Nästa" }).click();
  await page.waitForFunction(() => location.hash.includes("offset=20") && /visar 21–/.test(document.querySelector("#summary").textContent));
  await page.waitForFunction(() => window.scrollY < 200);
  // Sort: newest first, the choice kept in the URL.
  await page.goto(base + "/#/search?q=samverkan");
  await page.locator(".hit").first().waitFor();
  await page.selectOption("#sort", "date");
  await page.waitForFunction(() => location.hash.includes("sort=date"));
  await page.waitForFunction(() => document.querySelector("#results").getAttribute("aria-busy") === "false");
  const dates = (await page.locator(".protocol-hits h2 a").allTextContents()).map((t) => t.slice(0, 10));
  assert.ok(dates.length > 1 && dates.every((d, i) => i === 0 || dates[i - 1] >= d), dates.join());
  assert.deepEqual(errors, []);
  await page.close();
});

test("a search in progress says so, and errors are in Swedish", async () => {
  const { page, errors } = await newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route("**/api/search?*", async (route) => { await held; await route.continue(); });
  await page.goto(base + "/#/search?q=IKB");
  await page.waitForFunction(() => document.querySelector("#results").getAttribute("aria-busy") === "true");
  assert.equal(await page.textContent("#summary"), "Söker…");
  release();
  await page.locator(".hit").first().waitFor();
  assert.equal(await page.getAttribute("#results", "aria-busy"), "false");
  await page.unroute("**/api/search?*");
  await page.evaluate(() => { location.hash = "#/search?q=%22IKB"; });
  await page.locator("#results .error").waitFor();
  assert.match(await page.textContent("#results .error"), /^Sökningen gick inte att tolka\./);
  await page.evaluate(() => { location.hash = "#/protocol/finnsinte"; });
  await page.locator("#protocol .error").waitFor();
  assert.equal(await page.textContent("#protocol .error"), "Det finns inte i arkivet.");
  // Failed fetches of the held route are not page errors.
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  await page.close();
});

test("§ 12 finds the item numbered 12", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/");
  await page.locator("#q").fill("§ 12");
  await page.locator("#q").press("Enter");
  await page.locator(".hit-title").first().waitFor();
  const titles = await page.locator(".hit-title").allTextContents();
  assert.ok(titles.length > 0 && titles.every((t) => t.startsWith("12. ")), titles.join(" | "));
  assert.deepEqual(errors, []);
  await page.close();
});

test("the protocol view shows the hit item with marks, the agenda and the people", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/search?q=IKB%20finansiering");
  await page.locator(".hit-title").first().click();
  await page.locator("#protocol h1").waitFor();
  const hit = page.locator(".item.hit");
  assert.equal(await hit.count(), 1);
  assert.match(await hit.locator("h2").textContent(), /Intensiv kontextuell behandling/);
  assert.ok(await hit.locator("mark").count() > 0);
  // The marks are the engine's: IKB's long form is marked in the title, which no
  // guess from the typed letters would find.
  const titleMarks = await hit.locator("h2 mark").allTextContents();
  assert.ok(titleMarks.includes("kontextuell"), `title marks: ${titleMarks}`);
  const box = await hit.boundingBox();
  assert.ok(box && box.y < 900, "the hit item is scrolled into view");
  assert.ok(await page.locator(".toc li").count() >= 10);
  // The agenda is numbered once, by the protocol's own numbers: no list marker
  // beside them.
  const marker = await page.locator(".toc li").first().evaluate((li) => getComputedStyle(li).listStyleType);
  assert.equal(marker, "none");
  const numbered = await page.locator(".toc li a").allTextContents();
  assert.ok(numbered.every((t) => !/^\s*\d+\.\s*\d+\.\s/.test(t)), `${numbered}`);
  assert.ok(await page.locator(".decision").count() >= 3);
  assert.ok(await page.locator(".persons li").count() >= 10);
  // The original file is one click away.
  const original = await page.locator("a.original").getAttribute("href");
  const file = await page.evaluate(async (href) => { const r = await fetch(href); return [r.status, r.headers.get("content-type"), await r.text()]; }, original);
  assert.equal(file[0], 200);
  assert.match(file[1], /^text\/plain/);
  assert.match(file[2], /Intensiv kontextuell behandling/);
  await page.screenshot({ path: join(shots, "protocol.png") });
  // A person's name opens the person view.
  await page.locator(".persons a", { hasText: "Petra Hornstra" }).click();
  await page.locator("#person h1").waitFor();
  assert.equal(await page.textContent("#person h1"), "Petra Hornstra");
  await page.screenshot({ path: join(shots, "person.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the trend view draws one bar per period and a bar filters to its period", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/trend?q=suicidprevention&interval=month");
  await page.locator(".bar").first().waitFor();
  const periods = await page.evaluate(async () => (await (await fetch("/api/trend?q=suicidprevention&interval=month")).json()).points.length);
  assert.equal(await page.locator(".bar").count(), periods);
  assert.ok(periods >= 6);
  await page.locator(".bar").first().hover();
  assert.match(await page.textContent("#tooltip"), /2025-11: \d+ av \d+ punkter \(\d+,\d\s%\)/);
  await page.screenshot({ path: join(shots, "trend.png") });
  await page.check("#split");
  await page.locator(".legend span").first().waitFor();
  await page.locator(".bar").first().click();
  await page.waitForFunction(() => location.hash.startsWith("#/search") && location.hash.includes("from=2025-11-01"));
  await page.locator(".hit").first().waitFor();
  const dates = await page.locator(".protocol-hits h2 a").allTextContents();
  assert.ok(dates.length > 0 && dates.every((d) => d.startsWith("2025-11")), dates.join());
  assert.deepEqual(errors, []);
  await page.close();
});

test("the trend shows shares in Swedish, titled axes with round ticks, its filters, a CSV and what is new", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/trend?q=samverkan&interval=quarter&group=Ledningsgrupp");
  await page.locator(".trend-table tbody tr").first().waitFor();
  const api = await page.evaluate(async () => (await (await fetch("/api/trend?q=samverkan&interval=quarter&group=Ledningsgrupp")).json()));
  // Every period's share is in the table, as 16,7 %.
  const rows = await page.locator(".trend-table tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, api.points.length);
  api.points.forEach((p, i) => {
    assert.equal(rows[i][0], p.period);
    assert.equal(rows[i][3], (p.share * 100).toFixed(1).replace(".", ",") + "\u00a0%");
  });
  // Axis titles; ticks are round numbers.
  const titles = await page.locator(".chart .axis-title").allTextContents();
  assert.deepEqual(titles, ["Antal punkter", "Kvartal"]);
  const ticks = (await page.locator(".chart .tick").allTextContents()).map((t) => Number(t.replace(/\s/g, "")));
  const step = ticks[1] - ticks[0];
  assert.ok(ticks[0] === 0 && [1, 2, 5].includes(step / Math.pow(10, Math.floor(Math.log10(step)))), ticks.join());
  // The filter in force is shown, and can be taken away.
  assert.match(await page.textContent("#trend-filters"), /Grupp: Ledningsgrupp/);
  // Shares instead of counts.
  await page.selectOption("#measure", "share");
  await page.waitForFunction(() => location.hash.includes("measure=share") && document.querySelector(".chart .axis-title")?.textContent === "Andel av alla punkter");
  assert.ok((await page.locator(".chart .tick").allTextContents()).every((t) => /%$/.test(t)));
  // The table as CSV, with Swedish decimals.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#trend-csv")]);
  const csv = await new Promise((resolve, reject) => {
    download.createReadStream().then((stream) => {
      let text = "";
      stream.on("data", (d) => { text += d; });
      stream.on("end", () => resolve(text));
      stream.on("error", reject);
    }, reject);
  });
  const lines = csv.replace(/^\ufeff/, "").trim().split(/\r\n/);
  assert.equal(lines[0], "period;från;till;träffar;alla punkter;andel");
  assert.equal(lines.length, api.points.length + 1);
  assert.match(lines[1], /^\d{4}-Q\d;\d{4}-\d\d-01;\d{4}-\d\d-\d\d;\d+;\d+;\d,\d{4}$/);
  // What is new in the latest period, beside the trend.
  await page.locator("#new-panel h2").waitFor();
  assert.match(await page.textContent("#new-panel h2"), /^Nytt \d{4}/);
  await page.screenshot({ path: join(shots, "trend-share.png"), fullPage: true });
  // Many groups stay readable: six are drawn, the rest are one "Övriga".
  const grouped = await page.evaluate(() => {
    const points = [{ groups: Object.fromEntries("abcdefghij".split("").map((g, i) => [g, 10 - i])) }];
    const g = trendGroups(points);
    return [g.shown, g.others, groupValues(points[0], g)];
  });
  assert.deepEqual(grouped[0], ["a", "b", "c", "d", "e", "f"]);
  assert.deepEqual(grouped[1], ["g", "h", "i", "j"]);
  assert.deepEqual(grouped[2].at(-1), ["Övriga", 4 + 3 + 2 + 1]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the people page lists everyone and narrows as one types", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/");
  await page.click("#nav-persons");
  await page.locator("#persons-list li").first().waitFor();
  const all = await page.locator("#persons-list li").count();
  assert.ok(all >= 20, `${all}`);
  await page.locator("#person-filter").fill("hartz");
  await page.waitForFunction(() => document.querySelectorAll("#persons-list li").length === 1);
  await page.locator("#persons-list a").click();
  await page.locator("#person h1").waitFor();
  assert.equal(await page.textContent("#person h1"), "Sofia Hartz");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a misspelt word is corrected and the page says so", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/");
  await page.locator("#q").pressSequentially("suicidprevnetion", { delay: 20 });
  await page.locator("#corrected").waitFor({ state: "visible" });
  assert.match(await page.textContent("#corrected"), /Visar resultat för suicidprevention/);
  assert.ok(await page.locator(".hit").count() > 0);
  assert.ok((await page.locator(".hit .snippet mark").allTextContents()).some((m) => /suicidprevention/i.test(m)));
  await page.screenshot({ path: join(shots, "corrected.png") });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the page is readable at phone width, the filters before the results", async () => {
  const { page, errors } = await newPage(390, 844);
  await page.goto(base + "/#/search?q=palliativ%20v%C3%A5rd");
  await page.locator(".hit").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
  const toggle = await page.locator("#filter-toggle").boundingBox();
  const firstHit = await page.locator(".hit").first().boundingBox();
  assert.ok(toggle && toggle.y < firstHit.y && toggle.y < 844, `filters at ${toggle?.y}, first hit at ${firstHit.y}`);
  await page.click("#filter-toggle");
  const facet = await page.locator(".facet").first().boundingBox();
  assert.ok(facet && facet.y < firstHit.y + 2000 && facet.y < (await page.locator(".hit").first().boundingBox()).y, "the filters open above the results");
  await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
