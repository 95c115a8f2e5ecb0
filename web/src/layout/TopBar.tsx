import { NavLink, useNavigate } from "react-router-dom";
import { useAuth, useMe } from "../auth/AuthContext";
import { canRead, canWrite } from "../auth/rights";
import { humanise } from "../lib/format";

export function TopBar() {
  const me = useMe();
  const { logout } = useAuth();
  const navigate = useNavigate();

  async function signOut() {
    await logout().catch(() => {});
    navigate("/login", { replace: true });
  }

  return (
    <header className="topbar">
      <span className="brand">Switchboard</span>
      <nav aria-label="Main">
        <NavLink to="/clients" end>Clients</NavLink>
        {canWrite(me, "clients") && <NavLink to="/clients/new">New client</NavLink>}
        <NavLink to="/tasks">My tasks</NavLink>
        {canRead(me, "calls") && <NavLink to="/calls">Calls</NavLink>}
        {canRead(me, "telephony") && <NavLink to="/queues">Queues</NavLink>}
        {me.rights?.calls?.scope === "all" && <NavLink to="/reports">Reports</NavLink>}
        {canRead(me, "telephony") && <NavLink to="/extensions">Extensions</NavLink>}
        {canRead(me, "campaigns") && <NavLink to="/campaigns">Campaigns</NavLink>}
      </nav>
      <div className="topbar-user">
        <span data-testid="current-user">{me.display_name || me.username}</span>
        <span className="role-badge" data-testid="current-role">{humanise(String(me.role))}</span>
        <button type="button" className="link-button" onClick={signOut}>Log out</button>
      </div>
    </header>
  );
}
