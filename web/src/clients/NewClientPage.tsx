import { useNavigate, useSearchParams } from "react-router-dom";
import { api } from "../api/endpoints";
import { ClientForm } from "./ClientForm";
import { emptyDraft } from "./clientDraft";

const DRAFT_KEY = "switchboard.draft.new-client";

export function NewClientPage() {
  const navigate = useNavigate();
  // ?phone=... comes from a screen pop of an unknown caller.
  const [params] = useSearchParams();
  const phone = params.get("phone");
  const initial = emptyDraft();
  if (phone) initial.phones = [{ number: phone, kind: "" }];
  return (
    <section className="narrow">
      <div className="page-head">
        <h1>New client</h1>
      </div>
      <div className="card">
        <ClientForm initial={initial} submitLabel="Create client" draftKey={phone ? undefined : DRAFT_KEY} idPrefix="new-client"
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
