import { Link } from "react-router-dom";
import type { ClientSummary } from "../api/types";
import { humanise } from "../lib/format";

export function ClientTable({ items }: { items: ClientSummary[] }) {
  return (
    <table className="table" data-testid="client-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col">Status</th>
          <th scope="col">Primary phone</th>
          <th scope="col">Responsible</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={String(c.id)} data-testid="client-row" data-client-id={String(c.id)}>
            <td>
              <Link to={`/clients/${encodeURIComponent(String(c.id))}`}>{c.name}</Link>
              {c.primary_email && <div className="muted small">{c.primary_email}</div>}
            </td>
            <td>{c.kind === "legal" ? "Legal entity" : "Individual"}</td>
            <td>{c.status ? <span className="status-chip">{humanise(c.status)}</span> : <span className="muted">—</span>}</td>
            <td className="nowrap">{c.primary_phone || <span className="muted">—</span>}</td>
            <td>{c.responsible_name || <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
