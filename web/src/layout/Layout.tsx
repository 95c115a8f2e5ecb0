import { Outlet } from "react-router-dom";
import { ReferenceDataProvider } from "../lib/ReferenceData";
import { TopBar } from "./TopBar";

/** The frame of every screen after login. */
export function Layout() {
  return (
    <ReferenceDataProvider>
      <TopBar />
      <main className="content">
        <Outlet />
      </main>
    </ReferenceDataProvider>
  );
}
