import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { ErrorBanner } from "../components/ErrorBanner";
import { TaskList } from "./TaskList";
import { useTaskPage } from "./useTaskPage";

/** My open tasks, overdue ones highlighted; a toggle narrows to overdue only. */
export function TasksPage() {
  const [params, setParams] = useSearchParams();
  // Local state answers the click at once; the URL follows so reload keeps the choice.
  const [overdueOnly, setOverdueOnly] = useState(params.get("overdue") === "true");
  const tasks = useTaskPage({ responsible: "me", state: "open", overdue: overdueOnly || undefined });
  const overdueCount = tasks.items.filter((t) => t.overdue && t.state === "open").length;

  return (
    <section className="narrow">
      <div className="page-head">
        <h1>My tasks</h1>
        <label className="toggle" htmlFor="tasks-overdue">
          <input id="tasks-overdue" type="checkbox" checked={overdueOnly}
            onChange={(e) => {
              setOverdueOnly(e.target.checked);
              setParams(e.target.checked ? { overdue: "true" } : {}, { replace: true });
            }} />
          Overdue only
        </label>
      </div>
      {overdueCount > 0 && !overdueOnly && (
        <p className="banner warn" data-testid="overdue-summary">{overdueCount} overdue</p>
      )}
      <ErrorBanner error={tasks.error} />
      <div className="card">
        {!tasks.loading && tasks.items.length === 0 && (
          <p className="muted" data-testid="no-tasks">{overdueOnly ? "Nothing overdue." : "No open tasks."}</p>
        )}
        <TaskList tasks={tasks.items} showClient onDone={tasks.markDone} busyId={tasks.busyId} />
        <div className="list-foot">
          {tasks.loading && <span className="muted">Loading…</span>}
          {!tasks.loading && tasks.cursor && <button type="button" onClick={tasks.more}>Load more</button>}
        </div>
      </div>
    </section>
  );
}
