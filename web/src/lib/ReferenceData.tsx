// Lists many screens need (classifier, attribute definitions, users), loaded
// once per login. Users is null when the role may not list them (403): the
// responsible pickers then offer only "me".
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api } from "../api/endpoints";
import type { AttributeDefinition, ClassifierNode, User } from "../api/types";
import { useMe } from "../auth/AuthContext";

interface ReferenceData {
  classifier: ClassifierNode[];
  attributes: AttributeDefinition[];
  users: User[] | null;
  reload: () => void;
}

const Context = createContext<ReferenceData>({ classifier: [], attributes: [], users: null, reload: () => {} });

export function ReferenceDataProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const [classifier, setClassifier] = useState<ClassifierNode[]>([]);
  const [attributes, setAttributes] = useState<AttributeDefinition[]>([]);
  const [users, setUsers] = useState<User[] | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    api.classifier().then((r) => live && setClassifier(r.nodes ?? []), () => live && setClassifier([]));
    api.attributes().then((r) => live && setAttributes(r.items ?? []), () => live && setAttributes([]));
    api.users().then((r) => live && setUsers(r.items ?? []), () => live && setUsers(null));
    return () => {
      live = false;
    };
  }, [me.id, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const value = useMemo(() => ({ classifier, attributes, users, reload }), [classifier, attributes, users, reload]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useReferenceData(): ReferenceData {
  return useContext(Context);
}
