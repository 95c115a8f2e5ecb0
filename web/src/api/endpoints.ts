// One typed function per endpoint of the public API the app uses.
import { http, withQuery } from "./http";
import type {
  AttributeDefinition,
  CallRecord,
  ClassifierNode,
  Client,
  ClientInput,
  ClientSummary,
  ContactPersonInput,
  Id,
  Interaction,
  InteractionInput,
  LoginResponse,
  Me,
  Page,
  AcdStatus,
  AgentView,
  Phone,
  Registration,
  SipAccount,
  Task,
  TaskInput,
  TaskState,
  User,
  WrapUpInput,
  Report,
  QueueReportRow,
  AgentReportRow,
  QueueEntry,
  QueueSettings,
  Campaign,
  CampaignLead,
  CampaignSettingsInput,
  DncEntry,
  LeadsAdded,
  AgentCampaign,
  PreviewLead,
  CampaignStats,
  SurveyAnswer,
  Segment,
} from "./types";

const seg = (id: Id) => encodeURIComponent(String(id));

export interface ClientQuery {
  q?: string;
  status?: string;
  kind?: string;
  responsible?: string;
  classifier?: string;
  sort?: string;
  limit?: number;
  cursor?: string | null;
}

export interface TaskQuery {
  responsible?: string;
  state?: TaskState | "";
  overdue?: boolean;
  client_id?: Id;
  cursor?: string | null;
}

