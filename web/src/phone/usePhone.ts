// The web softphone's engine: JsSIP over SIP-over-WebSocket to this server's
// /sip, and WebRTC audio. The WebSocket carries the login cookie, so the
// server knows the agent and their extension: no SIP password is asked for
// or kept in the browser.
import JsSIP from "jssip";
import type { RTCSession } from "jssip/lib/RTCSession";
import type { RTCSessionEvent, UA } from "jssip/lib/UA";
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/endpoints";
import type { Phone } from "../api/types";
import { ANSWER_EVENT, AUTO_ANSWER_EVENT, AUTO_ANSWER_WINDOW_MS, DIAL_EVENT } from "./answerEvent";
import { useEvent } from "../lib/events";
import { describeFailure, normaliseDialled } from "./dialing";

export type Registration = "connecting" | "registered" | "offline" | "failed";

export interface CallView {
  direction: "incoming" | "outgoing";
  /** The other party: the number and, when the server says, a name. */
  peer: string;
  state: "ringing" | "calling" | "talking" | "ended";
  answeredAt?: number;
  held: boolean;
  muted: boolean;
  /** Why it ended, when it did not end normally. */
  failure?: string;
}

export interface AudioDevices {
  inputs: MediaDeviceInfo[];
  outputs: MediaDeviceInfo[];
}

/** What the page's diagnostics (and the browser tests) may read and do. */
export interface PhoneDiagnostics {
  stats(): Promise<{ packetsSent: number; packetsReceived: number; packetsLost: number; audioLevel: number }>;
  /** Restarts ICE on the call in progress, as a network change does; false without one. */
  restartIce(): boolean;
}

/** Finds the media path again without dropping the call (RFC 8445 §2.4). */
function restartIce(s: RTCSession): boolean {
  if (!s.isEstablished()) return false;
  return s.renegotiate({ rtcOfferConstraints: { iceRestart: true } });
}

/**
 * A network change (Wi-Fi to cable, a VPN coming up) breaks the call's path:
 * ICE says disconnected, then failed. The call restarts ICE rather than dying,
 * at once on failure, or after 3 s of disconnection.
 */
function recoverIce(s: RTCSession, pc: RTCPeerConnection) {
  let timer: number | undefined;
  const broken = () => pc.iceConnectionState === "failed" || pc.iceConnectionState === "disconnected";
  // A re-INVITE already under way (a hold) makes JsSIP refuse a new one:
  // try again a second later while the path is still broken.
  const attempt = () => {
    if (broken() && !restartIce(s) && !s.isEnded()) timer = window.setTimeout(attempt, 1000);
  };
  pc.addEventListener("iceconnectionstatechange", () => {
    window.clearTimeout(timer);
    if (pc.iceConnectionState === "failed") attempt();
    else if (pc.iceConnectionState === "disconnected") timer = window.setTimeout(attempt, 3000);
  });
}

declare global {
  interface Window {
    switchboardPhone?: PhoneDiagnostics;
  }
}

