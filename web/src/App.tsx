import { Navigate, Route, Routes } from "react-router-dom";
import { LoginPage } from "./auth/LoginPage";
import { RequireAuth } from "./auth/RequireAuth";
import { ClientCardPage } from "./clients/ClientCardPage";
import { ClientListPage } from "./clients/ClientListPage";
import { NewClientPage } from "./clients/NewClientPage";
import { Layout } from "./layout/Layout";
import { NotFound } from "./components/NotFound";
import { TasksPage } from "./tasks/TasksPage";
import { CallsPage } from "./calls/CallsPage";
import { ExtensionsPage } from "./telephony/ExtensionsPage";
import { QueuesPage } from "./telephony/QueuesPage";
import { ReportsPage } from "./telephony/ReportsPage";
import { CampaignsPage } from "./campaigns/CampaignsPage";

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth><Layout /></RequireAuth>}>
        <Route index element={<Navigate to="/clients" replace />} />
        <Route path="/clients" element={<ClientListPage />} />
        <Route path="/clients/new" element={<NewClientPage />} />
        <Route path="/clients/:id" element={<ClientCardPage />} />
        <Route path="/tasks" element={<TasksPage />} />
        <Route path="/calls" element={<CallsPage />} />
        <Route path="/extensions" element={<ExtensionsPage />} />
        <Route path="/queues" element={<QueuesPage />} />
        <Route path="/reports" element={<ReportsPage />} />
        <Route path="/campaigns" element={<CampaignsPage />} />
        <Route path="*" element={<NotFound what="page" />} />
      </Route>
    </Routes>
  );
}
