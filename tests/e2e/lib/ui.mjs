// What a user does, step by step, in the browser.
export async function login(page, username, password = "demo") {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("current-user").waitFor();
}

/** Types into the client search and waits until the list shows the answer to that text. */
export async function search(page, text) {
  await page.getByLabel("Search").fill(text);
  // The box is debounced: wait for the results of exactly this query.
  await page.waitForFunction((q) => {
    const el = document.querySelector('[data-testid="client-results"]');
    return el && el.getAttribute("data-q") === q && el.getAttribute("data-state") === "ready";
  }, text);
}

export function rowFor(page, clientId) {
  return page.locator(`[data-testid="client-row"][data-client-id="${clientId}"]`);
}

/** Clicks "Load more" until `locator` is on the page or there is nothing more to load. */
export async function loadMoreUntil(page, locator) {
  for (;;) {
    if ((await locator.count()) > 0) return locator.first().waitFor();
    const more = page.getByRole("button", { name: "Load more" });
    try {
      await more.waitFor({ timeout: 5_000 });
    } catch {
      // No more pages: one last look, then let waitFor report what is missing.
      return locator.first().waitFor({ timeout: 2_000 });
    }
    await more.click();
    await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
  }
}

/** Loads every page of a paged list (the "Load more" button disappears at the end). */
export async function loadAll(page) {
  await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
  for (;;) {
    const more = page.getByRole("button", { name: "Load more" });
    if ((await more.count()) === 0) return;
    await more.click();
    await page.waitForFunction(() => !document.body.innerText.includes("Loading…"));
  }
}
