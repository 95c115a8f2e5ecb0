// A campaign's settings as the form edits them (text per input) and back as
// the settings the server takes. Apart from the form so the conversions are
// tested on their own. The server checks every value and names the wrong
// ones, so nothing here rejects: text that is not a number or an amount goes
// as typed and comes back as an error beside its field.
import type { Campaign, CampaignSettingsInput, DialMode, Id } from "../api/types";
import { scriptDraftOf, scriptOf, type StepDraft } from "./scriptModel";
import { surveyDraftOf, surveyOf, type QuestionDraft } from "./surveyModel";

export interface Draft {
  name: string;
  mode: DialMode;
  trunk: string;
  caller_id: string;
  time_zone: string;
  calling_from: string;
  calling_until: string;
  max_attempts: string;
  abandon_limit_pct: string;
  max_lines_per_agent: string;
  ring_seconds: string;
  wrap_up_seconds: string;
  detect_machines: boolean;
  /** Amounts stay text end to end: the server keeps them as exact decimals. */
  cost_per_minute: string;
  /** Empty: no limit. */
  budget: string;
  /** Comma-separated. */
  results: string;
  /** The value typed beside each result, kept for every result ever typed so
   * renaming one back finds its value; only the listed ones are sent. */
  result_values: Record<string, string>;
  agents: Id[];
  /** The script and the survey as their editors hold them. */
  script: StepDraft[];
  survey: QuestionDraft[];
}

/** The form's starting point: the campaign's settings, or the server's defaults for a new one. */
export function draftOf(c: Campaign | null): Draft {
  const s = c?.settings;
  return {
    name: c?.name ?? "",
    mode: s?.mode ?? "progressive",
    trunk: s?.trunk ?? "",
    caller_id: s?.caller_id ?? "",
    time_zone: s?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
    calling_from: s?.calling_from ?? "08:00",
    calling_until: s?.calling_until ?? "21:00",
    max_attempts: String(s?.max_attempts ?? 5),
    abandon_limit_pct: String(s?.abandon_limit_pct ?? 3),
    max_lines_per_agent: String(s?.max_lines_per_agent ?? 3),
    ring_seconds: String(s?.ring_seconds ?? 25),
    wrap_up_seconds: String(s?.wrap_up_seconds ?? 15),
    detect_machines: s?.detect_machines ?? false,
    cost_per_minute: s?.cost_per_minute ?? "0",
    budget: s?.budget ?? "",
    results: (s?.results ?? []).join(", "),
    result_values: { ...s?.result_values },
    agents: s?.agents ?? [],
    script: scriptDraftOf(s?.script ?? []),
    survey: surveyDraftOf(s?.survey ?? []),
  };
}

/** The results the draft lists, in order: the ones a value can be given for. */
export function resultsOf(d: Draft): string[] {
  return d.results.split(",").map((r) => r.trim()).filter(Boolean);
}

/** The settings to send for a draft. */
export function settingsOf(d: Draft): CampaignSettingsInput {
  const settings: CampaignSettingsInput = {
    mode: d.mode,
    time_zone: d.time_zone.trim(),
    calling_from: d.calling_from.trim(),
    calling_until: d.calling_until.trim(),
    max_attempts: numberOf(d.max_attempts),
    abandon_limit_pct: numberOf(d.abandon_limit_pct),
    max_lines_per_agent: numberOf(d.max_lines_per_agent),
    ring_seconds: numberOf(d.ring_seconds),
    wrap_up_seconds: numberOf(d.wrap_up_seconds),
    detect_machines: d.detect_machines,
    // An empty rate is no cost, as for a new campaign.
    cost_per_minute: d.cost_per_minute.trim() || "0",
    // null (not a missing key) takes an earlier budget away.
    budget: d.budget.trim() || null,
    agents: d.agents,
  };
  if (d.trunk.trim()) settings.trunk = d.trunk.trim();
  if (d.caller_id.trim()) settings.caller_id = d.caller_id.trim();
  const results = resultsOf(d);
  if (results.length) {
    settings.results = results;
    // The whole map, so a value emptied (or a result dropped) goes away;
    // the server refuses values for results the campaign does not have.
    settings.result_values = valuesOf(d.result_values, results);
  }
  settings.script = scriptOf(d.script);
  settings.survey = surveyOf(d.survey);
  return settings;
}

/** Each named result's value that is filled in, as typed (trimmed). */
function valuesOf(values: Record<string, string>, results: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const result of results) {
    const value = values[result]?.trim();
    if (value) out[result] = value;
  }
  return out;
}

/** "25" -> 25; anything else goes as the text, for the server to name. */
function numberOf(text: string): number | string {
  const t = text.trim();
  return t !== "" && Number.isFinite(Number(t)) ? Number(t) : t;
}
