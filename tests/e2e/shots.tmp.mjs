import { startServer } from "./lib/server.mjs";
import { launchBrowser, newPage } from "./lib/browser.mjs";
import { login, search } from "./lib/ui.mjs";
const server = await startServer();
const browser = await launchBrowser();
try {
  const { page } = await newPage(browser, server.baseUrl);
  await login(page, "manager");
  await page.getByRole("button", { name: "Expand Segment" }).click();
  await page.screenshot({ path: "/tmp/shot-list.png" });
  await page.goto("/clients/new");
  await page.getByLabel("Full name").fill("X");
  await page.getByLabel("Phone 1", { exact: true }).fill("12345");
  await page.getByRole("button", { name: "Create client" }).click();
  await page.getByTestId("field-error").first().waitFor();
  await page.screenshot({ path: "/tmp/shot-new.png", fullPage: true });
  await page.goto("/tasks");
  await page.getByTestId("task").first().waitFor();
  await page.screenshot({ path: "/tmp/shot-tasks.png" });
} finally { await browser.close(); await server.stop(); }
