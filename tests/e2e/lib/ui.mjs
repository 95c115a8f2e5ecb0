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
