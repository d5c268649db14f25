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
  await page.waitForFunction(() => location.hash.includes("IKB"));
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

test("a group facet filters, and clicking it again removes the filter", async () => {
  const { page, errors } = await newPage();
  await page.goto(base + "/#/search?q=samverkan");
  await page.locator(".hit").first().waitFor();
  const before = await total(page);
  const groupButtons = page.locator('.facet[data-facet="group"] button');
  assert.equal(await groupButtons.count(), 2);
  const target = groupButtons.filter({ hasText: "Ledningsgrupp" });
  const facetCount = parseInt(await target.locator(".count").textContent(), 10);
  await target.click();
  await page.waitForFunction((n) => !document.querySelector("#summary").textContent.startsWith(String(n)), before);
  const after = await total(page);
  assert.equal(after, facetCount);
  assert.ok(after < before, `${after} < ${before}`);
  assert.equal(await page.locator('.facet[data-facet="group"] button').count(), 1);
  assert.equal(await page.locator(".facet-value.active").count(), 1);
  await page.screenshot({ path: join(shots, "facet.png"), fullPage: true });
  await page.locator(".facet-value.active").click();
  await page.waitForFunction((n) => document.querySelector("#summary").textContent.startsWith(String(n)), before);
  // Back restores the filtered view.
  await page.goBack();
  await page.waitForFunction((n) => document.querySelector("#summary").textContent.startsWith(String(n)), after);
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
  assert.match(await page.textContent("#tooltip"), /2025-11: \d+ av \d+ punkter/);
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

test("the page is readable at phone width", async () => {
  const { page, errors } = await newPage(390, 844);
  await page.goto(base + "/#/search?q=palliativ%20v%C3%A5rd");
  await page.locator(".hit").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
  await page.screenshot({ path: join(shots, "phone.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
