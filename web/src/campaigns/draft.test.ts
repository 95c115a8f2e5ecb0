import { describe, expect, it } from "vitest";
import type { Campaign, CampaignSettings } from "../api/types";
import { draftOf, resultsOf, settingsOf, type Draft } from "./draft";

const SETTINGS: CampaignSettings = {
  mode: "progressive",
  trunk: "carrier",
  caller_id: "+4940111111",
  time_zone: "Europe/Berlin",
  calling_from: "09:00",
  calling_until: "20:00",
  max_attempts: 4,
  retry_minutes: { busy: 10, no_answer: 120, failed: 30, voicemail: 240, abandoned: 1440 },
  abandon_limit_pct: 3,
  max_lines_per_agent: 2,
  ring_seconds: 30,
  wrap_up_seconds: 20,
  detect_machines: true,
  cost_per_minute: "0.60",
  budget: "50.00",
  result_values: { sale: "120.00" },
  results: ["sale", "no interest"],
  agents: [7],
  script: [],
  survey: [],
};

const CAMPAIGN: Campaign = { id: 1, name: "Spring", settings: SETTINGS, state: "stopped", created_at: "", updated_at: "" };

/** A draft of the campaign with some inputs changed. */
function edited(changes: Partial<Draft>): Draft {
  return { ...draftOf(CAMPAIGN), ...changes };
}

describe("draftOf", () => {
  it("starts a new campaign at the server's defaults, with no budget", () => {
    const d = draftOf(null);
    expect([d.ring_seconds, d.wrap_up_seconds, d.detect_machines, d.cost_per_minute, d.budget]).toEqual(["25", "15", false, "0", ""]);
    expect(d.result_values).toEqual({});
  });
  it("keeps amounts as the server's text, and no budget as empty", () => {
    const d = draftOf(CAMPAIGN);
    expect([d.cost_per_minute, d.budget, d.result_values]).toEqual(["0.60", "50.00", { sale: "120.00" }]);
    expect(draftOf({ ...CAMPAIGN, settings: { ...SETTINGS, budget: null } }).budget).toBe("");
  });
  it("does not share the campaign's values: typing into the draft leaves the campaign as it was", () => {
    draftOf(CAMPAIGN).result_values.sale = "1";
    expect(SETTINGS.result_values.sale).toBe("120.00");
  });
});

describe("settingsOf", () => {
  it("gives back what the draft was made from", () => {
    const s = settingsOf(draftOf(CAMPAIGN));
    expect(s).toMatchObject({
      ring_seconds: 30,
      wrap_up_seconds: 20,
      detect_machines: true,
      cost_per_minute: "0.60",
      budget: "50.00",
      result_values: { sale: "120.00" },
      results: ["sale", "no interest"],
    });
  });
  it("sends an empty budget as null, so the limit is taken away", () => {
    const s = settingsOf(edited({ budget: "  " }));
    expect("budget" in s).toBe(true);
    expect(s.budget).toBeNull();
  });
  it("sends amounts as the text typed (trimmed), never as floats", () => {
    const s = settingsOf(edited({ cost_per_minute: " 0.1 ", budget: "50", result_values: { sale: "19.99" } }));
    expect([s.cost_per_minute, s.budget, s.result_values]).toEqual(["0.1", "50", { sale: "19.99" }]);
  });
  it("sends an empty rate as no cost", () => {
    expect(settingsOf(edited({ cost_per_minute: "" })).cost_per_minute).toBe("0");
  });
  it("sends values only for the results listed, and none left empty", () => {
    const s = settingsOf(edited({ results: "sale, callback", result_values: { sale: "", callback: "5", gone: "9" } }));
    expect(s.results).toEqual(["sale", "callback"]);
    expect(s.result_values).toEqual({ callback: "5" });
  });
  it("leaves results and their values alone when no result is listed", () => {
    const s = settingsOf(edited({ results: " , " }));
    expect("results" in s || "result_values" in s).toBe(false);
  });
  it("sends the script and the survey the editors hold", () => {
    const script = [{ id: "hello", text: "Hello!", choices: [{ label: "Bye", next: null }] }];
    const survey = [{ key: "plan", text: "Which plan?", kind: "choice" as const, options: ["a", "b"], required: true }];
    const s = settingsOf(draftOf({ ...CAMPAIGN, settings: { ...SETTINGS, script, survey } }));
    expect([s.script, s.survey]).toEqual([script, survey]);
    expect([settingsOf(edited({})).script, settingsOf(edited({})).survey]).toEqual([[], []]);
  });
  it("sends numbers as numbers and text that is not one as typed, for the server to name", () => {
    const s = settingsOf(edited({ ring_seconds: " 40 ", wrap_up_seconds: "soon", max_attempts: "" }));
    expect([s.ring_seconds, s.wrap_up_seconds, s.max_attempts]).toEqual([40, "soon", ""]);
  });
});

describe("resultsOf", () => {
  it("lists the comma-separated results in order, without blanks", () => {
    expect(resultsOf(edited({ results: " sale,, no interest ," }))).toEqual(["sale", "no interest"]);
  });
});
