import { useEffect, useState } from "react";
import { ResponsibleSelect } from "../components/ResponsibleSelect";
import { useDebounced } from "../lib/useDebounced";
import { STATUS_SUGGESTIONS } from "./statuses";

export interface ClientFilterValues {
  q: string;
  status: string;
  kind: string;
  responsible: string;
  sort: string;
}

interface Props {
  values: ClientFilterValues;
  onChange: (patch: Partial<ClientFilterValues>) => void;
}

/** Search box (debounced) and the filters above the client list. */
export function ClientFilters({ values, onChange }: Props) {
  const [q, setQ] = useState(values.q);
  const [status, setStatus] = useState(values.status);
  const debouncedQ = useDebounced(q, 300);
  const debouncedStatus = useDebounced(status, 300);

  useEffect(() => {
    if (debouncedQ !== values.q) onChange({ q: debouncedQ });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedQ]);
  useEffect(() => {
    if (debouncedStatus !== values.status) onChange({ status: debouncedStatus });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedStatus]);

  return (
    <div className="filters" role="search">
      <div className="field grow">
        <label htmlFor="client-search">Search</label>
        <input id="client-search" type="search" placeholder="Name, phone or e-mail" value={q}
          onChange={(e) => setQ(e.target.value)} data-testid="client-search" />
      </div>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <input id="filter-status" list="status-suggestions" value={status} placeholder="Any"
          onChange={(e) => setStatus(e.target.value)} />
        <datalist id="status-suggestions">
          {STATUS_SUGGESTIONS.map((s) => <option key={s} value={s} />)}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="filter-kind">Kind</label>
        <select id="filter-kind" value={values.kind} onChange={(e) => onChange({ kind: e.target.value })}>
          <option value="">Any</option>
          <option value="legal">Legal entity</option>
          <option value="individual">Individual</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-responsible">Responsible</label>
        <ResponsibleSelect id="filter-responsible" value={values.responsible} emptyLabel="Anyone"
          onChange={(responsible) => onChange({ responsible })} />
      </div>
      <div className="field">
        <label htmlFor="client-sort">Sort</label>
        <select id="client-sort" value={values.sort} onChange={(e) => onChange({ sort: e.target.value })}>
          <option value="name">Name A–Z</option>
          <option value="-name">Name Z–A</option>
          <option value="-created_at">Newest first</option>
          <option value="created_at">Oldest first</option>
        </select>
      </div>
    </div>
  );
}
