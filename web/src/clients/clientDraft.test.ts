import { describe, expect, it } from "vitest";
import { emptyDraft, mapErrorsToRows, toInput } from "./clientDraft";

describe("toInput", () => {
  it("drops empty rows and remembers where the others came from", () => {
    const draft = {
      ...emptyDraft(),
      name: "  Acme  ",
      phones: [{ number: "", kind: "" }, { number: "020 7946 0958", kind: "work" }],
      emails: [{ address: "a@example.com" }],
      responsible_id: "7",
      classifier: ["3", "abc"],
      attributes: { vip: true, employees: "12", note: "", since: "2024-01-02" },
    };
    const { body, rows } = toInput(draft, [
      { id: 1, key: "vip", label: "VIP", kind: "boolean" },
      { id: 2, key: "employees", label: "Employees", kind: "number" },
    ]);
    expect(body.name).toBe("Acme");
    expect(body.phones).toEqual([{ number: "020 7946 0958", kind: "work" }]);
    expect(rows.phones).toEqual([1]);
    expect(body.responsible_id).toBe(7);
    expect(body.classifier).toEqual([3, "abc"]);
    expect(body.attributes).toEqual({ vip: true, employees: 12, since: "2024-01-02" });
    expect(body.tax_id).toBeNull();
  });
});

describe("mapErrorsToRows", () => {
  it("points sent indices back at the rows on screen", () => {
    const errors = new Map([
      ["phones[0].number", ["not a phone number"]],
      ["name", ["required"]],
    ]);
    const mapped = mapErrorsToRows(errors, { phones: [2], emails: [], addresses: [] });
    expect(mapped.get("phones[2].number")).toEqual(["not a phone number"]);
    expect(mapped.get("name")).toEqual(["required"]);
  });
});
