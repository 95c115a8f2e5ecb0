// Who is logged in. On start the app asks /auth/me (the session cookie or the
// stored token may still be valid); login and logout go through here.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api } from "../api/endpoints";
import { ApiError, onUnauthorized, setToken } from "../api/http";
import type { Me } from "../api/types";

interface AuthState {
  me: Me | null;
  checking: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);

  useEffect(() => {
    onUnauthorized(() => {
      setToken(null);
      setMe(null);
    });
    api
      .me()
      .then(setMe, () => setMe(null))
      .finally(() => setChecking(false));
    return () => onUnauthorized(null);
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const answer = await api.login(username, password);
    setToken(answer.token);
    try {
      setMe(await api.me());
    } catch (err) {
      // The login worked; /auth/me adds only rights and team, so fall back to the login's user.
      if (err instanceof ApiError && err.status === 401) throw err;
      setMe({ ...answer.user });
    }
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setToken(null);
      setMe(null);
    }
  }, []);

  const value = useMemo(() => ({ me, checking, login, logout }), [me, checking, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

/** The logged-in user; only for components under RequireAuth. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error("useMe without a logged-in user");
  return me;
}
