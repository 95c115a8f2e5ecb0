import type { Me } from "../api/types";

/** Whether the role may see a section; without a rights map, the server decides. */
export function canRead(me: Me, section: string): boolean {
  return me.rights?.[section]?.read ?? true;
}

/** Whether the role may change records in a section; without a rights map, the server decides. */
export function canWrite(me: Me, section: string): boolean {
  return me.rights?.[section]?.write ?? true;
}
