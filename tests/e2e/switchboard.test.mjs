// End-to-end: the real server (demo data, fresh database) and the built web
// app, driven in headless Chromium the way call-centre staff use it.
//
//   SWITCHBOARD_BIN            server binary (default target/debug/switchboard)
//   SWITCHBOARD_E2E_DATABASE   e.g. postgres://... (default: a temp SQLite file)
//   SWITCHBOARD_E2E_SCREENSHOT where to save the client card screenshot
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiGetBytes, apiLogin } from "./lib/api.mjs";
import { launchBrowser, newPage } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";
import { carrierAnswersByNumber, echoingPhone, trunkCallsAndTalks, trunkIsHungUpOn } from "./lib/sipp.mjs";
import { loadAll, loadMoreUntil, login, rowFor, search } from "./lib/ui.mjs";

const SCREENSHOT = process.env.SWITCHBOARD_E2E_SCREENSHOT || "/tmp/switchboard-client-card.png";
const stamp = Date.now().toString(36);

let server;
let browser;
/** A demo client agent1 is responsible for, with a phone. */
let agent1Client;
/** agent1's API session, to compare what the UI shows with what the server holds. */
let agent1Api;
const pages = [];
/** Who logged in on each context `open` made, to close a user's tabs. */
const owners = new Map();

/** A 16-bit PCM WAV's channel count, rate, and samples louder than 1000 per channel. */
function wavLoudness(bytes) {
  assert.equal(bytes.toString("ascii", 0, 4), "RIFF");
  let offset = 12;
  let channels = 0;
  let rate = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("ascii", offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === "fmt ") {
      channels = bytes.readUInt16LE(offset + 10);
      rate = bytes.readUInt32LE(offset + 12);
    }
    if (id === "data") {
      const loud = new Array(channels).fill(0);
      const end = Math.min(bytes.length, offset + 8 + size);
      for (let at = offset + 8, i = 0; at + 1 < end; at += 2, i++) {
        if (Math.abs(bytes.readInt16LE(at)) > 1000) loud[i % channels]++;
      }
      return { channels, rate, loud };
    }
    offset += 8 + size;
  }
  throw new Error("no data chunk in the WAV");
}

