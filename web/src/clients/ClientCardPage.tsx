// The client card: details, contact persons, tasks and the interaction
// timeline; "Edit" swaps the details for the client form.
import { useState } from "react";
import { Link, useLocation, useParams } from "react-router-dom";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";
import type { Client } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
import { ErrorBanner } from "../components/ErrorBanner";
import { NotFound } from "../components/NotFound";
import { humanise } from "../lib/format";
import { useLoad } from "../lib/useLoad";
import { ClientDetails } from "./ClientDetails";
import { ClientForm } from "./ClientForm";
import { ClientTasks } from "./ClientTasks";
import { ContactPersons } from "./ContactPersons";
import { draftFromClient } from "./clientDraft";
import { InteractionTimeline } from "./InteractionTimeline";
import { SurveyAnswers } from "./SurveyAnswers";

export function ClientCardPage() {
  const { id = "" } = useParams();
  const me = useMe();
  const location = useLocation();
  const loaded = useLoad(() => api.client(id), [id]);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<Client | null>(null);
  const [flash, setFlash] = useState<string | null>((location.state as { flash?: string } | null)?.flash ?? null);

  const client = saved && String(saved.id) === String(loaded.data?.id) ? saved : loaded.data;
  const canWriteClients = canWrite(me, "clients");
  const canWriteTasks = canWrite(me, "tasks");
  const canWriteInteractions = canWrite(me, "interactions");

  if (loaded.error instanceof ApiError && (loaded.error.status === 404 || loaded.error.status === 403)) {
    return <NotFound what="client" />;
  }
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!client) return <p className="muted">Loading…</p>;

  const refresh = () => {
    setSaved(null);
    loaded.reload();
  };

  return (
    <div className="client-card" data-testid="client-card">
      <nav className="breadcrumb" aria-label="Breadcrumb"><Link to="/clients">Clients</Link> / {client.name}</nav>
      <div className="page-head">
        <div>
          <h1 data-testid="client-name">{client.name}</h1>
          <div className="subtitle">
            <span className="tag">{client.kind === "legal" ? "Legal entity" : "Individual"}</span>
            {client.status && <span className="status-chip">{humanise(client.status)}</span>}
            {client.phones?.[0] && <span className="muted">{client.phones[0].number}</span>}
          </div>
        </div>
        {canWriteClients && !editing && <button type="button" onClick={() => { setFlash(null); setEditing(true); }}>Edit client</button>}
      </div>
      {flash && <p className="banner ok" role="status">{flash}</p>}

      <div className="card-columns">
        <div className="column">
          {editing ? (
            <section className="card" aria-label="Edit client">
              <h2>Edit client</h2>
              <ClientForm initial={draftFromClient(client)} submitLabel="Save changes" idPrefix="edit-client"
                current={{ id: client.responsible_id, name: client.responsible_name }}
                onCancel={() => setEditing(false)}
                onSubmit={async (body) => {
                  const updated = await api.updateClient(client.id, body);
                  setEditing(false);
                  setFlash("Changes saved.");
                  if (updated && typeof updated === "object" && "name" in updated) setSaved(updated);
                  else refresh();
                }} />
            </section>
          ) : (
            <ClientDetails client={client} />
          )}
          <ContactPersons clientId={client.id} persons={client.contact_persons ?? []} canWrite={canWriteClients} onChanged={refresh} />
        </div>
        <div className="column">
          <ClientTasks clientId={client.id} canWrite={canWriteTasks} />
          <InteractionTimeline clientId={client.id} persons={client.contact_persons ?? []} canWrite={canWriteInteractions} />
          <SurveyAnswers clientId={client.id} />
        </div>
      </div>
    </div>
  );
}
