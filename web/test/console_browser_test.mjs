// The console in Debian's chromium, driven by playwright-core (see console_browser_test.sh for
// the collaboration it runs against). Each step checks what the page shows against what the
// CLI and governance say, and that a page of another origin cannot make a console sign.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = process.env;
const work = env.WORK;
const cli = (...args) => execFileSync(env.CLEANROOM, args, { encoding: "utf8" });
const cliJson = (...args) => JSON.parse(cli(...args, "--json"));
const identity = (who) => ["--identity", join(work, who)];
const origin = (login) => new URL(login).origin;
const shot = (page, name) => page.screenshot({ path: join(env.SCREENSHOTS, `${name}.png`), fullPage: true });
const step = (text) => console.log(`step: ${text}`);
const datasetEnabled = (name) => cliJson("dataset", "show", name, ...identity("agency")).enabled;
const queryState = (id) => cliJson("query", "show", id, ...identity("agency")).state;
const runCount = () => cliJson("run", "list", ...identity("agency")).runs.length;

const browser = await chromium.launch({
  executablePath: env.CHROMIUM,
  headless: true,
  // Root in a container has no user namespaces for the sandbox.
  args: ["--no-sandbox"],
});
const evil = createServer((request, response) => {
  // A page of another origin on the same machine (another port of 127.0.0.1: the same *site*
  // for SameSite cookies) that tries to switch the publisher's consent off and to read its API.
  const target = origin(env.PUBLISHER_LOGIN);
  response.setHeader("Content-Type", "text/html");
  response.end(`<!doctype html><body><form id="f" method="POST" action="${target}/api/datasets/impressions/consent"
    enctype="text/plain" target="sink"><input name='{"enabled":false,"x":"' value='"}'></form>
    <iframe name="sink"></iframe><script>
    window.attempts = (async () => {
      const out = {};
      const post = (type) => fetch("${target}/api/datasets/impressions/consent", { method: "POST",
        credentials: "include", mode: "no-cors", headers: { "Content-Type": type },
        body: JSON.stringify({ enabled: false }) }).then(r => r.type, e => "error");
      out.simple = await post("text/plain");
      out.json = await fetch("${target}/api/datasets/impressions/consent", { method: "POST",
        credentials: "include", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ enabled: false }) }).then(r => r.status, e => "error");
      out.read = await fetch("${target}/api/session", { credentials: "include" })
        .then(r => r.text(), e => "error");
      document.getElementById("f").submit();
      await new Promise(r => setTimeout(r, 300));
      return out;
    })();
    </script></body>`);
});
await new Promise((resolve) => evil.listen(0, "127.0.0.1", resolve));

