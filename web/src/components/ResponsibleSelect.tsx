import type { Id } from "../api/types";
import { useMe } from "../auth/AuthContext";
import { useReferenceData } from "../lib/ReferenceData";

interface Props {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Text of the empty choice; omit to force a choice. */
  emptyLabel?: string;
  /** Someone already responsible who may not be in the list (not visible to this role). */
  current?: { id: Id | null; name: string | null };
  invalid?: boolean;
}

/**
 * Users to pick a responsible from. Roles that may not list users (403 on
 * /users) get only themselves, plus the current holder if there is one.
 */
export function ResponsibleSelect({ id, value, onChange, emptyLabel, current, invalid }: Props) {
  const me = useMe();
  const { users } = useReferenceData();
  const options = new Map<string, string>();
  if (users && users.length) {
    for (const u of users) if (u.active !== false) options.set(String(u.id), u.display_name || u.username);
  }
  if (!options.has(String(me.id))) options.set(String(me.id), me.display_name || me.username);
  if (current?.id !== null && current?.id !== undefined && !options.has(String(current.id))) {
    options.set(String(current.id), current.name || `User ${current.id}`);
  }
  if (value && !options.has(value)) options.set(value, `User ${value}`);
  const entries = [...options].sort((a, b) => a[1].localeCompare(b[1]));

  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined}>
      {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
      {entries.map(([uid, name]) => (
        <option key={uid} value={uid}>
          {uid === String(me.id) ? `${name} (me)` : name}
        </option>
      ))}
    </select>
  );
}
