// Pure helpers of the softphone: what may be dialled, how a call's duration
// reads, and how a SIP failure reads to an agent.

/** Digits, `*`, `#` and a leading `+`; spaces, dashes, dots and brackets are dropped. */
export function normaliseDialled(input: string): string | null {
  const compact = input.replace(/[\s\-().]/g, "");
  if (!/^\+?[0-9*#]{1,32}$/.test(compact)) return null;
  return compact;
}

/** 0:07, 12:45, 1:02:03. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Why a call did not go through, as JsSIP's causes and SIP codes say it. */
export function describeFailure(cause: string | undefined, code: number | undefined): string {
  switch (code) {
    case 486:
    case 600:
      return "Busy";
    case 404:
    case 604:
      return "Number not found";
    case 480:
      return "Not reachable";
    case 487:
      return "Cancelled";
    case 488:
      return "The call's audio could not be agreed";
    case 403:
      return "Not allowed";
    default:
      break;
  }
  return cause ? cause : code ? `Failed (${code})` : "Failed";
}

/** The keys of a phone's dial pad, in rows. */
export const DIAL_PAD = [
  ["1", "2", "3"],
  ["4", "5", "6"],
  ["7", "8", "9"],
  ["*", "0", "#"],
] as const;
