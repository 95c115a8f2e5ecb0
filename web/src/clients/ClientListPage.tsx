// The client list: filters live in the URL so reload and back keep them;
// "Load more" follows next_cursor.
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api } from "../api/endpoints";
import type { ClientSummary } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
import { ErrorBanner } from "../components/ErrorBanner";
import { pathOf } from "../lib/classifierTree";
import { useReferenceData } from "../lib/ReferenceData";
import { ClassifierPanel } from "./ClassifierPanel";
import { ClientFilters, type ClientFilterValues } from "./ClientFilters";
import { ClientTable } from "./ClientTable";
import { SaveSegment } from "./SaveSegment";

const PAGE_SIZE = 50;

export function ClientListPage() {
  const [params, setParams] = useSearchParams();
  const { classifier } = useReferenceData();
  const me = useMe();
  const filters: ClientFilterValues = {
    q: params.get("q") ?? "",
    status: params.get("status") ?? "",
    kind: params.get("kind") ?? "",
    responsible: params.get("responsible") ?? "",
    sort: params.get("sort") ?? "name",
  };
  const classifierId = params.get("classifier") ?? "";
  const queryKey = JSON.stringify({ ...filters, classifierId });

  const [items, setItems] = useState<ClientSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  // The query the shown results answer, so tests (and people) know the list is current.
  const [shownQuery, setShownQuery] = useState<string | null>(null);
  const run = useRef(0);

  function load(after: string | null) {
    const mine = ++run.current;
    setLoading(true);
    setError(null);
    api
      .clients({ ...filters, classifier: classifierId, limit: PAGE_SIZE, cursor: after })
      .then((page) => {
        if (run.current !== mine) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor ?? null);
        setShownQuery(queryKey);
      })
      .catch((err) => run.current === mine && setError(err))
      .finally(() => run.current === mine && setLoading(false));
  }

  useEffect(() => {
    load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey]);

  function update(patch: Partial<ClientFilterValues> & { classifier?: string }) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (next.get("sort") === "name") next.delete("sort");
    setParams(next, { replace: true });
  }

  return (
    <div className="with-side-panel">
      <ClassifierPanel selected={classifierId} onSelect={(id) => update({ classifier: id })} />
      <section className="main-column">
        <div className="page-head">
          <h1>Clients</h1>
          {canWrite(me, "clients") && <Link className="button primary" to="/clients/new">New client</Link>}
        </div>
        <ClientFilters values={filters} onChange={update} />
        {canWrite(me, "campaigns") && <SaveSegment params={params} />}
        {classifierId && (
          <p className="active-filter">
            Under <strong>{pathOf(classifier, classifierId) || `node ${classifierId}`}</strong>{" "}
            <button type="button" className="link-button" onClick={() => update({ classifier: "" })}>clear</button>
          </p>
        )}
        <ErrorBanner error={error} />
        <div data-testid="client-results" data-state={loading || shownQuery !== queryKey ? "loading" : "ready"}
          data-q={filters.q}>
          {items.length > 0 && <ClientTable items={items} />}
        {!loading && !error && items.length === 0 && (
          <p className="empty-state card" data-testid="no-clients">No clients match.</p>
        )}
        </div>
        <div className="list-foot">
          {loading && <span className="muted">Loading…</span>}
          {!loading && cursor && (
            <button type="button" onClick={() => load(cursor)}>Load more</button>
          )}
        </div>
      </section>
    </div>
  );
}
