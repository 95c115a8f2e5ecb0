// Field errors from a problem+json answer, keyed by the field path the server
// names ("phones[0].number"), so each form shows them beside its fields.
import { ApiError } from "../api/http";

export type FieldErrors = ReadonlyMap<string, string[]>;

export const NO_ERRORS: FieldErrors = new Map();

/** "phones.0.number" and "/phones/0/number" both become "phones[0].number". */
export function normaliseField(field: string): string {
  return field
    .replace(/^[/$.]+/, "")
    .replace(/\//g, ".")
    .replace(/\.(\d+)(?=\.|$)/g, "[$1]")
    .replace(/^body\./, "");
}

export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return NO_ERRORS;
  const map = new Map<string, string[]>();
  for (const item of error.problem.errors ?? []) {
    if (!item || typeof item.field !== "string") continue;
    const key = normaliseField(item.field);
    map.set(key, [...(map.get(key) ?? []), String(item.message ?? "is invalid")]);
  }
  return map;
}

/** The messages for exactly this field, joined for display. */
export function errorFor(errors: FieldErrors, field: string): string | undefined {
  const messages = errors.get(field);
  return messages && messages.length ? messages.join("; ") : undefined;
}

/**
 * Errors no input of the form claims, so the form can list them at the top
 * instead of hiding them. `claimed` holds exact field paths.
 */
export function unclaimed(errors: FieldErrors, claimed: Iterable<string>): { field: string; message: string }[] {
  const set = new Set(claimed);
  const out: { field: string; message: string }[] = [];
  for (const [field, messages] of errors) {
    if (set.has(field)) continue;
    for (const message of messages) out.push({ field, message });
  }
  return out;
}

/**
 * An error as one line of text for a place with no form fields to mark:
 * each field the server names with its message ("settings.trunk: give the
 * trunk calls go out on"), else the problem's detail or the error's message.
 */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = (error.problem.errors ?? []).filter((e) => e && typeof e.field === "string");
    if (fields.length > 0) return fields.map((e) => `${normaliseField(e.field)}: ${String(e.message ?? "is invalid")}`).join("; ");
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
