// The agent's phone, docked beside every screen: registration state, dial
// pad, the call in progress with its timer, hold, mute and DTMF, and the
// audio devices. An incoming call rings here (and in the tab's title).
import { useEffect, useState } from "react";
import { AgentQueues } from "./AgentQueues";
import { DIAL_PAD, formatDuration } from "./dialing";
import { usePhone } from "./usePhone";
import { CampaignWork } from "./CampaignWork";

const REGISTRATION_LABEL = {
  connecting: "Connecting…",
  registered: "Ready",
  offline: "Offline: reconnecting",
  failed: "Not registered",
} as const;

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

export function Softphone() {
  const phone = usePhone();
  const [number, setNumber] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const { call } = phone;
  const talking = call?.state === "talking";
  const now = useNow(talking);
  const ringing = call?.direction === "incoming" && call.state === "ringing";

  useEffect(() => {
    if (!ringing) return;
    const title = document.title;
    document.title = `Incoming call: ${call?.peer}`;
    return () => {
      document.title = title;
    };
  }, [ringing, call?.peer]);

  if (phone.unavailable) {
    return (
      <aside className="softphone card" aria-label="Phone">
        <p className="muted">{phone.unavailable}</p>
      </aside>
    );
  }

  function press(key: string) {
    if (talking) phone.sendDigit(key);
    else setNumber((n) => n + key);
  }

  function dial() {
    setNotice(phone.dial(number));
  }

  return (
    <aside className="softphone card" aria-label="Phone">
      <audio ref={phone.audio} autoPlay data-testid="softphone-audio" />
      <header className="softphone-head">
        <strong>Phone {phone.phone?.extension}</strong>
        <span className={`softphone-state ${phone.registration}`} data-testid="softphone-registration">
          {REGISTRATION_LABEL[phone.registration]}
        </span>
      </header>
      <AgentQueues />
      <CampaignWork />

      {call && (
        <section className={`softphone-call ${ringing ? "ringing" : ""}`} data-testid="softphone-call" role="status">
          <div className="softphone-peer">
            {call.direction === "incoming" ? "From " : "To "}
            <span data-testid="softphone-peer">{call.peer}</span>
          </div>
          <div data-testid="softphone-call-state">
            {call.state === "ringing" && "Incoming call"}
            {call.state === "calling" && "Calling…"}
            {call.state === "talking" && (
              <span data-testid="softphone-timer">{formatDuration((now - (call.answeredAt ?? now)) / 1000)}</span>
            )}
            {call.state === "ended" && (call.failure ?? "Call ended")}
            {call.held && " · on hold"}
            {call.muted && " · muted"}
          </div>
          <div className="softphone-actions">
            {ringing && (
              <button type="button" className="primary" onClick={phone.answer}>Answer</button>
            )}
            {call.state !== "ended" && (
              <button type="button" className="hang-up" onClick={phone.hangUp}>
                {ringing ? "Decline" : "Hang up"}
              </button>
            )}
            {talking && (
              <>
                <button type="button" onClick={phone.toggleHold} aria-pressed={call.held}>
                  {call.held ? "Resume" : "Hold"}
                </button>
                <button type="button" onClick={phone.toggleMute} aria-pressed={call.muted}>
                  {call.muted ? "Unmute" : "Mute"}
                </button>
              </>
            )}
          </div>
        </section>
      )}

      {!call && (
        <form
          className="softphone-dial"
          onSubmit={(e) => {
            e.preventDefault();
            dial();
          }}
        >
          <input
            aria-label="Number to dial"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            placeholder="Number or extension"
            inputMode="tel"
          />
          <button type="submit" className="primary" disabled={phone.registration !== "registered"}>
            Call
          </button>
        </form>
      )}
      {notice && <p className="banner error" role="alert">{notice}</p>}

      {(!call || talking) && (
        <div className="dial-pad" aria-label={talking ? "Send tones" : "Dial pad"}>
          {DIAL_PAD.flat().map((key) => (
            <button type="button" key={key} onClick={() => press(key)}>{key}</button>
          ))}
        </div>
      )}

      <details className="softphone-devices">
        <summary>Audio devices</summary>
        <label>
          Microphone
          <select value={phone.input} onChange={(e) => phone.setInput(e.target.value)}>
            <option value="">Default</option>
            {phone.devices.inputs.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>{d.label || "Microphone"}</option>
            ))}
          </select>
        </label>
        <label>
          Speaker
          <select value={phone.output} onChange={(e) => void phone.chooseOutput(e.target.value)}>
            <option value="">Default</option>
            {phone.devices.outputs.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>{d.label || "Speaker"}</option>
            ))}
          </select>
        </label>
      </details>
    </aside>
  );
}
