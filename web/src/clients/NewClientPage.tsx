import { useNavigate } from "react-router-dom";
import { api } from "../api/endpoints";
import { ClientForm } from "./ClientForm";
import { emptyDraft } from "./clientDraft";

const DRAFT_KEY = "switchboard.draft.new-client";

export function NewClientPage() {
  const navigate = useNavigate();
  return (
    <section className="narrow">
      <div className="page-head">
        <h1>New client</h1>
      </div>
      <div className="card">
        <ClientForm initial={emptyDraft()} submitLabel="Create client" draftKey={DRAFT_KEY} idPrefix="new-client"
          onSubmit={async (body) => {
            const { id } = await api.createClient(body);
            navigate(`/clients/${encodeURIComponent(String(id))}`, { state: { flash: "Client created." } });
          }}
          onCancel={() => {
            sessionStorage.removeItem(DRAFT_KEY);
            navigate("/clients");
          }} />
      </div>
    </section>
  );
}
