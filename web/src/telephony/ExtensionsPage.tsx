// The extensions (SIP accounts) as admins and supervisors look after them:
// who each belongs to, which phones are registered now, and whether its calls
// are recorded. Admins switch recording per extension here; the server
// records every call to or from a recorded extension from the next call on.
import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "../api/endpoints";
import type { Registration, SipAccount } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { canWrite } from "../auth/rights";
import { ErrorBanner } from "../components/ErrorBanner";
import { useReferenceData } from "../lib/ReferenceData";
import { formatLevels, parseLevels } from "./QueueSettings";

/** An agent's skills, read and (by admins) set in place: "german=80, english=40". */
function SkillsCell({ user, admin }: { user: SipAccount["user_id"]; admin: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (user == null) return;
    api.skills(user).then(
      (s) => {
        setText(formatLevels(s.skills));
        setSaved(formatLevels(s.skills));
      },
      () => setText(null),
    );
  }, [user]);
  if (user == null || text === null) return null;
  if (!admin) return <>{text}</>;
  async function save() {
    try {
      const s = await api.setSkills(user!, parseLevels(text ?? ""));
      setSaved(formatLevels(s.skills));
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <span className="skills">
      <input aria-label="Skills" value={text} placeholder="german=80" onChange={(e) => setText(e.target.value)} />
      {text !== saved && <button type="button" onClick={() => void save()}>Save</button>}
      {error && <span className="field-error">{error}</span>}
    </span>
  );
}

/** "2 × Switchboard softphone, Yealink T46U": the kinds of phone registered. */
function describePhones(phones: Registration["phones"]): string {
  const counts = new Map<string, number>();
  for (const p of phones) {
    const kind = p.user_agent?.trim() || p.transport.toUpperCase();
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => (n > 1 ? `${n} × ${kind}` : kind)).join(", ");
}

export function ExtensionsPage() {
  const me = useMe();
  const [accounts, setAccounts] = useState<SipAccount[]>([]);
  const [registrations, setRegistrations] = useState<Registration[]>([]);
  // The agents' names help; a role that cannot list users sees ids.
  const users = useReferenceData().users ?? [];
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const admin = canWrite(me, "telephony");

  const load = useCallback(async () => {
    try {
      const [list, registered] = await Promise.all([api.sipAccounts(), api.registrations()]);
      setAccounts(list.items);
      setRegistrations(registered.items);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const phonesOf = useMemo(() => {
    const map = new Map<string, Registration["phones"]>();
    for (const r of registrations) map.set(r.extension, r.phones);
    return map;
  }, [registrations]);
  const nameOf = (id: SipAccount["user_id"]) => {
    if (id == null) return "";
    const user = users.find((u) => String(u.id) === String(id));
    return user ? user.display_name : `user ${id}`;
  };

  // The box changes at once; a refusal puts it back and says why.
  async function setRecord(account: SipAccount, record: boolean) {
    const put = (value: SipAccount) => setAccounts((all) => all.map((a) => (a.id === value.id ? value : a)));
    put({ ...account, record });
    setSaving(String(account.id));
    try {
      put(await api.updateSipAccount(account.id, { record }));
      setError(undefined);
    } catch (err) {
      put(account);
      setError(err);
    } finally {
      setSaving(null);
    }
  }

  return (
    <section>
      <div className="page-head">
        <h1>Extensions</h1>
        <button type="button" onClick={() => void load()}>Refresh</button>
      </div>
      <ErrorBanner error={error} />
      <div className="card">
        <table className="table" data-testid="extensions">
          <thead>
            <tr>
              <th>Extension</th>
              <th>Name</th>
              <th>Agent</th>
              <th>Phones now</th>
              <th>Enabled</th>
              <th>Record calls</th>
              <th>Skills</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => {
              const phones = phonesOf.get(account.extension) ?? [];
              return (
                <tr key={String(account.id)} data-extension={account.extension}>
                  <td>{account.extension}</td>
                  <td>{account.display_name ?? ""}</td>
                  <td>{nameOf(account.user_id)}</td>
                  <td title={phones.map((p) => `${p.transport} ${p.user_agent ?? ""} ${p.source}`).join("\n")}>
                    {phones.length === 0 ? <span className="muted">offline</span> : describePhones(phones)}
                  </td>
                  <td>{account.enabled ? "yes" : "no"}</td>
                  <td>
                    <input
                      type="checkbox"
                      checked={account.record}
                      disabled={!admin || saving === String(account.id)}
                      onChange={(e) => void setRecord(account, e.target.checked)}
                      aria-label={`Record the calls of ${account.extension}`}
                    />
                  </td>
                  <td><SkillsCell user={account.user_id} admin={admin} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
