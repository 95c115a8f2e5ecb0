// The one place that talks HTTP: JSON in and out, problem+json errors turned
// into ApiError, and the session token sent as a Bearer header besides the
// `sb_session` cookie the server sets at login.
import type { Problem } from "./types";

const BASE = "/api/v1";
const TOKEN_KEY = "switchboard.token";

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called when any request other than login answers 401 (the session ended). */
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** Builds `path?query`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = contentType ?? "application/json";
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;

  let response: Response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      credentials: "same-origin",
      // A body with its own content type (a CSV file) goes as it is.
      body: body === undefined ? undefined : contentType ? String(body) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: "Network error", detail: "The server could not be reached." });
  }

  if (response.status === 401 && path !== "/auth/login" && unauthorizedHandler) {
    unauthorizedHandler();
  }
  if (!response.ok) throw new ApiError(response.status, await readProblem(response));
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as Problem;
    if (parsed && typeof parsed === "object") return { status: response.status, ...parsed };
  } catch {
    // Not JSON: fall through to a plain problem.
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}`, detail: text || undefined };
}

export const http = {
  get: <T>(path: string, query?: Query) => request<T>("GET", withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
  del: (path: string) => request<void>("DELETE", path),
  postText: <T>(path: string, text: string, contentType: string) => request<T>("POST", path, text, contentType),
};