export const api = {
  login: (username: string, password: string) =>
    http.post<LoginResponse>("/auth/login", { username, password }),
  logout: () => http.post<void>("/auth/logout"),
  me: () => http.get<Me>("/auth/me"),

  clients: (query: ClientQuery) => http.get<Page<ClientSummary>>("/clients", { ...query }),
  client: (id: Id) => http.get<Client>(`/clients/${seg(id)}`),
  createClient: (body: ClientInput) => http.post<{ id: Id }>("/clients", body),
  updateClient: (id: Id, body: Partial<ClientInput>) => http.patch<Client>(`/clients/${seg(id)}`, body),

  addContactPerson: (clientId: Id, body: ContactPersonInput) =>
    http.post<{ id: Id }>(`/clients/${seg(clientId)}/contact-persons`, body),
  deleteContactPerson: (id: Id) => http.del(`/contact-persons/${seg(id)}`),

  interactions: (clientId: Id, cursor?: string | null) =>
    http.get<Page<Interaction>>(`/clients/${seg(clientId)}/interactions`, { cursor }),
  addInteraction: (body: InteractionInput) => http.post<{ id: Id }>("/interactions", body),

  tasks: (query: TaskQuery) =>
    http.get<Page<Task>>("/tasks", { ...query, overdue: query.overdue ? "true" : undefined }),
  addTask: (body: TaskInput) => http.post<{ id: Id }>("/tasks", body),
  updateTask: (id: Id, body: Partial<Pick<Task, "state" | "title" | "due_at" | "notes" | "responsible_id">>) =>
    http.patch<Task>(`/tasks/${seg(id)}`, body),

  classifier: () => http.get<{ nodes: ClassifierNode[] }>("/classifier"),
  attributes: () => http.get<{ items: AttributeDefinition[] }>("/attributes"),
  users: () => http.get<{ items: User[] }>("/users"),

  calls: (cursor?: string | null) => http.get<Page<CallRecord>>("/calls", { cursor }),
  queueReport: (query: { from: string; to: string; interval: string }) =>
    http.get<Report<QueueReportRow>>("/reports/queues", query),
  agentReport: (query: { from: string; to: string; interval: string }) =>
    http.get<Report<AgentReportRow>>("/reports/agents", query),
  queues: () => http.get<{ items: QueueEntry[] }>("/queues"),
  putQueue: (name: string, settings: QueueSettings) =>
    http.put<QueueEntry>(`/queues/${encodeURIComponent(name)}`, settings),
  deleteQueue: (name: string) => http.del(`/queues/${encodeURIComponent(name)}`),
  skills: (user: Id) => http.get<{ skills: Record<string, number> }>(`/users/${seg(user)}/skills`),
  setSkills: (user: Id, skills: Record<string, number>) =>
    http.put<{ skills: Record<string, number> }>(`/users/${seg(user)}/skills`, { skills }),
  callByKey: (callId: string) => http.get<Page<CallRecord>>("/calls", { call_id: callId }),
  wrapUp: (id: Id, input: WrapUpInput) => http.put<CallRecord>(`/calls/${encodeURIComponent(String(id))}/wrap-up`, input),

  sipAccounts: () => http.get<{ items: SipAccount[] }>("/sip/accounts"),
  updateSipAccount: (id: Id, body: Partial<Pick<SipAccount, "record" | "enabled" | "display_name">>) =>
    http.patch<SipAccount>(`/sip/accounts/${seg(id)}`, body),
  registrations: () => http.get<{ items: Registration[] }>("/sip/registrations"),

  agent: () => http.get<AgentView>("/agent"),
  agentQueues: () => http.get<{ items: string[] }>("/agent/queues"),
  agentLogin: (queues: string[]) => http.post<AgentView>("/agent/login", { queues }),
  agentPause: (reason: string) => http.post<void>("/agent/pause", { reason }),
  agentReady: () => http.post<void>("/agent/ready"),
  agentLogout: () => http.post<void>("/agent/logout"),
  acd: () => http.get<AcdStatus>("/acd"),
  campaigns: () => http.get<{ items: Campaign[] }>("/campaigns"),
  createCampaign: (name: string, settings: CampaignSettingsInput) =>
    http.post<{ id: Id }>("/campaigns", { name, settings }),
  updateCampaign: (id: Id, name: string, settings: CampaignSettingsInput) =>
    http.put<Campaign>(`/campaigns/${seg(id)}`, { name, settings }),
  deleteCampaign: (id: Id) => http.del(`/campaigns/${seg(id)}`),
  /** Start (or resume), pause or stop the dialling; 422 names a missing setting. */
  startCampaign: (id: Id) => http.post<Campaign>(`/campaigns/${seg(id)}/start`),
  pauseCampaign: (id: Id) => http.post<Campaign>(`/campaigns/${seg(id)}/pause`),
  stopCampaign: (id: Id) => http.post<Campaign>(`/campaigns/${seg(id)}/stop`),
  campaignLeads: (id: Id, cursor?: string) =>
    http.get<Page<CampaignLead>>(`/campaigns/${seg(id)}/leads`, { limit: 200, cursor }),
  addSegment: (id: Id, filter: Record<string, string>) =>
    http.post<LeadsAdded>(withQuery(`/campaigns/${seg(id)}/leads/segment`, filter)),
  /** The clients a saved segment matches now, as leads. */
  addSavedSegment: (id: Id, segment: Id, priority: string) =>
    http.post<LeadsAdded>(withQuery(`/campaigns/${seg(id)}/leads/segments/${seg(segment)}`, { priority })),
  segments: () => http.get<{ items: Segment[] }>("/segments"),
  createSegment: (name: string, filter: Record<string, string>) => http.post<{ id: Id }>("/segments", { name, filter }),
  deleteSegment: (id: Id) => http.del(`/segments/${seg(id)}`),
  addLeadsCsv: (id: Id, csv: string) => http.postText<LeadsAdded>(`/campaigns/${seg(id)}/leads`, csv, "text/csv"),
  campaignDnc: (id: Id) => http.get<{ items: DncEntry[] }>(`/campaigns/${seg(id)}/dnc`),
  addCampaignDnc: (id: Id, number: string, reason: string) =>
    http.post<{ id: Id; number: string }>(`/campaigns/${seg(id)}/dnc`, { number, reason: reason || undefined }),
  deleteDnc: (id: Id) => http.del(`/dnc/${seg(id)}`),
  surveyAnswers: (client: Id) => http.get<{ items: SurveyAnswer[] }>(`/clients/${seg(client)}/survey-answers`),
  campaignStats: (id: Id) => http.get<CampaignStats>(`/campaigns/${seg(id)}/stats`),
  campaignAgents: () => http.get<{ items: { id: Id; name: string }[] }>("/campaign-agents"),
  agentCampaigns: () => http.get<{ items: AgentCampaign[] }>("/agent/campaigns"),
  /** Leads given to you whose outcome you have not said yet. */
  agentLeads: () => http.get<{ items: PreviewLead[] }>("/agent/campaign-leads"),
  /** The next lead to call, or undefined when nothing may be called now (204). */
  nextLead: (campaign: Id) => http.post<PreviewLead | undefined>(`/campaigns/${seg(campaign)}/next`),
  /** The lead of a campaign call the dialler put through to this agent. */
  leadWork: (campaign: Id, lead: Id) => http.get<PreviewLead>(`/campaigns/${seg(campaign)}/leads/${seg(lead)}/work`),
  leadOutcome: (
    campaign: Id,
    lead: Id,
    body: {
      outcome: string;
      result?: string;
      notes?: string;
      callback_at?: string;
      callback_for?: "me" | "anyone";
      survey?: Record<string, string | number | boolean>;
    },
  ) =>
    http.post<CampaignLead>(`/campaigns/${seg(campaign)}/leads/${seg(lead)}/outcome`, body),
  /** Listen, whisper or barge into an agent's call: switches a session
   * already on it, or has this user's softphone dial in. */
  monitorAgent: (agent: Id, mode: "listen" | "whisper" | "barge") =>
    http.post<{ mode: string; switched: boolean; dial: string | null; softphone_asked: boolean }>(
      `/acd/agents/${seg(agent)}/monitor`,
      // This tab dials if need be: not the server's pick of tab.
      { mode, softphone: false },
    ),

  /** The caller's own extension, for the softphone (404 without one). */
  phone: () => http.get<Phone>("/sip/phone"),
};