try {
  const publisher = await browser.newContext();
  const page = await publisher.newPage();

  step("the publisher logs in; the collaboration shows members by name");
  await page.goto(env.PUBLISHER_LOGIN);
  await page.waitForSelector("[data-testid=collab-page]");
  assert.equal(new URL(page.url()).search, "", "the secret does not stay in the address bar");
  const members = await page.locator("[data-testid=members]").innerText();
  for (const name of ["advertiser", "publisher", "agency"]) assert.match(members, new RegExp(name));
  assert.match(members, /analyst, recipient/);
  assert.match(await page.locator("[data-testid=measurements]").innerText(), /[0-9a-f]{64}/);
  await shot(page, "collab");

  step("another origin in the same browser cannot make the console sign");
  const attacker = await publisher.newPage();
  const requestsBefore = ledgerRequests();
  await attacker.goto(`http://127.0.0.1:${evil.address().port}/`);
  const attempts = await attacker.evaluate(() => window.attempts);
  assert.notEqual(attempts.json, 200, "a JSON POST from another origin was allowed");
  assert.equal(attempts.read, "error", "another origin read the console's API");
  assert.equal(datasetEnabled("impressions"), true, "another origin switched consent off");
  assert.equal(ledgerRequests(), requestsBefore, "another origin's request reached the ledger");
  await attacker.close();

  step("datasets: schema, allowed fields, roles, floors, the owner's switch");
  await page.goto(`${origin(env.PUBLISHER_LOGIN)}/#/datasets`);
  const impressions = page.locator("[data-testid=dataset-impressions]");
  await impressions.waitFor();
  const text = await impressions.innerText();
  assert.match(text, /consent on/);
  assert.match(text, /hashed_email/);
  assert.match(text, /privacy_unit/);
  assert.match(text, /cost\s+decimal\(10,4\)\s+yes\s+aggregate \(SUM, AVG, MIN, MAX\)/);
  assert.match(text, /fewer than 10 distinct privacy units/);
  assert.equal(await page.locator("[data-testid=consent-customers]").count(), 0, "a switch on another's dataset");
  await shot(page, "datasets");

  step("the query awaits the publisher, with governance's checked summary and its hash");
  await page.goto(`${origin(env.PUBLISHER_LOGIN)}/#/queries`);
  await page.waitForSelector("[data-testid=approve-q1]");
  const hash = cliJson("query", "show", "q1", ...identity("publisher")).queryHash;
  assert.equal(await page.locator("[data-testid=hash-q1]").first().innerText(), hash);
  const columns = await page.locator("[data-testid=summary-columns]").first().innerText();
  assert.match(columns, /impressions/);
  assert.match(await page.locator("[data-testid=summary-floors]").first().innerText(), /customers/);
  await shot(page, "queries");
  await page.click("[data-testid=approve-q1]");
  await page.locator("[data-testid=query-q1]", { hasText: "Your vote: accept" }).waitFor();
  assert.equal(queryState("q1"), "accepted");

  step("the agency runs it in the CLI and opens the result in its console");
  const run = cliJson("run", "request", "q1", ...identity("agency"), "--wait", "300").result.run;
  assert.equal(run, "r1");
  cli("result", "get", run, ...identity("agency"), "--storage", env.STORAGE, "--out", join(work, "r1.csv"));
  const expected = readFileSync(join(work, "r1.csv"), "utf8").trim().split(/\r?\n/);
  const agency = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await agency.goto(env.AGENCY_LOGIN);
  await agency.goto(`${origin(env.AGENCY_LOGIN)}/#/runs`);
  await agency.click("[data-testid=open-r1]");
  const result = agency.locator("[data-testid=result-r1]");
  await result.waitFor();
  const rows = await result.locator("tbody tr").count();
  assert.equal(rows, expected.length - 1, "the page shows every row of the result");
  const header = await result.locator("thead").innerText();
  assert.match(header, /region/);
  const firstRow = (await result.locator("tbody tr").first().locator("td").allInnerTexts()).join(",");
  assert.equal(firstRow, expected[1]);
  await shot(agency, "runs");
  const [download] = await Promise.all([agency.waitForEvent("download"), agency.click("[data-testid=download-r1]")]);
  const downloaded = readFileSync(await download.path(), "utf8");
  assert.equal(downloaded, readFileSync(join(work, "r1.csv"), "utf8"), "the CSV download is the result");

  step("the publisher, no recipient, cannot open the result in its console");
  await page.goto(`${origin(env.PUBLISHER_LOGIN)}/#/runs`);
  await page.click("[data-testid=open-r1]");
  const notRecipient = page.locator("[data-testid=run-r1] .result .message");
  await notRecipient.waitFor();
  assert.equal(await page.locator("[data-testid=result-r1]").count(), 0, "a non-recipient saw the result");
  assert.match(await notRecipient.innerText(), /^PermissionDenied: the result of run r1 is not sealed to member/);

  step("the publisher switches consent off in the page; the agency's next run is refused");
  await page.goto(`${origin(env.PUBLISHER_LOGIN)}/#/datasets`);
  await page.click("[data-testid=consent-impressions]");
  await page.locator("[data-testid=dataset-impressions] .badge", { hasText: /^consent OFF$/ }).waitFor();
  assert.equal(datasetEnabled("impressions"), false);
  await shot(page, "consent-off");
  await agency.goto(`${origin(env.AGENCY_LOGIN)}/#/queries`);
  await agency.click("[data-testid=run-q1]");
  const refusal = agency.locator("[data-testid=query-message-q1]");
  await refusal.filter({ hasText: "refused" }).waitFor();
  assert.match(await refusal.innerText(), /refused: FailedPrecondition: .*impressions/);
  assert.equal(runCount(), 1, "no run was created");
  await shot(agency, "refusal");

  step("the audit: every signature verified, the kept tree head extended");
  await agency.goto(`${origin(env.AGENCY_LOGIN)}/#/audit`);
  await agency.waitForSelector("[data-testid=audit-page]");
  assert.match(await agency.locator("[data-testid=audit-verified]").innerText(), /verified/);
  assert.doesNotMatch(await agency.locator("[data-testid=audit-verified]").innerText(), /DOES NOT/);
  assert.match(await agency.locator("[data-testid=audit-extends]").innerText(), /extends/);
  const timeline = await agency.locator("[data-testid=timeline]").innerText();
  assert.match(timeline, /publisher \([0-9a-f]{12}\)\s+query\.accept/);
  assert.match(timeline, /run\.request\s+refused FailedPrecondition/);
  await shot(agency, "audit");
  console.log("console browser test: 8 passed, 0 failed");
} finally {
  await browser.close();
  evil.close();
}

// How many member requests the ledger holds (downloaded and verified with the CLI; tree heads,
// which a download itself may add, are not requests).
function ledgerRequests() {
  const file = join(work, "ledger.bin");
  cli("audit", "download", ...identity("advertiser"), "--out", file);
  const verified = cli("audit", "verify", "--ledger", file);
  return Number(/(\d+) requests/.exec(verified)[1]);
}
