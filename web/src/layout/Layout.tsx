import { Outlet } from "react-router-dom";
import { EventsProvider } from "../lib/events";
import { ReferenceDataProvider } from "../lib/ReferenceData";
import { ScreenPop } from "../phone/ScreenPop";
import { Softphone } from "../phone/Softphone";
import { TopBar } from "./TopBar";

/** The frame of every screen after login: the page, and the phone beside it. */
export function Layout() {
  return (
    <ReferenceDataProvider>
      <EventsProvider>
      <TopBar />
      <div className="workspace">
        <main className="content">
          <ScreenPop />
          <Outlet />
        </main>
        <Softphone />
      </div>
      </EventsProvider>
    </ReferenceDataProvider>
  );
}