function wsUrl(path: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

function peerOf(session: RTCSession): string {
  const identity = session.remote_identity;
  const number = identity?.uri?.user ?? "unknown";
  return identity?.display_name ? `${identity.display_name} (${number})` : number;
}

export function usePhone() {
  const [phone, setPhone] = useState<Phone | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [registration, setRegistration] = useState<Registration>("connecting");
  const [call, setCall] = useState<CallView | null>(null);
  const [devices, setDevices] = useState<AudioDevices>({ inputs: [], outputs: [] });
  const [input, setInput] = useState<string>("");
  const [output, setOutput] = useState<string>("");
  const ua = useRef<UA | null>(null);
  const session = useRef<RTCSession | null>(null);
  const audio = useRef<HTMLAudioElement | null>(null);
  // Until when (ms) the next incoming call is answered by itself (a
  // campaign call was offered: see AUTO_ANSWER_EVENT); 0 when not armed.
  const autoAnswerUntil = useRef(0);
  // The latest answer(), for the UA's handlers, which outlive renders.
  const answerNow = useRef<() => void>(() => {});

  useEffect(() => {
    let cancelled = false;
    api.phone().then(
      (p) => !cancelled && setPhone(p),
      (err: unknown) => {
        if (cancelled) return;
        const status = (err as { status?: number }).status;
        setUnavailable(status === 404 ? "No phone extension is assigned to you." : "The phone could not be loaded.");
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const refreshDevices = useCallback(async () => {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    setDevices({
      inputs: all.filter((d) => d.kind === "audioinput"),
      outputs: all.filter((d) => d.kind === "audiooutput"),
    });
  }, []);

  useEffect(() => {
    void refreshDevices();
    navigator.mediaDevices?.addEventListener?.("devicechange", refreshDevices);
    return () => navigator.mediaDevices?.removeEventListener?.("devicechange", refreshDevices);
  }, [refreshDevices]);

  const attachAudio = useCallback((pc: RTCPeerConnection) => {
    pc.addEventListener("track", (event) => {
      if (!audio.current) return;
      audio.current.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void audio.current.play().catch(() => {});
    });
  }, []);

  const follow = useCallback(
    (s: RTCSession, direction: CallView["direction"]) => {
      session.current = s;
      setCall({ direction, peer: peerOf(s), state: direction === "incoming" ? "ringing" : "calling", held: false, muted: false });
      const update = (change: Partial<CallView>) => setCall((c) => (c && session.current === s ? { ...c, ...change } : c));
      const attach = (pc: RTCPeerConnection) => {
        attachAudio(pc);
        recoverIce(s, pc);
      };
      if (s.connection) attach(s.connection);
      s.on("peerconnection", ({ peerconnection }) => attach(peerconnection));
      s.on("confirmed", () => update({ state: "talking", answeredAt: Date.now() }));
      s.on("hold", () => update({ held: true }));
      s.on("unhold", () => update({ held: false }));
      s.on("muted", () => update({ muted: true }));
      s.on("unmuted", () => update({ muted: false }));
      const finish = (failure?: string) => {
        update({ state: "ended", failure });
        // The ended call stays on screen a moment so the agent sees how it ended.
        window.setTimeout(() => {
          if (session.current === s) {
            session.current = null;
            setCall(null);
          }
        }, 2500);
      };
      s.on("ended", () => finish());
      s.on("failed", (e) => {
        const code = (e as { message?: { status_code?: number } }).message?.status_code;
        finish(describeFailure(e.cause, code));
      });
    },
    [attachAudio],
  );

  useEffect(() => {
    if (!phone) return;
    const socket = new JsSIP.WebSocketInterface(wsUrl(phone.websocket_path));
    const agent = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${phone.extension}@${window.location.hostname}`,
      display_name: phone.display_name ?? undefined,
      register: true,
      register_expires: 300,
      session_timers: false,
      // After a network drop JsSIP reconnects on its own and registers again.
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
      user_agent: "Switchboard softphone",
    });
    agent.on("connecting", () => setRegistration("connecting"));
    agent.on("disconnected", () => setRegistration("offline"));
    agent.on("registered", () => setRegistration("registered"));
    agent.on("unregistered", () => setRegistration("offline"));
    agent.on("registrationFailed", () => setRegistration("failed"));
    agent.on("newRTCSession", ({ session: s, originator }: RTCSessionEvent) => {
      if (originator === "remote" && session.current && !session.current.isEnded()) {
        // One call at a time: a second caller hears busy. (A call that has
        // ended but is still on screen is no longer in the way.)
        s.terminate({ status_code: 486, reason_phrase: "Busy Here" });
        return;
      }
      follow(s, originator === "remote" ? "incoming" : "outgoing");
      if (originator === "remote" && Date.now() < autoAnswerUntil.current) {
        autoAnswerUntil.current = 0;
        // After JsSIP has sent its 180 for this INVITE.
        window.setTimeout(() => answerNow.current(), 0);
      }
    });
    agent.start();
    ua.current = agent;
    window.switchboardPhone = {
      async stats() {
        const pc = session.current?.connection;
        const result = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, audioLevel: 0 };
        if (!pc) return result;
        (await pc.getStats()).forEach((report: Record<string, number & string>) => {
          if (report.type === "outbound-rtp" && report.kind === "audio") result.packetsSent += report.packetsSent ?? 0;
          if (report.type === "inbound-rtp" && report.kind === "audio") {
            result.packetsReceived += report.packetsReceived ?? 0;
            result.packetsLost += report.packetsLost ?? 0;
            result.audioLevel = Math.max(result.audioLevel, report.audioLevel ?? 0);
          }
        });
        return result;
      },
      restartIce: () => (session.current ? restartIce(session.current) : false),
    };
    const online = () => {
      if (!agent.isConnected()) agent.start();
    };
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      delete window.switchboardPhone;
      agent.stop();
      ua.current = null;
    };
  }, [phone, follow]);

  const mediaConstraints = useCallback(
    (): MediaStreamConstraints => ({ audio: input ? { deviceId: { exact: input } } : true, video: false }),
    [input],
  );

  const dial = useCallback(
    (target: string): string | null => {
      const number = normaliseDialled(target);
      if (!number) return "Enter digits to dial.";
      if (!ua.current || registration !== "registered") return "The phone is not connected.";
      if (session.current) return "Finish the current call first.";
      ua.current.call(`sip:${number}@${window.location.hostname}`, {
        mediaConstraints: mediaConstraints(),
        pcConfig: { iceServers: [] },
      });
      return null;
    },
    [registration, mediaConstraints],
  );

  const answer = useCallback(() => {
    const s = session.current;
    if (s && s.direction === "incoming" && !s.isEstablished() && !s.isEnded()) {
      s.answer({ mediaConstraints: mediaConstraints(), pcConfig: { iceServers: [] } });
    }
  }, [mediaConstraints]);

  // The screen pop's Answer button answers here.
  useEffect(() => {
    answerNow.current = answer;
    window.addEventListener(ANSWER_EVENT, answer);
    return () => window.removeEventListener(ANSWER_EVENT, answer);
  }, [answer]);

  // A campaign call is coming: answer it now if it already rings, else
  // the next incoming call of the next few seconds as it arrives.
  useEffect(() => {
    const onAutoAnswer = () => {
      const s = session.current;
      if (s && s.direction === "incoming" && !s.isEstablished() && !s.isEnded()) {
        autoAnswerUntil.current = 0;
        answer();
      } else if (!s || s.isEnded()) {
        autoAnswerUntil.current = Date.now() + AUTO_ANSWER_WINDOW_MS;
      }
    };
    window.addEventListener(AUTO_ANSWER_EVENT, onAutoAnswer);
    return () => window.removeEventListener(AUTO_ANSWER_EVENT, onAutoAnswer);
  }, [answer]);

  // Other screens dial through this phone (a supervisor's Listen button).
  useEffect(() => {
    const onDial = (event: Event) => {
      const number = (event as CustomEvent<string>).detail;
      if (typeof number === "string") dial(number);
    };
    window.addEventListener(DIAL_EVENT, onDial);
    return () => window.removeEventListener(DIAL_EVENT, onDial);
  }, [dial]);

  // The server asks this phone to dial (the monitor API: a supervisor not
  // yet on the agent's call joins it with the feature code).
  useEvent<{ type: "dial"; number: string }>("dial", (event) => {
    if (typeof event.number === "string") dial(event.number);
  });

  const hangUp = useCallback(() => {
    const s = session.current;
    if (s && !s.isEnded()) s.terminate();
  }, []);

  const toggleHold = useCallback(() => {
    const s = session.current;
    if (!s) return;
    if (s.isOnHold().local) s.unhold();
    else s.hold();
  }, []);

  const toggleMute = useCallback(() => {
    const s = session.current;
    if (!s) return;
    if (s.isMuted().audio) s.unmute({ audio: true });
    else s.mute({ audio: true });
  }, []);

  const sendDigit = useCallback((digit: string) => {
    // RFC 4733 events in the audio stream, which the server relays and reads.
    session.current?.sendDTMF(digit, { transportType: "RFC2833" as never, duration: 120 });
  }, []);

  const chooseOutput = useCallback(async (deviceId: string) => {
    setOutput(deviceId);
    const element = audio.current as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    await element?.setSinkId?.(deviceId).catch(() => {});
  }, []);

  return {
    phone,
    unavailable,
    registration,
    call,
    devices,
    input,
    output,
    audio,
    setInput,
    chooseOutput,
    dial,
    answer,
    hangUp,
    toggleHold,
    toggleMute,
    sendDigit,
  };
}
