// Saved segments as the app shows and makes them: a filter in words, and
// the client list's query turned into a segment's filter.

/** The client list's query parameters a segment keeps (sorting is not a filter). */
const KEPT = ["q", "status", "kind", "responsible", "classifier"];

/** The filter to save from the client list's query: its filters, set ones only. */
export function filterOfQuery(params: URLSearchParams): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const [key, value] of params) {
    if ((KEPT.includes(key) || key.startsWith("attr.")) && value.trim()) filter[key] = value.trim();
  }
  return filter;
}

const KINDS: Record<string, string> = { legal: "legal entities", individual: "individuals" };

/**
 * A filter in words: `{status: "vip", kind: "legal", q: "berlin"}` is
 * `legal entities · status vip · matching "berlin"`; no filter is "every client".
 * `classifierName` names a classifier node by id.
 */
export function describeFilter(filter: Record<string, string>, classifierName: (id: string) => string = (id) => `node ${id}`): string {
  const parts: string[] = [];
  if (filter.kind) parts.push(KINDS[filter.kind] ?? filter.kind);
  if (filter.status) parts.push(`status ${filter.status}`);
  if (filter.classifier) parts.push(`under ${classifierName(filter.classifier)}`);
  if (filter.responsible) parts.push(filter.responsible === "me" ? "mine" : `responsible #${filter.responsible}`);
  for (const [key, value] of Object.entries(filter).sort()) {
    if (key.startsWith("attr.")) parts.push(`${key.slice(5)} = ${value}`);
  }
  if (filter.q) parts.push(`matching "${filter.q}"`);
  return parts.length ? parts.join(" · ") : "every client";
}
