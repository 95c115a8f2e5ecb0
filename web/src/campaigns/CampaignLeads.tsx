// The leads a campaign calls (clients picked by the client list's filters,
// or a CSV file), its figures, and the numbers it must not call.
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { Campaign, CampaignLead, DncEntry, LeadsAdded, Segment } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { CampaignFigures } from "./CampaignFigures";

export function CampaignLeads({ campaign, canChange }: { campaign: Campaign; canChange: boolean }) {
  const [leads, setLeads] = useState<CampaignLead[]>([]);
  const [more, setMore] = useState<string | null>(null);
  const [dnc, setDnc] = useState<DncEntry[]>([]);
  // Bumped whenever the leads change, so the figures are read again.
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState("");
  const [q, setQ] = useState("");
  const [priority, setPriority] = useState("0");
  const [number, setNumber] = useState("");
  const [added, setAdded] = useState<LeadsAdded | null>(null);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [segment, setSegment] = useState("");
  const [error, setError] = useState<unknown>();

  const load = useCallback(() => {
    api.campaignLeads(campaign.id).then((page) => {
      setLeads(page.items);
      setMore(page.next_cursor);
    }, setError);
    api.campaignDnc(campaign.id).then((list) => setDnc(list.items), setError);
  }, [campaign.id]);
  useEffect(load, [load]);
  useEffect(() => {
    if (canChange) api.segments().then((list) => setSegments(list.items), setError);
  }, [canChange]);

  async function act(action: () => Promise<LeadsAdded | unknown>) {
    setError(undefined);
    try {
      const result = await action();
      if (result && typeof result === "object" && "added" in result) setAdded(result as LeadsAdded);
      load();
      setVersion((v) => v + 1);
    } catch (err) {
      setError(err);
    }
  }

  async function upload(file: File) {
    const text = await file.text();
    await act(() => api.addLeadsCsv(campaign.id, text));
  }

  return (
    <div className="card" data-testid="campaign-leads">
      <h3>Leads of {campaign.name}</h3>
      <ErrorBanner error={error} />
      <CampaignFigures campaign={campaign} version={version} />
      {canChange && (
        <div className="agent-actions">
          <label>
            Clients with status <input aria-label="Client status" value={status} onChange={(e) => setStatus(e.target.value)} />
          </label>
          <label>
            matching <input aria-label="Client search" value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
          <label>
            priority <input aria-label="Priority" value={priority} onChange={(e) => setPriority(e.target.value)} size={3} />
          </label>
          <button type="button" onClick={() => void act(() => api.addSegment(campaign.id, { status, q, priority }))}>
            Add clients
          </button>
          <label>
            or a saved segment{" "}
            <select aria-label="Saved segment" value={segment} onChange={(e) => setSegment(e.target.value)}>
              <option value="">—</option>
              {segments.map((s) => (
                <option key={s.id} value={String(s.id)}>
                  {s.name} ({s.size.callable} with a phone)
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={!segment} onClick={() => void act(() => api.addSavedSegment(campaign.id, segment, priority))}>
            Add segment
          </button>
          <label>
            or a CSV file (number, priority){" "}
            <input type="file" accept=".csv,text/csv" aria-label="Leads file" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          </label>
        </div>
      )}
      {added && (
        <p data-testid="leads-added">
          {added.added} added
          {added.rejected.length > 0 && `; left out: ${added.rejected.map((r) => `line ${r.line} (${r.reason})`).join(", ")}`}
        </p>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Number</th>
            <th>Client</th>
            <th>Priority</th>
            <th>State</th>
            <th>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {leads.map((l) => (
            <tr key={l.id} data-lead={l.number}>
              <td>{l.number}</td>
              <td>{l.client_name ?? "—"}</td>
              <td>{l.priority}</td>
              <td>{l.closed_as ? `closed: ${l.closed_as}` : l.state}</td>
              <td>{l.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more && (
        <button
          type="button"
          onClick={() =>
            api.campaignLeads(campaign.id, more).then((page) => {
              setLeads((shown) => [...shown, ...page.items]);
              setMore(page.next_cursor);
            }, setError)
          }
        >
          More leads
        </button>
      )}
      <h3>Do not call (this campaign)</h3>
      {canChange && (
        <form
          className="agent-actions"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.addCampaignDnc(campaign.id, number, "")).then(() => setNumber(""));
          }}
        >
          <input aria-label="Number not to call" value={number} onChange={(e) => setNumber(e.target.value)} />
          <button type="submit">Add</button>
        </form>
      )}
      <ul data-testid="campaign-dnc">
        {dnc.map((d) => (
          <li key={d.id}>
            {d.number}
            {canChange && (
              <>
                {" "}
                <button type="button" onClick={() => void act(() => api.deleteDnc(d.id))}>Remove</button>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
