// "Save as segment" on the client list: the filters shown now, kept under a
// name for campaigns to take leads from.
import { useState, type FormEvent } from "react";
import { api } from "../api/endpoints";
import { ErrorBanner } from "../components/ErrorBanner";
import { Field } from "../components/Field";
import { useSubmit } from "../components/useSubmit";
import { filterOfQuery } from "../lib/segments";

export function SaveSegment({ params }: { params: URLSearchParams }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run, errorOf } = useSubmit();

  async function save(event: FormEvent) {
    event.preventDefault();
    const filter = filterOfQuery(params);
    const ok = await run(async () => {
      await api.createSegment(name, filter);
    });
    if (ok) {
      setSaved(name.trim());
      setOpen(false);
      setName("");
    }
  }

  if (!open) {
    return (
      <div className="segment-save">
        <button type="button" onClick={() => { setOpen(true); setSaved(null); }}>Save as segment</button>
        {saved && <span className="muted" data-testid="segment-saved"> Saved segment {saved}.</span>}
      </div>
    );
  }
  return (
    <form className="card segment-save" aria-label="Save as segment" onSubmit={(e) => void save(e)}>
      <ErrorBanner error={error} claimed={["name"]} />
      <Field id="segment-name" label="Segment name" field="name" error={errorOf("name")} hint="these filters, for campaigns">
        <input id="segment-name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <div className="agent-actions">
        <button type="submit" className="primary" disabled={busy}>Save segment</button>
        <button type="button" onClick={() => setOpen(false)}>Cancel</button>
      </div>
    </form>
  );
}
