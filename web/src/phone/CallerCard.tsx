// The client card in a screen pop: who is on the line, their recent
// contacts and open tasks; an unknown number offers a new client with it.
import { Link } from "react-router-dom";
import type { ScreenPop } from "../api/types";
import { formatDateTime, humanise } from "../lib/format";

export function CallerCard({ card, number }: { card: ScreenPop | null; number: string }) {
  if (!card) {
    return (
      <div className="screen-pop-card" data-testid="screen-pop-unknown">
        <p>No client has this number.</p>
        <Link to={`/clients/new?phone=${encodeURIComponent(number)}`}>New client with {number}</Link>
      </div>
    );
  }
  return (
    <div className="screen-pop-card" data-testid="screen-pop-client">
      <h2>
        <Link to={`/clients/${encodeURIComponent(String(card.client.id))}`}>{card.client.name}</Link>
      </h2>
      {card.contact_person && <div>Contact: {card.contact_person.name}</div>}
      <div className="muted">
        {[card.client.status, card.client.responsible_name && `responsible ${card.client.responsible_name}`]
          .filter(Boolean)
          .join(" · ")}
      </div>
      <h3>Recent contacts</h3>
      {card.recent_interactions.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul>
          {card.recent_interactions.map((i) => (
            <li key={String(i.id)}>
              {formatDateTime(i.started_at)} · {humanise(i.channel)} {humanise(i.direction)}
              {i.result ? ` · ${i.result}` : ""}
            </li>
          ))}
        </ul>
      )}
      <h3>Open tasks</h3>
      {card.open_tasks.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {card.open_tasks.map((t) => (
            <li key={String(t.id)} className={t.overdue ? "overdue" : ""}>
              {t.title} · due {formatDateTime(t.due_at)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
