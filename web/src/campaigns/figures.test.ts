import { describe, expect, it } from "vitest";
import { abandonRate, barsOf, budgetLeft, formatOccupancy, formatRate, hourColumns } from "./figures";

describe("formatRate", () => {
  it("shows a fraction as a percentage with one decimal at most", () => {
    expect(formatRate(0)).toBe("0%");
    expect(formatRate(0.03)).toBe("3%");
    expect(formatRate(0.025)).toBe("2.5%");
    expect(formatRate(1 / 3)).toBe("33.3%");
    expect(formatRate(1)).toBe("100%");
  });
  it("shows nothing sensible as 0%", () => {
    expect(formatRate(Number.NaN)).toBe("0%");
    expect(formatRate(-0.1)).toBe("0%");
  });
});

describe("abandonRate", () => {
  it("is under the limit below it", () => {
    expect(abandonRate(0.02, 3)).toEqual({ text: "2% (limit 3%)", over: false });
  });
  it("is marked at the limit and over it", () => {
    expect(abandonRate(0.03, 3).over).toBe(true);
    expect(abandonRate(0.5, 3)).toEqual({ text: "50% (limit 3%)", over: true });
  });
  it("counts a rate that only floating point puts under the limit as at it", () => {
    expect(abandonRate(3 / 100 - 1e-12, 3).over).toBe(true);
  });
  it("never marks no abandoned calls, even with a 0% limit", () => {
    expect(abandonRate(0, 0).over).toBe(false);
    expect(abandonRate(0, 3).over).toBe(false);
    expect(abandonRate(0.01, 0).over).toBe(true);
  });
});

describe("barsOf", () => {
  it("puts the largest first, sized against it, with each one's share", () => {
    expect(barsOf({ no_answer: 1, answered: 3, busy: 0 })).toEqual([
      { key: "answered", label: "answered", count: 3, width: 100, share: "75%" },
      { key: "no_answer", label: "no answer", count: 1, width: 33, share: "25%" },
    ]);
  });
  it("orders ties by name and gives nothing for no counts", () => {
    expect(barsOf({ b: 2, a: 2 }).map((b) => b.key)).toEqual(["a", "b"]);
    expect(barsOf({})).toEqual([]);
  });
});

describe("budgetLeft", () => {
  it("says there is no limit without a budget", () => {
    expect(budgetLeft(null)).toEqual({ text: "no limit", spent: false });
  });
  it("shows what is left as the server's text", () => {
    expect(budgetLeft("49.97")).toEqual({ text: "49.97", spent: false });
    expect(budgetLeft("0.01").spent).toBe(false);
  });
  it("marks a budget with nothing left as spent", () => {
    expect(budgetLeft("0.00")).toEqual({ text: "0.00", spent: true });
    expect(budgetLeft("0").spent).toBe(true);
  });
});

describe("formatOccupancy", () => {
  it("shows the share of working agents busy as a percentage", () => {
    expect(formatOccupancy(2 / 3)).toBe("66.7%");
    expect(formatOccupancy(1)).toBe("100%");
    expect(formatOccupancy(0)).toBe("0%");
  });
  it("shows a dash when none of the agents is working", () => {
    expect(formatOccupancy(null)).toBe("—");
  });
});

describe("hourColumns", () => {
  const utc = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  it("gives every hour from the first to the last, quiet ones at 0, against the busiest", () => {
    const columns = hourColumns(
      [
        { start: "2026-11-24T11:00:00Z", dialled: 10, answered: 4, abandoned: 1 },
        { start: "2026-11-24T09:00:00Z", dialled: 5, answered: 2, abandoned: 0 },
      ],
      utc,
    );
    expect(columns.map((c) => [c.label, c.dialled, c.dialledHeight, c.answeredHeight, c.abandonedHeight])).toEqual([
      ["09:00", 5, 50, 20, 0],
      ["10:00", 0, 0, 0, 0],
      ["11:00", 10, 100, 40, 10],
    ]);
  });
  it("draws nothing for a day without calls", () => {
    expect(hourColumns([])).toEqual([]);
  });
});
