import { useState } from "react";
import type { Id } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { TaskForm } from "../tasks/TaskForm";
import { TaskList } from "../tasks/TaskList";
import { useTaskPage } from "../tasks/useTaskPage";

export function ClientTasks({ clientId, canWrite }: { clientId: Id; canWrite: boolean }) {
  const [adding, setAdding] = useState(false);
  const tasks = useTaskPage({ client_id: clientId });

  return (
    <section className="card" aria-labelledby="tasks-title" data-testid="client-tasks">
      <div className="section-head">
        <h2 id="tasks-title">Tasks</h2>
        {canWrite && !adding && <button type="button" onClick={() => setAdding(true)}>Add task</button>}
      </div>
      {adding && (
        <TaskForm clientId={clientId} onCancel={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            tasks.reload();
          }} />
      )}
      <ErrorBanner error={tasks.error} />
      {!tasks.loading && tasks.items.length === 0 && <p className="muted">No tasks.</p>}
      <TaskList tasks={tasks.items} showClient={false} onDone={tasks.markDone} busyId={tasks.busyId} />
      <div className="list-foot">
        {!tasks.loading && tasks.cursor && <button type="button" onClick={tasks.more}>Load more</button>}
      </div>
    </section>
  );
}
