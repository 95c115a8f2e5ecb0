// Direct API calls for test set-up (finding records to act on through the UI).
export async function apiLogin(baseUrl, username, password = "demo") {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`API login as ${username}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return {
    token: body.token,
    user: body.user,
    get: (path) => apiGet(baseUrl, body.token, path),
    post: (path, json) => apiPost(baseUrl, body.token, path, json),
    put: (path, json) => apiPost(baseUrl, body.token, path, json, "PUT"),
    postCsv: (path, csv) => apiPost(baseUrl, body.token, path, csv, "POST", "text/csv"),
  };
}

/** A POST (or `method`) of JSON, or of text of `contentType`: { status, body }. */
export async function apiPost(baseUrl, token, path, json, method = "POST", contentType = "application/json") {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": contentType },
    body: contentType === "application/json" ? JSON.stringify(json) : json,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A GET whose answer is bytes: { status, headers, bytes }. */
export async function apiGetBytes(baseUrl, token, path, headers = {}) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export async function apiGet(baseUrl, token, path) {
  const res = await fetch(`${baseUrl}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
