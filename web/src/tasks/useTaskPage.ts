import { useEffect, useRef, useState } from "react";
import { api, type TaskQuery } from "../api/endpoints";
import type { Task } from "../api/types";

/** A cursor-paged task list for a query, with reload, "load more" and "mark done". */
export function useTaskPage(query: TaskQuery) {
  const key = JSON.stringify(query);
  const [items, setItems] = useState<Task[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const run = useRef(0);

  function load(after: string | null) {
    const mine = ++run.current;
    setLoading(true);
    api
      .tasks({ ...query, cursor: after })
      .then((page) => {
        if (run.current !== mine) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.next_cursor ?? null);
        setError(null);
      })
      .catch((err) => run.current === mine && setError(err))
      .finally(() => run.current === mine && setLoading(false));
  }

  useEffect(() => {
    load(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  async function markDone(task: Task) {
    setBusyId(String(task.id));
    try {
      const updated = await api.updateTask(task.id, { state: "done" });
      setItems((prev) => prev.map((t) => (t.id === task.id ? { ...t, ...(updated ?? {}), state: "done", overdue: false } : t)));
    } catch (err) {
      setError(err);
    } finally {
      setBusyId(null);
    }
  }

  return { items, cursor, loading, error, busyId, reload: () => load(null), more: () => load(cursor), markDone };
}