/** A Date as <input type="datetime-local"> wants it (local time, minutes). */
function localInput(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function open(username) {
  const { context, page } = await newPage(browser, server.baseUrl);
  pages.push(context);
  owners.set(context, username);
  await login(page, username);
  return page;
}

/** Closes the tabs earlier tests left open for `username`: each one's
 * softphone is registered and would ring (and answer) too. */
async function closePagesOf(username) {
  for (const [context, owner] of owners) {
    if (owner !== username) continue;
    owners.delete(context);
    await context.close().catch(() => {});
  }
}

/** Builds a script in the campaign form's editor, which holds none yet:
 * every step first, so that a choice can lead to any of them. */
async function buildScript(form, steps) {
  const script = form.getByRole("group", { name: "Script", exact: true });
  const card = (i) => script.getByRole("group", { name: `Step ${i + 1}`, exact: true });
  for (const [i, step] of steps.entries()) {
    await script.getByRole("button", { name: "Add step" }).click();
    await card(i).getByLabel("Step id").fill(step.id);
    await card(i).getByLabel("What the agent says").fill(step.text);
  }
  for (const [i, step] of steps.entries()) {
    for (const [j, choice] of step.choices.entries()) {
      await card(i).getByRole("button", { name: "Add choice" }).click();
      const row = card(i).getByRole("group", { name: `Choice ${j + 1}`, exact: true });
      await row.getByLabel(`Choice ${j + 1}`, { exact: true }).fill(choice.label);
      await leadTo(row.getByLabel("Leads to"), choice.next);
    }
  }
}

/** Picks where a choice leads: "End" (null) or the step listed by this id
 * (and its first words). */
async function leadTo(select, id) {
  if (id === null) return select.selectOption({ label: "End" });
  const options = await select.locator("option").evaluateAll((all) => all.map((o) => ({ value: o.value, text: o.textContent })));
  const option = options.find((o) => o.text === id || o.text.startsWith(`${id} — `));
  assert.ok(option, `a step "${id}" among ${JSON.stringify(options)}`);
  return select.selectOption(option.value);
}

/** Builds a survey in the campaign form's editor, which holds none yet. */
async function buildSurvey(form, questions) {
  const survey = form.getByRole("group", { name: "Survey", exact: true });
  for (const [i, q] of questions.entries()) {
    await survey.getByRole("button", { name: "Add question" }).click();
    const card = survey.getByRole("group", { name: `Question ${i + 1}`, exact: true });
    await card.getByLabel("Key").fill(q.key);
    await card.getByLabel("Question", { exact: true }).fill(q.text);
    await card.getByLabel("Kind").selectOption(q.kind);
    if (q.kind === "choice") await card.getByLabel("Options").fill(q.options.join(", "));
    await card.getByLabel("Required").setChecked(q.required);
  }
}

describe("Switchboard web app", { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const agent1 = await apiLogin(server.baseUrl, "agent1");
    agent1Api = agent1;
    const list = await agent1.get(`/clients?responsible=${agent1.user.id}&limit=50`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    agent1Client = list.body.items.find((c) => c.primary_phone && String(c.responsible_id) === String(agent1.user.id));
    assert.ok(agent1Client, "the demo data gives agent1 a client with a phone");
  });

  after(async () => {
    for (const context of pages) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    if (server) {
      if (process.env.SWITCHBOARD_E2E_VERBOSE) console.log(server.log());
      await server.stop();
    }
  });

  test("a wrong password shows the server's error", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    pages.push(context);
    await page.goto("/clients");
    await page.getByLabel("Username").fill("agent1");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByTestId("login-error");
    await error.waitFor();
    assert.notEqual((await error.innerText()).trim(), "");
    assert.match(page.url(), /\/login/);
  });

  test("agent1 finds their client by name and by phone, and logs an interaction", async () => {
    const page = await open("agent1");
    assert.equal(await page.getByTestId("current-role").textContent(), "Agent");

    await search(page, agent1Client.name);
    await rowFor(page, agent1Client.id).waitFor();

    await search(page, agent1Client.primary_phone);
    await rowFor(page, agent1Client.id).waitFor();

    await rowFor(page, agent1Client.id).getByRole("link", { name: agent1Client.name }).click();
    await page.getByTestId("client-name").waitFor();
    assert.equal(await page.getByTestId("client-name").innerText(), agent1Client.name);

    const note = `Asked about the spring tariff ${stamp}`;
    await page.getByRole("button", { name: "Add interaction" }).click();
    const form = page.getByTestId("interaction-form");
    await form.getByLabel("Channel").selectOption("call");
    await form.getByLabel("Direction").selectOption("out");
    await form.getByLabel("Type").selectOption("sale");
    await form.getByLabel("Priority").selectOption("high");
    await form.getByLabel("Duration (minutes)").fill("4");
    await form.getByLabel("Result").fill("Offer sent");
    await form.getByLabel("Notes").fill(note);
    await form.getByRole("button", { name: "Save interaction" }).click();
    await page.getByTestId("interaction").filter({ hasText: note }).waitFor();

    await page.reload();
    const item = page.getByTestId("interaction").filter({ hasText: note });
    await item.waitFor();
    const text = await item.innerText();
    assert.match(text, /Offer sent/);
    assert.match(text, /4 min/);
  });

  test("agent1 creates a client with a national-format phone and sees it in the list", async () => {
    const page = await open("agent1");
    const name = `Harbour Bakery ${stamp}`;
    const last = String(10 + (Date.now() % 90));
    const phone = `(202) 555-01${last}`;

    await page.getByRole("link", { name: "New client" }).first().click();
    await page.getByLabel("Legal entity").check();
    await page.getByLabel("Company name").fill(name);
    await page.getByLabel("Phone 1", { exact: true }).fill(phone);
    await page.getByLabel("E-mail 1", { exact: true }).fill(`orders-${stamp}@harbour.example`);
    await page.getByLabel("Tax ID").fill("12-3456789");
    await page.getByRole("button", { name: "Create client" }).click();

    await page.getByTestId("client-card").waitFor();
    assert.equal(await page.getByTestId("client-name").innerText(), name);
    const phones = await page.getByTestId("client-phones").innerText();
    assert.ok(phones.includes(phone), `the phone as entered: ${phones}`);
    assert.ok(phones.includes(`+120255501${last}`), `the phone in E.164: ${phones}`);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
    await search(page, name);
    const row = page.getByTestId("client-row").filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.innerText(), /Legal entity/);
  });

  test("a bad phone shows the server's field error beside the field and keeps the input", async () => {
    const page = await open("agent1");
    const name = `Typo Ltd ${stamp}`;
    await page.goto("/clients/new");
    await page.getByLabel("Full name").fill(name);
    await page.getByLabel("Phone 1", { exact: true }).fill("12345");
    await page.getByRole("button", { name: "Create client" }).click();

    const error = page.locator('[data-testid="field-error"][data-field="phones[0].number"]');
    await error.waitFor();
    assert.notEqual((await error.innerText()).trim(), "");
    // Beside the field: inside the same field block as the phone input.
    const field = page.locator(".field", { has: page.getByLabel("Phone 1", { exact: true }) });
    assert.equal(await field.locator('[data-testid="field-error"]').count(), 1);
    assert.equal(await page.getByLabel("Phone 1", { exact: true }).inputValue(), "12345");
    assert.equal(await page.getByLabel("Full name").inputValue(), name);
    assert.match(page.url(), /\/clients\/new$/);
  });

  test("agent2 cannot find or open agent1's client", async () => {
    const page = await open("agent2");
    await search(page, agent1Client.name);
    await page.getByTestId("no-clients").waitFor();
    assert.equal(await rowFor(page, agent1Client.id).count(), 0);

    await page.goto(`/clients/${agent1Client.id}`);
    await page.getByTestId("not-found").waitFor();
    assert.match(await page.getByTestId("not-found").innerText(), /not found/i);
  });

  test("clicking a classifier node lists the clients under it and its descendants", async (t) => {
    const { body } = await agent1Api.get("/classifier");
    const nodes = body.nodes;
    let chosen = null;
    let expected = null;
    for (const node of nodes) {
      const list = await agent1Api.get(`/clients?classifier=${node.id}&limit=50`);
      if (list.status === 200 && list.body.items.length > 0) {
        chosen = node;
        expected = list.body.items.map((c) => String(c.id)).sort();
        break;
      }
    }
    if (!chosen) return t.skip("no classifier node holds one of agent1's clients in the demo data");

    const page = await open("agent1");
    const byId = new Map(nodes.map((n) => [String(n.id), n]));
    const ancestors = [];
    for (let n = byId.get(String(chosen.parent_id)); n; n = byId.get(String(n.parent_id))) ancestors.unshift(n);
    const panel = page.getByRole("complementary", { name: "Classifier" });
    for (const a of ancestors) await panel.getByRole("button", { name: `Expand ${a.name}`, exact: true }).click();
    await panel.locator(`[data-testid="classifier-node"][data-node-id="${chosen.id}"]`).click();
    await page.waitForFunction((id) => new URL(location.href).searchParams.get("classifier") === id, String(chosen.id));
    await page.waitForFunction(() => document.querySelector('[data-testid="client-results"]')?.getAttribute("data-state") === "ready");
    const shown = (await page.getByTestId("client-row").evaluateAll((rows) => rows.map((r) => r.dataset.clientId))).sort();
    assert.deepEqual(shown, expected);
  });

  test("agent1 edits a client's status on the card", async () => {
    const page = await open("agent1");
    await page.goto(`/clients/${agent1Client.id}`);
    await page.getByRole("button", { name: "Edit client" }).click();
    const status = page.getByTestId("client-form").getByLabel("Status");
    await status.fill("prospect");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Changes saved.").waitFor();
    await page.reload();
    const details = page.getByTestId("client-details");
    await details.waitFor();
    assert.match(await details.innerText(), /Status\s+Prospect/);
  });

  test("a contact person and a task on a client; the task shows on the Tasks page", async () => {
    const page = await open("agent1");
    await page.goto(`/clients/${agent1Client.id}`);
    await page.getByTestId("client-card").waitFor();

    const person = `Dana Whitfield ${stamp}`;
    await page.getByRole("button", { name: "Add contact person" }).click();
    const cpForm = page.getByTestId("contact-person-form");
    await cpForm.getByLabel("Name").fill(person);
    await cpForm.getByLabel("Position").fill("Purchasing manager");
    await cpForm.getByLabel("Phone").fill("(202) 555-0187");
    await cpForm.getByRole("button", { name: "Add contact person" }).click();
    await page.getByTestId("contact-person").filter({ hasText: person }).waitFor();

    const title = `Call back about the invoice ${stamp}`;
    await page.getByRole("button", { name: "Add task" }).click();
    const taskForm = page.getByTestId("task-form");
    await taskForm.getByLabel("Title").fill(title);
    await taskForm.getByRole("button", { name: "Add task" }).click();
    await page.getByTestId("client-tasks").getByTestId("task").filter({ hasText: title }).waitFor();

    const lateTitle = `Send the signed contract ${stamp}`;
    await page.getByRole("button", { name: "Add task" }).click();
    await taskForm.getByLabel("Title").fill(lateTitle);
    await taskForm.getByLabel("Due").fill(localInput(new Date(Date.now() - 26 * 3600_000)));
    await taskForm.getByRole("button", { name: "Add task" }).click();
    await page.getByTestId("client-tasks").getByTestId("task").filter({ hasText: lateTitle }).waitFor();

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My tasks" }).click();
    await page.getByRole("heading", { name: "My tasks" }).waitFor();
    // Open tasks come soonest due first; the demo gives agent1 more than one page.
    const task = page.getByTestId("task").filter({ hasText: title });
    await loadMoreUntil(page, task);
    assert.match(await task.innerText(), new RegExp(agent1Client.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));

    const late = page.getByTestId("task").filter({ hasText: lateTitle });
    await loadMoreUntil(page, late);
    assert.equal(await late.getAttribute("data-overdue"), "true");
    assert.match(await late.innerText(), /Overdue/);
    assert.equal(await task.getAttribute("data-overdue"), "false");

    await page.getByLabel("Overdue only").check();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("overdue") === "true");
    await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
    await loadMoreUntil(page, late);
    await loadAll(page);
    assert.equal(await task.count(), 0, "a task due tomorrow is not overdue");
    const overdueFlags = await page.getByTestId("task").evaluateAll((els) => els.map((e) => e.dataset.overdue));
    assert.ok(overdueFlags.every((f) => f === "true"), "the overdue list holds only overdue tasks");
    await page.getByLabel("Overdue only").uncheck();
    await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
    await loadMoreUntil(page, task);

    await task.getByRole("button", { name: /Mark .* done/ }).click();
    await task.getByText("Done", { exact: true }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "My tasks" }).waitFor();
    await loadAll(page);
    assert.equal(await page.getByTestId("task").filter({ hasText: title }).count(), 0);
    assert.equal(await page.getByTestId("task").filter({ hasText: lateTitle }).count(), 1);
  });

  test("agent1's softphone calls a desk phone and audio flows both ways through the server", async () => {
    const phone = await agent1Api.get("/sip/phone");
    assert.equal(phone.status, 200, JSON.stringify(phone.body));
    // A desk phone of nobody in the demo, echoing what it hears.
    const desk = await echoingPhone(server.sip, "1020");
    try {
      const page = await open("agent1");
      const softphone = page.getByRole("complementary", { name: "Phone" });
      await softphone.getByText(`Phone ${phone.body.extension}`).waitFor();
      await softphone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
      await softphone.getByLabel("Number to dial").fill("1020");
      await softphone.getByRole("button", { name: "Call" }).click();
      await softphone.getByTestId("softphone-timer").waitFor({ timeout: 20_000 });
      // The fake microphone's beep goes to the desk phone and comes back.
      let stats;
      for (let i = 0; i < 50; i++) {
        stats = await page.evaluate(() => window.switchboardPhone.stats());
        if (stats.packetsSent > 100 && stats.packetsReceived > 100 && stats.audioLevel > 0) break;
        await page.waitForTimeout(200);
      }
      assert.ok(stats.packetsSent > 100, `the browser sent audio: ${JSON.stringify(stats)}`);
      assert.ok(stats.packetsReceived > 100, `the browser heard the desk phone: ${JSON.stringify(stats)}`);
      assert.ok(stats.audioLevel > 0, `what came back is not silence: ${JSON.stringify(stats)}`);
      assert.ok(stats.packetsLost <= 2, `nothing lost on loopback: ${JSON.stringify(stats)}`);
      // A key on the dial pad travels as RFC 4733 events; the server reads it.
      await softphone.getByLabel("Send tones").getByRole("button", { name: "5", exact: true }).click();
      const plain = () => server.log().replace(/\x1b\[[0-9;]*m/g, "");
      for (let i = 0; i < 25 && !/call\.digit.*digit=5/.test(plain()); i++) await page.waitForTimeout(200);
      assert.match(plain(), /call\.digit.*from=Caller.*digit=5/);
      await softphone.getByRole("button", { name: "Hold" }).click();
      await softphone.getByTestId("softphone-call-state").filter({ hasText: "on hold" }).waitFor();
      await softphone.getByRole("button", { name: "Resume" }).click();
      await softphone.getByRole("button", { name: "Hold" }).waitFor();
      // An ICE restart, what a network change sets off, keeps the call and its sound.
      const received = async () => (await page.evaluate(() => window.switchboardPhone.stats())).packetsReceived;
      const beforeRestart = await received();
      // JsSIP refuses while the resume's re-INVITE is still under way.
      let restarted = false;
      for (let i = 0; i < 25 && !restarted; i++) {
        restarted = await page.evaluate(() => window.switchboardPhone.restartIce());
        if (!restarted) await page.waitForTimeout(200);
      }
      assert.equal(restarted, true, "the softphone restarts ICE");
      for (let i = 0; i < 25 && !/restarted ICE/.test(plain()); i++) await page.waitForTimeout(200);
      assert.match(plain(), /restarted ICE/);
      let afterRestart = 0;
      for (let i = 0; i < 25 && afterRestart <= beforeRestart + 100; i++) {
        await page.waitForTimeout(200);
        afterRestart = await received();
      }
      assert.ok(afterRestart > beforeRestart + 100, `sound after the restart: ${beforeRestart} then ${afterRestart}`);
      await softphone.getByRole("button", { name: "Hang up" }).click();
      await softphone.getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
      const end = await desk.done;
      assert.ok(end.ok, `the desk phone got the hang-up: ${end.log}`);
    } finally {
      desk.stop();
    }
  });

  test("agent1's softphone calls the voice menu, hears it, keys 2 and is put through to agent2's softphone", async () => {
    const caller = await open("agent1");
    const callee = await open("agent2");
    const phoneOf = (page) => page.getByRole("complementary", { name: "Phone" });
    for (const page of [caller, callee]) {
      await phoneOf(page).getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    }
    const statsOf = (page) => page.evaluate(() => window.switchboardPhone.stats());
    // The demo's main number: the menu answers at once and speaks.
    await phoneOf(caller).getByLabel("Number to dial").fill("800");
    await phoneOf(caller).getByRole("button", { name: "Call" }).click();
    await phoneOf(caller).getByTestId("softphone-timer").waitFor({ timeout: 20_000 });
    let greeting;
    for (let i = 0; i < 40; i++) {
      greeting = await statsOf(caller);
      if (greeting.packetsReceived > 50 && greeting.audioLevel > 0) break;
      await caller.waitForTimeout(200);
    }
    assert.ok(greeting.packetsReceived > 50, `the greeting reached the browser: ${JSON.stringify(greeting)}`);
    assert.ok(greeting.audioLevel > 0, `the greeting is speech, not silence: ${JSON.stringify(greeting)}`);
    // "For support, press 2": 1002 is agent2's extension.
    await phoneOf(caller).getByLabel("Send tones").getByRole("button", { name: "2", exact: true }).click();
    await phoneOf(callee).getByTestId("softphone-call-state").filter({ hasText: "Incoming call" }).waitFor({ timeout: 20_000 });
    await phoneOf(callee).getByRole("button", { name: "Answer" }).click();
    await phoneOf(callee).getByTestId("softphone-timer").waitFor();
    const before = (await statsOf(caller)).packetsReceived;
    let both;
    for (let i = 0; i < 40; i++) {
      both = [await statsOf(caller), await statsOf(callee)];
      if (both[0].packetsReceived > before + 100 && both[1].packetsReceived > 100 && both.every((s) => s.audioLevel > 0)) break;
      await caller.waitForTimeout(200);
    }
    assert.ok(both[0].packetsReceived > before + 100, `agent1 hears agent2: ${JSON.stringify(both[0])}`);
    assert.ok(both[1].packetsReceived > 100, `agent2 hears agent1: ${JSON.stringify(both[1])}`);
    assert.ok(both.every((s) => s.audioLevel > 0), `sound both ways: ${JSON.stringify(both)}`);
    const plain = () => server.log().replace(/\x1b\[[0-9;]*m/g, "");
    assert.match(plain(), /call\.digit.*from=Caller.*digit=2/);
    assert.match(plain(), /call\.answered.*label=1002/);
    await phoneOf(caller).getByRole("button", { name: "Hang up" }).click();
    await phoneOf(callee).getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
  });

  test("an admin records an extension's calls from the Extensions page; a supervisor sees it, an agent has no such page", async () => {
    const agent1 = await open("agent1");
    await agent1.getByRole("complementary", { name: "Phone" }).getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    const page = await open("admin");
    await page.getByRole("link", { name: "Extensions" }).click();
    const table = page.getByTestId("extensions");
    const box = table.locator('tr[data-extension="1020"]').getByRole("checkbox", { name: "Record the calls of 1020" });
    await box.waitFor();
    assert.equal(await box.isChecked(), false);
    // agent1's softphone is registered, 1019's nobody's.
    assert.match(await table.locator('tr[data-extension="1001"]').innerText(), /Switchboard/);
    assert.match(await table.locator('tr[data-extension="1019"]').innerText(), /offline/);
    const adminApi = await apiLogin(server.baseUrl, "admin");
    const recorded = async () => (await adminApi.get("/sip/accounts")).body.items.find((a) => a.extension === "1020").record;
    await box.check();
    for (let i = 0; i < 25 && !(await recorded()); i++) await page.waitForTimeout(200);
    assert.equal(await recorded(), true, "the server has the flag");
    await page.reload();
    await box.waitFor();
    assert.equal(await box.isChecked(), true, "and the page shows it after a reload");
    await box.uncheck();
    for (let i = 0; i < 25 && (await recorded()); i++) await page.waitForTimeout(200);
    assert.equal(await recorded(), false);
    const supervisor = await open("supervisor");
    await supervisor.getByRole("link", { name: "Extensions" }).click();
    const seen = supervisor.getByRole("checkbox", { name: "Record the calls of 1020" });
    await seen.waitFor();
    assert.equal(await seen.isDisabled(), true, "supervisors see, admins change");
    const agent = await open("agent2");
    await agent.getByRole("link", { name: "Calls" }).waitFor();
    assert.equal(await agent.getByRole("link", { name: "Extensions" }).count(), 0);
  });

  test("an admin gives agent2 skills and creates a skills queue from the web app; agent2 can log in to it at once", async () => {
    const page = await open("admin");
    await page.getByRole("link", { name: "Extensions" }).click();
    const skills = page.getByTestId("extensions").locator('tr[data-extension="1002"]').getByLabel("Skills");
    await skills.waitFor();
    await skills.fill("german=80, english=40");
    await page.getByTestId("extensions").locator('tr[data-extension="1002"]').getByRole("button", { name: "Save" }).click();
    const agent2Api = await apiLogin(server.baseUrl, "agent2");
    let own;
    for (let i = 0; i < 25; i++) {
      own = await agent2Api.get(`/users/${agent2Api.user.id}/skills`);
      if (own.body.skills.german === 80) break;
      await page.waitForTimeout(200);
    }
    assert.deepEqual(own.body.skills, { english: 40, german: 80 });

    await page.getByRole("link", { name: "Queues" }).click();
    const settings = page.getByTestId("queue-settings");
    await settings.getByRole("button", { name: "New queue" }).click();
    const form = settings.getByRole("form", { name: "Queue settings" });
    await form.getByLabel("Name").fill("german");
    await form.getByLabel("Strategy").selectOption("skills");
    await form.getByLabel("Skills needed").fill("german=60");
    await form.getByLabel("Ring timeout (s)").fill("0");
    await form.getByRole("button", { name: "Save queue" }).click();
    // The server names the wrong setting beside it; the rest stays.
    await form.locator(`[data-testid="field-error"][data-field="ring_timeout"]`).waitFor();
    await form.getByLabel("Ring timeout (s)").fill("20");
    await form.getByLabel("Wrap-up results").fill("solved, escalated");
    await form.getByRole("button", { name: "Save queue" }).click();
    await settings.locator('tr[data-queue-settings="german"]').filter({ hasText: "solved, escalated" }).waitFor();
    // The running plan has it: agent2's phone panel offers it.
    const agent = await open("agent2");
    const queues = agent.getByRole("complementary", { name: "Phone" }).getByRole("region", { name: "Queues" });
    await queues.getByRole("checkbox", { name: "german" }).waitFor();
    const listed = await agent2Api.get("/agent/queues");
    assert.ok(listed.body.items.includes("german"), JSON.stringify(listed.body));
    // A supervisor sees the settings but cannot change them.
    const supervisor = await open("supervisor");
    await supervisor.getByRole("link", { name: "Queues" }).click();
    await supervisor.getByTestId("queue-settings").locator('tr[data-queue-settings="german"]').waitFor();
    assert.equal(await supervisor.getByRole("button", { name: "New queue" }).count(), 0);
    const adminApi = await apiLogin(server.baseUrl, "admin");
    const removed = await fetch(`${server.baseUrl}/api/v1/queues/german`, { method: "DELETE", headers: { Authorization: `Bearer ${adminApi.token}` } });
    assert.equal(removed.status, 204);
  });

  test("agent1 logs in to the sales queue from the phone panel; a PBX call to it waits with music, rings agent1 and is answered, the supervisor watching", async () => {
    const page = await open("agent1");
    const softphone = page.getByRole("complementary", { name: "Phone" });
    await softphone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    const queues = softphone.getByRole("region", { name: "Queues" });
    await queues.getByRole("checkbox", { name: "sales" }).check();
    await queues.getByRole("button", { name: "Log in to queues" }).click();
    await queues.getByTestId("agent-state").filter({ hasText: "Available" }).waitFor();
    // A pause keeps calls away until the agent is ready again.
    await queues.getByLabel("Pause reason").selectOption("Lunch");
    await queues.getByRole("button", { name: "Pause" }).click();
    await queues.getByTestId("agent-state").filter({ hasText: "Paused (Lunch)" }).waitFor();
    const supervisor = await open("supervisor");
    await supervisor.getByRole("link", { name: "Queues" }).click();
    const agentRow = supervisor.getByTestId("agents").locator("tr", { hasText: "Anna Agent" });
    await agentRow.filter({ hasText: "paused (Lunch)" }).waitFor();
    await queues.getByRole("button", { name: "Ready" }).click();
    await queues.getByTestId("agent-state").filter({ hasText: "Available" }).waitFor();
    // The PBX's caller is a client of agent1's: their card pops up.
    const agent1 = await apiLogin(server.baseUrl, "agent1");
    const clientName = `Ann Caller ${stamp}`;
    const created = await agent1.post("/clients", { kind: "individual", name: clientName, phones: [{ number: "+49 30 123456" }] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pbx = trunkCallsAndTalks(server.sip, "700");
    const pop = page.getByRole("dialog", { name: "Incoming call" });
    await pop.getByTestId("screen-pop-client").filter({ hasText: clientName }).waitFor({ timeout: 20_000 });
    assert.match(await pop.innerText(), /Queue sales/);
    await softphone.getByTestId("softphone-call-state").filter({ hasText: "Incoming call" }).waitFor({ timeout: 20_000 });
    await agentRow.filter({ hasText: "ringing" }).waitFor();
    assert.equal(await supervisor.getByTestId("screen-pop").count(), 0, "only the rung agent's screen pops");
    // Answering from the card answers the phone.
    await pop.getByRole("button", { name: "Answer" }).click();
    await softphone.getByTestId("softphone-timer").waitFor();
    // The supervisor listens in from their own softphone.
    await agentRow.filter({ hasText: "on call" }).waitFor();
    const supervisorPhone = supervisor.getByRole("complementary", { name: "Phone" });
    await supervisorPhone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    await agentRow.getByRole("button", { name: "Listen" }).click();
    await supervisorPhone.getByTestId("softphone-timer").waitFor();
    let stats;
    for (let i = 0; i < 40; i++) {
      stats = await page.evaluate(() => window.switchboardPhone.stats());
      if (stats.packetsReceived > 100 && stats.audioLevel > 0) break;
      await page.waitForTimeout(200);
    }
    assert.ok(stats.packetsReceived > 100 && stats.audioLevel > 0, `the agent hears the caller: ${JSON.stringify(stats)}`);
    let heard;
    for (let i = 0; i < 40; i++) {
      heard = await supervisor.evaluate(() => window.switchboardPhone.stats());
      if (heard.packetsReceived > 50 && heard.audioLevel > 0) break;
      await supervisor.waitForTimeout(200);
    }
    assert.ok(heard.packetsReceived > 50 && heard.audioLevel > 0, `the supervisor hears the call: ${JSON.stringify(heard)}`);
    // Whisper switches the session they are on (through the API): no new call.
    const [whisper] = await Promise.all([
      supervisor.waitForResponse((r) => r.url().includes("/monitor") && r.request().method() === "POST"),
      agentRow.getByRole("button", { name: "Whisper" }).click(),
    ]);
    assert.equal(whisper.status(), 200);
    assert.equal((await whisper.json()).switched, true);
    await supervisorPhone.getByTestId("softphone-timer").waitFor();
    const end = await pbx;
    assert.ok(end.ok, `the PBX's side: ${end.log}`);
    await softphone.getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
    // The supervisor is hung up on with the call they listened to.
    await supervisorPhone.getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
    // The talk is over: agent1 wraps up, and the queue counts the call.
    await queues.getByTestId("agent-state").filter({ hasText: "Wrap-up" }).waitFor();
    const salesRow = supervisor.getByTestId("queues").locator('tr[data-queue="sales"]');
    await salesRow.waitFor();
    const cells = await salesRow.locator("td").allInnerTexts();
    assert.equal(cells[4], "1", `answered: ${cells}`);
    assert.equal(cells[6], "100%", `answered in time: ${cells}`);
    // The live count is the stored records' count.
    let stored;
    for (let i = 0; i < 25; i++) {
      stored = await agent1.get("/calls?queue=sales&outcome=answered");
      if (stored.body.items.length > 0) break;
      await page.waitForTimeout(200);
    }
    assert.equal(stored.body.items.length, 1, JSON.stringify(stored.body));
    // The card gives way to the wrap-up: a result from the queue's list,
    // notes and a follow-up task; saving makes agent1 available again.
    const wrapUp = pop.getByRole("form", { name: "Wrap-up" });
    await wrapUp.getByLabel("Result").selectOption("sale");
    await wrapUp.getByLabel("Notes").fill("Wants the yearly plan");
    await wrapUp.getByRole("checkbox", { name: "Follow-up task" }).check();
    await wrapUp.getByLabel("Task", { exact: true }).fill(`Send the offer to ${clientName}`);
    await wrapUp.getByRole("button", { name: "Save and be ready" }).click();
    await queues.getByTestId("agent-state").filter({ hasText: "Available" }).waitFor();
    await agentRow.filter({ hasText: "available" }).waitFor();
    assert.equal(await page.getByTestId("screen-pop").count(), 0, "the card closes once wrapped up");
    // The call is on the client's history with its result, the task on theirs.
    const history = await agent1.get(`/clients/${created.body.id}/interactions`);
    const contact = history.body.items[0];
    assert.equal(contact.call.queue, "sales", JSON.stringify(contact));
    assert.equal(contact.result, "sale");
    assert.equal(contact.notes, "Wants the yearly plan");
    assert.ok(contact.call.talk_s >= 0 && contact.call.answered_by, JSON.stringify(contact.call));
    const tasks = await agent1.get(`/tasks?client_id=${created.body.id}`);
    assert.ok(tasks.body.items.some((t) => t.title === `Send the offer to ${clientName}`), JSON.stringify(tasks.body));
    // The supervisor's report of the day counts it, from the stored records.
    await supervisor.getByRole("link", { name: "Reports" }).click();
    const reportRow = supervisor.getByTestId("queue-report").locator('tr[data-queue="sales"]');
    await reportRow.waitFor();
    const reported = await reportRow.locator("td").allInnerTexts();
    assert.deepEqual(reported.slice(1, 5), ["sales", "1", "1", "0"], `calls, answered, abandoned: ${reported}`);
    await supervisor.getByTestId("calls-chart").waitFor();
    assert.equal(await page.getByRole("link", { name: "Reports" }).count(), 0, "agents have no reports");
    await queues.getByRole("button", { name: "Log out" }).click();
    await queues.getByRole("button", { name: "Log in to queues" }).waitFor();
  });

  test("a call from the PBX trunk rings agent1's softphone, which answers and hears the caller", async () => {
    const phone = await agent1Api.get("/sip/phone");
    const page = await open("agent1");
    const softphone = page.getByRole("complementary", { name: "Phone" });
    await softphone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    const pbx = trunkCallsAndTalks(server.sip, phone.body.extension);
    await softphone.getByTestId("softphone-call-state").filter({ hasText: "Incoming call" }).waitFor({ timeout: 20_000 });
    assert.match(await softphone.getByTestId("softphone-peer").innerText(), /4930123456/);
    await softphone.getByRole("button", { name: "Answer" }).click();
    await softphone.getByTestId("softphone-timer").waitFor();
    let stats;
    for (let i = 0; i < 40; i++) {
      stats = await page.evaluate(() => window.switchboardPhone.stats());
      if (stats.packetsReceived > 150 && stats.packetsSent > 100 && stats.audioLevel > 0) break;
      await page.waitForTimeout(200);
    }
    assert.ok(stats.packetsReceived > 150, `the agent heard the PBX's recording: ${JSON.stringify(stats)}`);
    assert.ok(stats.audioLevel > 0, `and it is not silence: ${JSON.stringify(stats)}`);
    assert.ok(stats.packetsSent > 100, `the agent's microphone went out: ${JSON.stringify(stats)}`);
    const end = await pbx;
    assert.ok(end.ok, `the PBX's side: ${end.log}`);
    await softphone.getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();

    // The trunk records: the supervisor finds the call with its recording,
    // and both channels (the PBX's caller, agent1's microphone) have sound.
    const supervisor = await apiLogin(server.baseUrl, "supervisor");
    let call;
    for (let i = 0; i < 50 && !call; i++) {
      const calls = await supervisor.get("/calls?limit=5");
      call = calls.body.items.find((c) => c.answered_by === phone.body.extension && c.recording);
      if (!call) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(call, "the answered call is listed with its recording");
    assert.ok(call.recording.duration_ms > 5000, JSON.stringify(call.recording));
    const wav = await apiGetBytes(server.baseUrl, supervisor.token, `/calls/${call.id}/recording`);
    assert.equal(wav.status, 200);
    assert.equal(wav.headers.get("content-type"), "audio/wav");
    const { channels, rate, loud } = wavLoudness(wav.bytes);
    assert.deepEqual([channels, rate], [2, 8000]);
    assert.ok(loud[0] > 8000, `the caller (speech) is in the left channel: ${loud}`);
    // Chromium's fake microphone beeps briefly every second.
    assert.ok(loud[1] > 2000, `the agent is in the right channel: ${loud}`);
    const range = await apiGetBytes(server.baseUrl, supervisor.token, `/calls/${call.id}/recording`, { Range: "bytes=0-3" });
    assert.equal(range.status, 206);
    assert.equal(range.bytes.toString(), "RIFF");

    const page2 = await open("supervisor");
    await page2.getByRole("link", { name: "Calls" }).click();
    const row = page2.locator(`tr[data-call-id="${call.call_id}"]`);
    await row.getByLabel(/Recording of the call/).waitFor();
    const playable = await row.locator("audio").evaluate(async (audio) => {
      audio.preload = "auto";
      audio.load();
      await new Promise((resolve) => {
        audio.addEventListener("loadedmetadata", resolve, { once: true });
        audio.addEventListener("error", resolve, { once: true });
      });
      return { duration: audio.duration, error: audio.error?.code ?? null };
    });
    assert.equal(playable.error, null);
    assert.ok(playable.duration > 5, `the browser plays the recording: ${JSON.stringify(playable)}`);
  });

  test("an agent who closes the browser mid-call hangs up their side: the PBX gets a BYE at once", async () => {
    const phone = await agent1Api.get("/sip/phone");
    const { context, page } = await newPage(browser, server.baseUrl);
    await login(page, "agent1");
    const softphone = page.getByRole("complementary", { name: "Phone" });
    await softphone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    const pbx = trunkIsHungUpOn(server.sip, phone.body.extension);
    await softphone.getByTestId("softphone-call-state").filter({ hasText: "Incoming call" }).waitFor({ timeout: 20_000 });
    await softphone.getByRole("button", { name: "Answer" }).click();
    await softphone.getByTestId("softphone-timer").waitFor();
    // The tab goes away without a BYE: its WebSocket closes.
    await context.close();
    const end = await pbx;
    assert.ok(end.ok, `the PBX was hung up on: ${end.log}`);
    const supervisor = await apiLogin(server.baseUrl, "supervisor");
    let call;
    for (let i = 0; i < 50 && !call; i++) {
      const calls = await supervisor.get("/calls?limit=5");
      call = calls.body.items.find((c) => c.answered_by === phone.body.extension && c.hangup_by === "callee");
      if (!call) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(call, "the record says the agent's side hung up");
  });

  test("a marketer sets up a campaign, fills it from a segment and a CSV file, and keeps a number off it", async () => {
    const page = await open("marketer");
    await page.getByRole("link", { name: "Campaigns" }).click();
    await page.getByRole("button", { name: "New campaign" }).click();
    const form = page.getByRole("form", { name: "Campaign settings" });
    await form.getByLabel("Name").fill("Winter VIP");
    await form.getByLabel("Dialling").selectOption("predictive");
    await form.getByLabel("Time zone").fill("Mars/Olympus");
    await form.getByLabel("Call from").fill("22:00");
    await form.getByRole("button", { name: "Save campaign" }).click();
    // Each mistake beside its field; nothing saved.
    await form.getByText("must be an IANA time zone").waitFor();
    await form.getByText("must be later than calling_from").waitFor();
    await form.getByLabel("Time zone").fill("Europe/Berlin");
    await form.getByLabel("Call from").fill("09:00");
    await form.getByRole("button", { name: "Save campaign" }).click();
    const row = page.locator('tr[data-campaign="Winter VIP"]');
    await row.waitFor();
    assert.deepEqual((await row.locator("td").allInnerTexts()).slice(1, 4), ["predictive", "09:00–21:00, 5 attempts", "3%"]);
    // Ben (agent2) works it, in preview, all day in every zone (but 23:59).
    await row.getByRole("button", { name: "Edit" }).click();
    await form.getByLabel("Dialling").selectOption("preview");
    await form.getByLabel("Call from").fill("00:00");
    await form.getByLabel("Call until").fill("23:59");
    await form.getByRole("group", { name: "Agents" }).getByLabel("Ben Agent").check();
    await buildScript(form, [
      { id: "hello", text: "Hello from Switchboard, have you a minute?", choices: [{ label: "Yes", next: "offer" }, { label: "No", next: null }] },
      { id: "offer", text: "The winter plan is 20% off this week.", choices: [] },
    ]);
    await buildSurvey(form, [
      { key: "plan", text: "Which plan?", kind: "choice", options: ["monthly", "yearly"], required: true },
    ]);
    await form.getByRole("button", { name: "Save campaign" }).click();
    await row.filter({ hasText: "preview" }).waitFor();

    // The VIP clients, then a file; the same clients again add nothing.
    await row.getByRole("button", { name: "Leads" }).click();
    const leads = page.getByTestId("campaign-leads");
    await leads.getByLabel("Client status").fill("vip");
    await leads.getByRole("button", { name: "Add clients" }).click();
    const added = leads.getByTestId("leads-added");
    await added.filter({ hasText: /^[1-9]\d* added/ }).waitFor();
    const first = Number((await added.innerText()).split(" ")[0]);
    assert.ok(first > 100, `the demo's VIP clients with a phone: ${first}`);
    await leads.getByRole("button", { name: "Add clients" }).click();
    await added.filter({ hasText: /^0 added/ }).waitFor();
    await leads.getByLabel("Leads file").setInputFiles({
      name: "leads.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("number,priority\n+49 30 9999 0001,9\nnot a number,1\n"),
    });
    await added.filter({ hasText: "1 added; left out: line 3" }).waitFor();
    // Listed 200 at a time, in the order added: the file's is on a later page.
    await leads.getByRole("button", { name: "More leads" }).click();
    await leads.locator('tr[data-lead="+493099990001"]').waitFor();
    assert.equal(await leads.locator("tbody tr[data-lead]").count(), first + 1);
    await leads.getByTestId("campaign-stats").filter({ hasText: `${first + 1} leads: ${first + 1} waiting` }).waitFor();
    const exported = await page.evaluate(async (href) => {
      const response = await fetch(href, { credentials: "same-origin" });
      return { status: response.status, text: await response.text() };
    }, await leads.getByRole("link", { name: "Export CSV" }).getAttribute("href"));
    assert.equal(exported.status, 200);
    assert.equal(exported.text.trim().split("\n").length, first + 2, "a header and a line per lead");

    // A number the campaign must not call.
    await leads.getByLabel("Number not to call").fill("+49 30 9999 0001");
    await leads.getByRole("button", { name: "Add", exact: true }).click();
    await leads.getByTestId("campaign-dnc").getByText("+493099990001").waitFor();

    // Agents have no such page, but Ben takes the campaign's calls from
    // the phone panel: a lead, its number, and how the call went.
    const agent = await open("agent2");
    await agent.getByRole("link", { name: "Clients" }).first().waitFor();
    assert.equal(await agent.getByRole("link", { name: "Campaigns" }).count(), 0);
    const work = agent.getByRole("region", { name: "Campaign calls" });
    await work.getByLabel("Campaign").selectOption({ label: "Winter VIP" });
    await work.getByRole("button", { name: "Next lead" }).click();
    const lead = work.getByTestId("campaign-lead");
    await lead.waitFor();
    const shown = await lead.innerText();
    assert.match(shown, /\+\d{8,} · attempt 1/);
    assert.doesNotMatch(shown, /\+493099990001/, "the do-not-call number is never given");
    // The script leads the conversation; the survey's answer goes with the result.
    const script = lead.getByTestId("campaign-script");
    await script.getByText("have you a minute?").waitFor();
    await script.getByRole("button", { name: "Yes" }).click();
    await script.getByText("20% off this week").waitFor();
    await lead.getByRole("button", { name: "Answered" }).click();
    await work.getByTestId("campaign-notice").filter({ hasText: "survey.plan" }).waitFor();
    await lead.getByTestId("campaign-survey").getByLabel("Which plan?").selectOption("yearly");
    await lead.getByLabel("Result").selectOption("interested");
    await lead.getByRole("button", { name: "Answered" }).click();
    await work.getByTestId("campaign-notice").filter({ hasText: "Recorded: interested" }).waitFor();
    const marketerApi = await apiLogin(server.baseUrl, "marketer");
    const campaigns = await marketerApi.get("/campaigns");
    const winter = campaigns.body.items.find((c) => c.name === "Winter VIP");
    let all = [];
    let cursor;
    do {
      const page = await marketerApi.get(`/campaigns/${winter.id}/leads?limit=200${cursor ? `&cursor=${cursor}` : ""}`);
      all = all.concat(page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    const called = all.filter((l) => l.last_outcome === "answered");
    assert.equal(called.length, 1, JSON.stringify(called));
    assert.deepEqual([called[0].attempts, called[0].result, called[0].state], [1, "interested", "closed"]);
    assert.ok(called[0].client_id, "a lead from the client base");
    const answers = await marketerApi.get(`/clients/${called[0].client_id}/survey-answers`);
    assert.deepEqual(answers.body.items.map((a) => [a.campaign, a.question, a.answer]), [["Winter VIP", "plan", "yearly"]]);
    assert.equal(all.find((l) => l.number === "+493099990001").state, "closed", "closed as do-not-call when its turn came");
  });

  test("the softphone registers again by itself after its connection drops", async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    pages.push(context);
    // Every softphone connection goes through the test, which can cut it
    // the way a network drop would.
    const connections = [];
    await page.routeWebSocket(/\/sip$/, (ws) => {
      ws.connectToServer();
      connections.push(ws);
    });
    await login(page, "agent2");
    const softphone = page.getByRole("complementary", { name: "Phone" });
    const state = softphone.getByTestId("softphone-registration");
    await state.filter({ hasText: "Ready" }).waitFor();
    assert.equal(connections.length, 1);
    // Other tests' pages may have agent2's softphone open too: compare the
    // bindings before and after, by contact.
    const extension = (await (await apiLogin(server.baseUrl, "agent2")).get("/sip/phone")).body.extension;
    const supervisor = await apiLogin(server.baseUrl, "supervisor");
    const bindings = async () => {
      const registrations = await supervisor.get("/sip/registrations");
      assert.equal(registrations.status, 200, JSON.stringify(registrations.body));
      const mine = registrations.body.items.find((r) => r.extension === extension);
      return new Map((mine?.phones ?? []).map((p) => [p.contact, p.source]));
    };
    const before = await bindings();
    await connections[0].close({ code: 1006, reason: "network drop" });
    await state.filter({ hasText: "Offline" }).waitFor();
    await state.filter({ hasText: "Ready" }).waitFor({ timeout: 20_000 });
    assert.equal(connections.length, 2, "it reconnected once");
    // The same contacts, one of them (this page's) now over the new
    // connection: the dropped connection's binding went with it.
    const after = await bindings();
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    const moved = [...after].filter(([contact, source]) => before.get(contact) !== source);
    assert.equal(moved.length, 1, `one binding moved: ${JSON.stringify([...before])} -> ${JSON.stringify([...after])}`);
    await softphone.getByRole("button", { name: "Call" }).waitFor();
    assert.ok(await softphone.getByRole("button", { name: "Call" }).isEnabled(), "and it can call");
  });

  test("agent1 calls agent2 softphone to softphone and each hears the other", async () => {
    const agent2Phone = await (await apiLogin(server.baseUrl, "agent2")).get("/sip/phone");
    const caller = await open("agent1");
    const callee = await open("agent2");
    const phoneOf = (page) => page.getByRole("complementary", { name: "Phone" });
    for (const page of [caller, callee]) {
      await phoneOf(page).getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
    }
    await phoneOf(caller).getByLabel("Number to dial").fill(agent2Phone.body.extension);
    await phoneOf(caller).getByRole("button", { name: "Call" }).click();
    await phoneOf(callee).getByTestId("softphone-call-state").filter({ hasText: "Incoming call" }).waitFor({ timeout: 20_000 });
    await phoneOf(callee).getByRole("button", { name: "Answer" }).click();
    for (const page of [caller, callee]) await phoneOf(page).getByTestId("softphone-timer").waitFor();
    // Both browsers' fake microphones beep; each must hear the other's.
    const statsOf = (page) => page.evaluate(() => window.switchboardPhone.stats());
    let both;
    for (let i = 0; i < 40; i++) {
      both = [await statsOf(caller), await statsOf(callee)];
      if (both.every((s) => s.packetsReceived > 100 && s.audioLevel > 0)) break;
      await caller.waitForTimeout(200);
    }
    for (const [who, stats] of [["agent1", both[0]], ["agent2", both[1]]]) {
      assert.ok(stats.packetsSent > 100, `${who} sent audio: ${JSON.stringify(stats)}`);
      assert.ok(stats.packetsReceived > 100, `${who} heard the other: ${JSON.stringify(stats)}`);
      assert.ok(stats.audioLevel > 0, `${who} heard sound, not silence: ${JSON.stringify(stats)}`);
    }
    await phoneOf(callee).getByRole("button", { name: "Hang up" }).click();
    await phoneOf(caller).getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
  });

  test("a progressive campaign calls through the carrier and puts the answered call through to agent1's browser, which answers by itself; agent1 records the result from the pop", async () => {
    // Only this test's tab may answer agent1's campaign call.
    await closePagesOf("agent1");
    const carrier = await carrierAnswersByNumber(server.carrier, 1);
    const supervisorApi = await apiLogin(server.baseUrl, "supervisor");
    let campaignId;
    try {
      // agent1 is registered and available: the campaign's calls go to them.
      const agent = await open("agent1");
      const softphone = agent.getByRole("complementary", { name: "Phone" });
      await softphone.getByTestId("softphone-registration").filter({ hasText: "Ready" }).waitFor();
      const queues = softphone.getByRole("region", { name: "Queues" });
      await queues.getByRole("checkbox", { name: "sales" }).check();
      await queues.getByRole("button", { name: "Log in to queues" }).click();
      await queues.getByTestId("agent-state").filter({ hasText: "Available" }).waitFor();

      // The marketer's campaign, its trunk left out at first; one lead the
      // carrier answers (a number ending in 1).
      const name = `Spring renewals ${stamp}`;
      const created = await supervisorApi.post("/campaigns", {
        name,
        settings: {
          mode: "progressive", caller_id: "+4940111111", time_zone: "Europe/Berlin",
          calling_from: "00:00", calling_until: "23:59", agents: [agent1Api.user.id], results: ["sale", "no interest"],
          script: [{ id: "hello", text: "Good morning, this is Switchboard about your renewal.", choices: [{ label: "Go on", next: null }] }],
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      campaignId = created.body.id;
      const added = await supervisorApi.postCsv(`/campaigns/${campaignId}/leads`, "number,priority\n+4930555001,1\n");
      assert.equal(added.body?.added, 1, JSON.stringify(added.body));

      const page = await open("supervisor");
      await page.getByRole("link", { name: "Campaigns" }).click();
      const row = page.locator(`tr[data-campaign="${name}"]`);
      await row.filter({ hasText: "Stopped" }).waitFor();
      await row.getByRole("button", { name: "Leads" }).click();
      const figures = page.getByTestId("campaign-figures");
      await figures.getByTestId("figure-dialled").waitFor();
      // Without a trunk the server refuses to start it, and says which setting.
      await row.getByRole("button", { name: "Start" }).click();
      await page.getByTestId("campaign-state-error").filter({ hasText: "settings.trunk:" }).waitFor();
      assert.equal(await row.getAttribute("data-state"), "stopped");
      await row.getByRole("button", { name: "Edit" }).click();
      const form = page.getByRole("form", { name: "Campaign settings" });
      await form.getByLabel("Trunk").fill("carrier");
      // What its minutes cost, its budget and what a sale brings; a negative
      // rate is named beside its field, and what was typed stays.
      await form.getByLabel("Cost per minute").fill("-1");
      await form.getByLabel("Budget").fill("50");
      await form.getByLabel("Value of sale").fill("120");
      await form.getByRole("button", { name: "Save campaign" }).click();
      await form.locator('[data-testid="field-error"][data-field="settings.cost_per_minute"]').waitFor();
      const costField = form.locator(".field", { has: page.getByLabel("Cost per minute") });
      assert.equal(await costField.locator('[data-testid="field-error"]').count(), 1);
      assert.equal(await form.locator('[data-testid="field-error"]').count(), 1, "only the rate is wrong");
      assert.deepEqual([await form.getByLabel("Budget").inputValue(), await form.getByLabel("Value of sale").inputValue()], ["50", "120"]);
      await form.getByLabel("Cost per minute").fill("0.60");
      await form.getByRole("button", { name: "Save campaign" }).click();
      await form.waitFor({ state: "detached" });
      const saved = (await supervisorApi.get(`/campaigns/${campaignId}`)).body.settings;
      assert.deepEqual(
        [saved.trunk, Number(saved.cost_per_minute), Number(saved.budget), Number(saved.result_values.sale)],
        ["carrier", 0.6, 50, 120],
        JSON.stringify(saved),
      );
      await row.getByRole("button", { name: "Start" }).click();
      await row.filter({ hasText: "Running" }).waitFor();
      assert.equal(await row.getAttribute("data-state"), "running");
      assert.equal(await page.getByTestId("campaign-state-error").count(), 0);

      // The carrier answers; the call pops on agent1's screen with the
      // campaign's script, and the softphone takes it with no click.
      const pop = agent.getByRole("dialog", { name: "Campaign call" });
      await pop.getByTestId("campaign-call").filter({ hasText: `Campaign call · ${name}` }).waitFor({ timeout: 30_000 });
      assert.match(await pop.innerText(), /4930555001/);
      await pop.getByTestId("campaign-script").getByText("about your renewal").waitFor();
      await softphone.getByTestId("softphone-timer").waitFor({ timeout: 10_000 });
      assert.equal(await softphone.getByRole("button", { name: "Answer" }).count(), 0, "no one had to answer");
      await queues.getByTestId("agent-state").filter({ hasText: "On a call" }).waitFor();
      await pop.getByTestId("campaign-call-state").filter({ hasText: "On the call" }).waitFor();

      // agent1 talks for two seconds at least, so the call is billed for
      // some (0.60 a minute is a cent a second), then hangs up (the carrier
      // gets our BYE) and records the result.
      await softphone.getByTestId("softphone-timer").filter({ hasText: /^0:0[2-9]$/ }).waitFor({ timeout: 10_000 });
      await softphone.getByRole("button", { name: "Hang up" }).click();
      await softphone.getByTestId("softphone-call-state").filter({ hasText: "Call ended" }).waitFor();
      const end = await carrier.done;
      assert.ok(end.ok, `the carrier's call ended with our BYE: ${end.log}`);
      // agent1 closes the pop before saying how it went: the lead stays
      // theirs, listed to finish in the phone panel, where they record it.
      await pop.getByRole("button", { name: "Close" }).click();
      assert.equal(await agent.getByTestId("screen-pop").count(), 0);
      const work = softphone.getByRole("region", { name: "Campaign calls" });
      await work.getByTestId("leads-to-finish").locator('li[data-lead="+4930555001"]').getByRole("button").click();
      await work.getByTestId("campaign-script").getByText("about your renewal").waitFor();
      await work.getByLabel("Result").selectOption("sale");
      await work.getByRole("button", { name: "Answered", exact: true }).click();
      await work.getByTestId("campaign-notice").filter({ hasText: "Recorded: sale" }).waitFor();
      assert.equal(await work.getByTestId("leads-to-finish").count(), 0, "nothing left to finish");

      const leads = await supervisorApi.get(`/campaigns/${campaignId}/leads?limit=10`);
      const lead = leads.body.items.find((l) => l.number === "+4930555001");
      assert.deepEqual(
        [lead.state, lead.closed_as, lead.last_outcome, lead.result, lead.attempts, String(lead.agent_id)],
        ["closed", "answered", "answered", "sale", 1, String(agent1Api.user.id)],
        JSON.stringify(lead),
      );
      // The marketer's figures, read again every 2 s while it runs.
      await figures.locator('[data-testid="figure-connected"][data-value="1"]').waitFor({ timeout: 10_000 });
      await figures.getByTestId("chart-results").locator('li[data-key="sale"][data-count="1"]').waitFor();
      const figure = async (id) => figures.getByTestId(id).getAttribute("data-value");
      assert.deepEqual(
        [await figure("figure-dialled"), await figure("figure-answered"), await figure("figure-connected"), await figure("figure-abandoned")],
        ["1", "1", "1", "0"],
      );
      assert.equal(await figures.getByTestId("abandon-rate-today").getAttribute("data-over"), "false");
      await figures.getByTestId("chart-last-outcomes").locator('li[data-key="answered"]').waitFor();
      // Today's calls by the hour: this campaign's one call, answered.
      const hour = figures.getByTestId("chart-hours").locator("li");
      assert.equal(await hour.count(), 1);
      assert.deepEqual([await hour.getAttribute("data-dialled"), await hour.getAttribute("data-answered"), await hour.getAttribute("data-abandoned")], ["1", "1", "0"]);
      // The sale brings 120; the call cost what the server billed for it
      // (read until the figures have caught up with the stats).
      await figures.locator('[data-testid="figure-return"][data-value="120.00"]').waitFor({ timeout: 10_000 });
      let stats;
      for (let i = 0; i < 20; i++) {
        stats = (await supervisorApi.get(`/campaigns/${campaignId}/stats`)).body;
        if ((await figure("figure-cost")) === stats.cost) break;
        await page.waitForTimeout(250);
      }
      assert.equal(await figure("figure-cost"), stats.cost, JSON.stringify(stats));
      assert.ok(stats.billed_seconds >= 2, `billed from the carrier's answer: ${stats.billed_seconds} s`);
      assert.equal(Number(stats.cost) > 0, stats.billed_seconds > 0, `cost ${stats.cost} for ${stats.billed_seconds} s billed`);
      assert.equal(stats.return, "120.00");
      assert.equal(await figure("figure-budget-left"), stats.budget_left);
      assert.equal(await figures.getByTestId("figure-budget-left").getAttribute("data-spent"), "false");
      await figures.getByTestId("figure-occupancy").waitFor();
      // agent1's row among the campaign's agents, by the name the stats give.
      const mine = stats.agents.find((a) => String(a.agent) === String(agent1Api.user.id));
      assert.ok(mine, JSON.stringify(stats.agents));
      const agentRow = figures.getByTestId("campaign-agents").locator(`tr[data-agent="${mine.name}"]`);
      await agentRow.getByTestId("calls-today").filter({ hasText: /^1$/ }).waitFor();
      const talk = mine.talk_seconds_today;
      assert.equal(await agentRow.getByTestId("talk-today").innerText(), `${Math.floor(talk / 60)}:${String(talk % 60).padStart(2, "0")}`);
      await queues.getByRole("button", { name: "Log out" }).click();
      await queues.getByRole("button", { name: "Log in to queues" }).waitFor();
    } finally {
      carrier.stop();
      if (campaignId) await supervisorApi.post(`/campaigns/${campaignId}/stop`, {});
      await agent1Api.post("/agent/logout", {});
    }
  });

  test("a marketer saves the client list's filters as a segment and a campaign takes its clients as leads", async () => {
    const page = await open("marketer");
    const marketerApi = await apiLogin(server.baseUrl, "marketer");
    await page.getByRole("link", { name: "Clients" }).click();
    await page.getByLabel("Status").fill("vip");
    await page.getByLabel("Kind").selectOption("legal");
    await page.waitForURL(/status=vip/);
    await page.waitForFunction(() => document.querySelector('[data-testid="client-results"]')?.getAttribute("data-state") === "ready");

    // A segment needs a name; the mistake shows beside the field.
    await page.getByRole("button", { name: "Save as segment" }).click();
    const form = page.getByRole("form", { name: "Save as segment" });
    await form.getByRole("button", { name: "Save segment" }).click();
    await form.locator('[data-testid="field-error"][data-field="name"]').waitFor();
    const name = `VIP companies ${stamp}`;
    await form.getByLabel("Segment name").fill(name);
    await form.getByRole("button", { name: "Save segment" }).click();
    await page.getByTestId("segment-saved").filter({ hasText: name }).waitFor();

    // Saved as the filters shown, matching what the client list matches.
    const segments = await marketerApi.get("/segments");
    const saved = segments.body.items.find((s) => s.name === name);
    assert.deepEqual(saved.filter, { status: "vip", kind: "legal" });
    const vipLegal = await marketerApi.get("/clients?status=vip&kind=legal&limit=200");
    assert.equal(saved.size.clients, vipLegal.body.items.length, JSON.stringify(saved));
    assert.ok(saved.size.callable > 0 && saved.size.callable <= saved.size.clients, JSON.stringify(saved));

    // A campaign takes the segment's clients with a phone as its leads.
    const campaignName = `VIP renewals ${stamp}`;
    const created = await marketerApi.post("/campaigns", { name: campaignName });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await page.getByRole("link", { name: "Campaigns" }).click();
    const segmentRow = page.getByTestId("segments").locator(`tr[data-segment="${name}"]`);
    await segmentRow.filter({ hasText: "legal entities · status vip" }).waitFor();
    assert.equal(await segmentRow.getAttribute("data-callable"), String(saved.size.callable));
    const row = page.locator(`tr[data-campaign="${campaignName}"]`);
    await row.getByRole("button", { name: "Leads" }).click();
    const leadsPanel = page.getByTestId("campaign-leads");
    await leadsPanel.getByLabel("Saved segment").selectOption({ label: `${name} (${saved.size.callable} with a phone)` });
    await leadsPanel.getByLabel("Priority").fill("3");
    await leadsPanel.getByRole("button", { name: "Add segment" }).click();
    await leadsPanel.getByTestId("leads-added").filter({ hasText: `${saved.size.callable} added` }).waitFor();
    const leads = await marketerApi.get(`/campaigns/${created.body.id}/leads?limit=200`);
    assert.equal(leads.body.items.length, saved.size.callable);
    assert.ok(leads.body.items.every((l) => l.priority === 3 && l.client_id != null), JSON.stringify(leads.body.items[0]));

    // Deleted from the list; the leads it gave stay.
    await segmentRow.getByRole("button", { name: "Delete" }).click();
    await segmentRow.waitFor({ state: "detached" });
    const after = await marketerApi.get(`/campaigns/${created.body.id}/leads?limit=200`);
    assert.equal(after.body.items.length, saved.size.callable);
  });

  test("a marketer builds a campaign's script and survey in the form's editors; the server keeps exactly what was built, and a step id used twice is named beside it", async () => {
    const page = await open("marketer");
    const marketerApi = await apiLogin(server.baseUrl, "marketer");
    await page.getByRole("link", { name: "Campaigns" }).click();
    await page.getByRole("button", { name: "New campaign" }).click();
    const form = page.getByRole("form", { name: "Campaign settings" });
    const name = `Script editor ${stamp}`;
    await form.getByLabel("Name").fill(name);
    // Two steps: "Interested" leads to the second, "Not now" ends.
    await buildScript(form, [
      { id: "hello", text: "Hello, this is Switchboard. Have you a minute?", choices: [{ label: "Interested", next: "pitch" }, { label: "Not now", next: null }] },
      { id: "pitch", text: "Our winter plan is 20% off this week.", choices: [] },
    ]);
    const script = form.getByRole("group", { name: "Script", exact: true });
    const hello = script.getByRole("group", { name: "Step 1", exact: true });
    const second = script.getByRole("group", { name: "Step 2", exact: true });
    await hello.getByTestId("script-start").waitFor();
    const survey = [
      { key: "plan", text: "Which plan?", kind: "choice", options: ["monthly", "yearly"], required: false },
      { key: "satisfied", text: "Happy with us?", kind: "yes_no", options: [], required: true },
    ];
    await buildSurvey(form, survey);
    const questions = form.getByRole("group", { name: "Survey", exact: true });
    assert.equal(await questions.getByRole("group", { name: "Question 2", exact: true }).getByLabel("Options").count(), 0, "options for a choice only");

    // The second step renamed to the first one's id: the server names it
    // beside that step's id, and only there; nothing is saved.
    await second.getByLabel("Step id").fill("hello");
    await form.getByRole("button", { name: "Save campaign" }).click();
    const idError = second.locator('[data-testid="field-error"][data-field="settings.script[1].id"]');
    await idError.filter({ hasText: "each step needs an id of its own" }).waitFor();
    assert.equal(await form.locator('[data-testid="field-error"]').count(), 1, "only the second id is wrong");
    assert.equal(await page.getByTestId("error-banner").locator('[data-testid="field-error"]').count(), 0, "not repeated above the form");
    assert.equal(await second.getByLabel("Step id").getAttribute("aria-invalid"), "true");
    const listed = await marketerApi.get("/campaigns");
    assert.equal(listed.body.items.filter((c) => c.name === name).length, 0);

    // Renamed again, the choice leading to it follows; saved.
    await second.getByLabel("Step id").fill("offer");
    assert.match(await hello.getByRole("group", { name: "Choice 1", exact: true }).getByLabel("Leads to").locator("option:checked").innerText(), /^offer — Our winter plan/);
    await form.getByRole("button", { name: "Save campaign" }).click();
    await form.waitFor({ state: "detached" });
    const campaigns = await marketerApi.get("/campaigns");
    const saved = campaigns.body.items.find((c) => c.name === name);
    assert.ok(saved, JSON.stringify(campaigns.body.items.map((c) => c.name)));
    assert.deepEqual(saved.settings.script, [
      { id: "hello", text: "Hello, this is Switchboard. Have you a minute?", choices: [{ label: "Interested", next: "offer" }, { label: "Not now", next: null }] },
      { id: "offer", text: "Our winter plan is 20% off this week.", choices: [] },
    ]);
    assert.deepEqual(saved.settings.survey, survey);

    // Opened again, the editors show what is stored.
    await page.locator(`tr[data-campaign="${name}"]`).getByRole("button", { name: "Edit" }).click();
    assert.equal(await second.getByLabel("Step id").inputValue(), "offer");
    assert.equal(await hello.getByRole("group", { name: "Choice 2", exact: true }).getByLabel("Leads to").locator("option:checked").innerText(), "End");
    assert.equal(await questions.getByRole("group", { name: "Question 1", exact: true }).getByLabel("Options").inputValue(), "monthly, yearly");
    assert.equal(await questions.getByRole("group", { name: "Question 2", exact: true }).getByLabel("Required").isChecked(), true);
    await form.getByRole("button", { name: "Cancel" }).click();
  });
});
