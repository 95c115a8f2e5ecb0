// The marketers' console: campaigns with their dialling settings and
// whether they run, the leads each will call and the numbers it must not
// call, and how the selected one is doing. Starting a campaign the server
// dials (progressive, predictive) sets its dialler calling the leads and
// putting the answered calls through to the campaign's agents.
import { useCallback, useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { Campaign, Id, RunState } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
import { ErrorBanner } from "../components/ErrorBanner";
import { problemText } from "../lib/fieldErrors";
import { CampaignForm } from "./CampaignForm";
import { CampaignLeads } from "./CampaignLeads";
import { Segments } from "./Segments";

const STATE_LABEL: Record<RunState, string> = {
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
};

/** The run-state changes a campaign in `state` offers. */
const ACTIONS: { label: string; to: RunState; from: RunState[]; call: (id: Id) => Promise<Campaign> }[] = [
  { label: "Start", to: "running", from: ["paused", "stopped"], call: api.startCampaign },
  { label: "Pause", to: "paused", from: ["running"], call: api.pauseCampaign },
  { label: "Stop", to: "stopped", from: ["running", "paused"], call: api.stopCampaign },
];

export function CampaignsPage() {
  const me = useMe();
  const canChange = canWrite(me, "campaigns");
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [editing, setEditing] = useState<Campaign | "new" | null>(null);
  const [openId, setOpenId] = useState<Id | null>(null);
  const [error, setError] = useState<unknown>();
  // A refused start (or pause, stop): which campaign, and the server's words.
  const [refused, setRefused] = useState<{ name: string; action: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api.campaigns().then((list) => {
      setCampaigns(list.items);
      setError(undefined);
    }, setError);
  }, []);
  useEffect(load, [load]);

  async function change(c: Campaign, action: (typeof ACTIONS)[number]) {
    setBusy(true);
    setRefused(null);
    try {
      const changed = await action.call(c.id);
      setCampaigns((list) => list.map((x) => (x.id === changed.id ? changed : x)));
    } catch (err) {
      setRefused({ name: c.name, action: action.label.toLowerCase(), text: problemText(err) });
    } finally {
      setBusy(false);
    }
  }

  const open = campaigns.find((c) => c.id === openId) ?? null;
  return (
    <section className="page" aria-label="Campaigns">
      <div className="section-head">
        <h1>Campaigns</h1>
        {canChange && editing === null && <button type="button" onClick={() => setEditing("new")}>New campaign</button>}
      </div>
      <ErrorBanner error={error} />
      {refused && (
        <p className="banner error" role="alert" data-testid="campaign-state-error">
          <strong>Could not {refused.action} {refused.name}:</strong> {refused.text}
        </p>
      )}
      {editing !== null && (
        <CampaignForm
          // Keys unique among the page's children: the leads panel is keyed
          // by campaign too, and equal keys left a closed form on the page.
          key={editing === "new" ? "new" : `edit-${editing.id}`}
          campaign={editing === "new" ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            load();
          }}
        />
      )}
      <table className="table" data-testid="campaigns">
        <thead>
          <tr>
            <th>Campaign</th>
            <th>Dialling</th>
            <th>Calls</th>
            <th>Abandon limit</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {campaigns.map((c) => (
            <tr key={c.id} data-campaign={c.name} data-state={c.state} className={c.id === openId ? "selected" : undefined}>
              <td>{c.name}</td>
              <td>{c.settings.mode}</td>
              <td>
                {c.settings.calling_from}–{c.settings.calling_until}, {c.settings.max_attempts} attempts
              </td>
              <td>{c.settings.abandon_limit_pct}%</td>
              <td>
                <span className={`campaign-state ${c.state}`} data-testid="campaign-state">{STATE_LABEL[c.state] ?? c.state}</span>
              </td>
              <td className="row-actions">
                <button type="button" onClick={() => setOpenId(c.id)}>Leads</button>{" "}
                {canChange && <button type="button" onClick={() => setEditing(c)}>Edit</button>}
                {canChange &&
                  ACTIONS.filter((a) => a.from.includes(c.state)).map((a) => (
                    <button key={a.to} type="button" disabled={busy} onClick={() => void change(c, a)}>
                      {a.label}
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && <CampaignLeads key={`leads-${open.id}`} campaign={open} canChange={canChange} />}
      <Segments canChange={canChange} />
    </section>
  );
}
