// End-to-end: the real server (demo data, fresh database) and the built web
// app, driven in headless Chromium the way call-centre staff use it.
//
//   SWITCHBOARD_BIN            server binary (default target/debug/switchboard)
//   SWITCHBOARD_E2E_DATABASE   e.g. postgres://... (default: a temp SQLite file)
//   SWITCHBOARD_E2E_SCREENSHOT where to save the client card screenshot
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiLogin } from "./lib/api.mjs";
import { launchBrowser, newPage } from "./lib/browser.mjs";
import { startServer } from "./lib/server.mjs";
import { login, rowFor, search } from "./lib/ui.mjs";

const SCREENSHOT = process.env.SWITCHBOARD_E2E_SCREENSHOT || "/tmp/switchboard-client-card.png";
const stamp = Date.now().toString(36);

let server;
let browser;
/** A demo client agent1 is responsible for, with a phone. */
let agent1Client;
const pages = [];

async function open(username) {
  const { context, page } = await newPage(browser, server.baseUrl);
  pages.push(context);
  await login(page, username);
  return page;
}

describe("Switchboard web app", { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const agent1 = await apiLogin(server.baseUrl, "agent1");
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

    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My tasks" }).click();
    const task = page.getByTestId("task").filter({ hasText: title });
    await task.waitFor();
    assert.match(await task.innerText(), new RegExp(agent1Client.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));

    await task.getByRole("button", { name: /Mark .* done/ }).click();
    await task.getByText("Done", { exact: true }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "My tasks" }).waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
    assert.equal(await page.getByTestId("task").filter({ hasText: title }).count(), 0);
  });
});
