// The events socket (/api/v1/events): one per tab, opened after login and
// reopened after a drop. The server pushes JSON messages with a `type`
// (`call.offered`, `agent.state`, `acd.status`); components subscribe to
// the types they show with useEvent.
import { createContext, useContext, useEffect, useRef, type ReactNode } from "react";

type Listener = (event: { type: string }) => void;

interface Events {
  subscribe(type: string, listener: Listener): () => void;
  /** The latest message of a type, for a component that mounts later. */
  latest(type: string): { type: string } | undefined;
}

const EventsContext = createContext<Events | null>(null);

function eventsUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}/api/v1/events`;
}

/** Types that say how things are (not that something happened): the
 * latest is kept for components that mount later. */
const SNAPSHOTS = new Set(["agent.state", "acd.status"]);

/** How long after a drop the socket is opened again. */
const RETRY_MS = 2000;

export function EventsProvider({ children }: { children: ReactNode }) {
  const listeners = useRef(new Map<string, Set<Listener>>());
  const latest = useRef(new Map<string, { type: string }>());
  const events = useRef<Events>({
    subscribe(type, listener) {
      const set = listeners.current.get(type) ?? new Set<Listener>();
      set.add(listener);
      listeners.current.set(type, set);
      return () => set.delete(listener);
    },
    latest: (type) => latest.current.get(type),
  });

  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: number | undefined;
    let closed = false;
    const open = () => {
      socket = new WebSocket(eventsUrl());
      socket.onmessage = (message) => {
        let event: { type?: unknown };
        try {
          event = JSON.parse(String(message.data)) as { type?: unknown };
        } catch {
          return; // not ours to read
        }
        if (typeof event.type !== "string") return;
        const typed = event as { type: string };
        if (SNAPSHOTS.has(typed.type)) latest.current.set(typed.type, typed);
        listeners.current.get(typed.type)?.forEach((listener) => listener(typed));
      };
      socket.onclose = () => {
        if (!closed) retry = window.setTimeout(open, RETRY_MS);
      };
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      socket?.close();
    };
  }, []);

  return <EventsContext.Provider value={events.current}>{children}</EventsContext.Provider>;
}

/** Calls `handler` with every pushed event of `type`, and at once with the
 * latest one already received when the type is a snapshot. */
export function useEvent<T extends { type: string }>(type: T["type"], handler: (event: T) => void): void {
  const events = useContext(EventsContext);
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    if (!events) return;
    const seen = events.latest(type);
    if (seen) current.current(seen as T);
    return events.subscribe(type, (event) => current.current(event as T));
  }, [events, type]);
}
