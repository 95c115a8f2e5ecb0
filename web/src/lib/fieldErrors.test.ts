import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { errorFor, fieldErrorsOf, normaliseField, problemText, unclaimed } from "./fieldErrors";

describe("normaliseField", () => {
  it("keeps bracket paths", () => expect(normaliseField("phones[0].number")).toBe("phones[0].number"));
  it("turns dotted indices into brackets", () => expect(normaliseField("phones.0.number")).toBe("phones[0].number"));
  it("turns JSON pointers into paths", () => expect(normaliseField("/emails/2/address")).toBe("emails[2].address"));
  it("keeps plain names", () => expect(normaliseField("name")).toBe("name"));
});

describe("fieldErrorsOf", () => {
  const error = new ApiError(422, {
    status: 422,
    errors: [
      { field: "phones[0].number", message: "not a phone number" },
      { field: "name", message: "required" },
      { field: "name", message: "too short" },
      { field: "attributes.vip", message: "unknown attribute" },
    ],
  });
  const errors = fieldErrorsOf(error);

  it("groups messages by field", () => {
    expect(errorFor(errors, "name")).toBe("required; too short");
    expect(errorFor(errors, "phones[0].number")).toBe("not a phone number");
  });
  it("lists what no field claims", () => {
    expect(unclaimed(errors, ["name", "phones[0].number"])).toEqual([
      { field: "attributes.vip", message: "unknown attribute" },
    ]);
  });
  it("is empty for other errors", () => expect(fieldErrorsOf(new Error("x")).size).toBe(0));
});

describe("problemText", () => {
  it("names each field the server names", () => {
    const error = new ApiError(422, {
      status: 422,
      detail: "Some fields are invalid",
      errors: [
        { field: "settings.trunk", message: "give the trunk calls go out on" },
        { field: "settings.agents.0", message: "not an agent" },
      ],
    });
    expect(problemText(error)).toBe("settings.trunk: give the trunk calls go out on; settings.agents[0]: not an agent");
  });
  it("falls back to the detail, then to any error's message", () => {
    expect(problemText(new ApiError(409, { status: 409, detail: "The campaign is paused" }))).toBe("The campaign is paused");
    expect(problemText(new Error("offline"))).toBe("offline");
    expect(problemText("odd")).toBe("odd");
  });
});
