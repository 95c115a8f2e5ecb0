// Shapes of the public REST API (/api/v1), as the browser app uses them.
// IDs are opaque to the app: it only passes them back to the server.

export type Id = string | number;

export type Role = "admin" | "supervisor" | "marketer" | "manager" | "agent";

export interface User {
  id: Id;
  username: string;
  role: Role | string;
  display_name: string;
  team_id?: Id | null;
  /** Listed by /users; inactive users cannot log in and are not offered as responsible. */
  active?: boolean;
}

export interface Right {
  read: boolean;
  write: boolean;
  scope?: "own" | "team" | "all";
}

export interface Me extends User {
  rights?: Record<string, Right>;
}

export interface LoginResponse {
  token: string;
  user: User;
}

export type ClientKind = "legal" | "individual";

export interface ClientSummary {
  id: Id;
  kind: ClientKind;
  name: string;
  status: string | null;
  primary_phone: string | null;
  primary_email: string | null;
  responsible_id: Id | null;
  responsible_name: string | null;
  created_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type AddressKind = "legal" | "postal" | "delivery" | "other";

export interface Address {
  id?: Id;
  kind: AddressKind;
  text: string;
}

export interface Phone {
  id?: Id;
  number: string;
  e164?: string | null;
  kind?: string | null;
}

export interface Email {
  id?: Id;
  address: string;
}

export type AttributeValue = string | number | boolean | null;

export interface ClassifierRef {
  id: Id;
  name: string;
  path: string;
}

export interface ContactPerson {
  id: Id;
  name: string;
  position: string | null;
  phones: Phone[];
  emails: Email[];
  notes: string | null;
}

export interface Client {
  id: Id;
  kind: ClientKind;
  name: string;
  legal_name: string | null;
  tax_id: string | null;
  registration_number: string | null;
  bank_details: string | null;
  status: string | null;
  advertising_source: string | null;
  responsible_id: Id | null;
  responsible_name: string | null;
  notes: string | null;
  external_id: string | null;
  addresses: Address[];
  phones: Phone[];
  emails: Email[];
  attributes: Record<string, AttributeValue>;
  classifier: ClassifierRef[];
  contact_persons: ContactPerson[];
  created_at: string;
  updated_at: string;
}

/** Body of POST /clients and PATCH /clients/{id}. */
export interface ClientInput {
  kind: ClientKind;
  name: string;
  legal_name?: string | null;
  tax_id?: string | null;
  registration_number?: string | null;
  bank_details?: string | null;
  status?: string | null;
  advertising_source?: string | null;
  responsible_id?: Id | null;
  notes?: string | null;
  addresses: { kind: AddressKind; text: string }[];
  phones: { number: string; kind?: string }[];
  emails: { address: string }[];
  attributes: Record<string, AttributeValue>;
  classifier: Id[];
}

export interface ContactPersonInput {
  name: string;
  position?: string;
  phones: { number: string }[];
  emails: { address: string }[];
  notes?: string;
}

export const CHANNELS = ["call", "email", "letter", "meeting", "chat", "sms"] as const;
export const DIRECTIONS = ["in", "out"] as const;
export const PRIORITIES = ["high", "medium", "low"] as const;
export const INTERACTION_TYPES = ["sale", "consultation", "complaint", "claim", "information", "other"] as const;
export const INTERACTION_STATES = ["done", "not_done", "partly_done", "no_action_needed"] as const;
export const INTERACTION_STATUSES = ["held", "planned", "planned_cancelled"] as const;

export interface Interaction {
  id: Id;
  client_id: Id;
  contact_person_id: Id | null;
  channel: (typeof CHANNELS)[number];
  direction: (typeof DIRECTIONS)[number];
  started_at: string;
  duration_s: number | null;
  priority: (typeof PRIORITIES)[number];
  type: (typeof INTERACTION_TYPES)[number];
  state: (typeof INTERACTION_STATES)[number];
  status: (typeof INTERACTION_STATUSES)[number];
  advertising_source: string | null;
  responsible_id: Id | null;
  responsible_name: string | null;
  result: string | null;
  notes: string | null;
  /** The call this contact was, when the switch logged it. */
  call: CallBrief | null;
}

/** A logged call beside its interaction in the contact history. */
export interface CallBrief {
  id: Id;
  call_id: string;
  trunk: string | null;
  caller: string;
  called: string;
  queue: string | null;
  answered_by: string | null;
  outcome: string;
  hangup_by: "caller" | "callee" | "system" | null;
  arrived_at: string;
  queued_at: string | null;
  offered_at: string | null;
  answered_at: string | null;
  ended_at: string;
  wait_s: number;
  talk_s: number;
  recorded: boolean;
}

export interface InteractionInput {
  client_id: Id;
  contact_person_id?: Id;
  channel: Interaction["channel"];
  direction: Interaction["direction"];
  started_at?: string;
  duration_s?: number;
  priority: Interaction["priority"];
  type: Interaction["type"];
  state: Interaction["state"];
  status: Interaction["status"];
  advertising_source?: string;
  responsible_id?: Id;
  result?: string;
  notes?: string;
}

export type TaskState = "open" | "done" | "cancelled";

export interface Task {
  id: Id;
  client_id: Id | null;
  client_name: string | null;
  title: string;
  notes: string | null;
  due_at: string;
  remind_at: string | null;
  responsible_id: Id | null;
  responsible_name: string | null;
  state: TaskState;
  overdue: boolean;
}

export interface TaskInput {
  client_id?: Id;
  title: string;
  notes?: string;
  due_at: string;
  remind_at?: string;
  responsible_id?: Id;
}

export interface ClassifierNode {
  id: Id;
  parent_id: Id | null;
  name: string;
}

export interface AttributeDefinition {
  id: Id;
  key: string;
  label: string;
  kind: "text" | "number" | "date" | "boolean" | "choice";
  choices?: string[] | null;
}

/** An RFC 9457 problem document as the server sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** A finished call as GET /calls lists it. */
export interface CallRecord {
  id: Id;
  call_id: string;
  direction: "inbound" | "outbound" | "internal";
  trunk: string | null;
  caller: string;
  caller_name: string | null;
  called: string;
  answered_by: string | null;
  arrived_at: string;
  answered_at: string | null;
  ended_at: string;
  outcome: string;
  wait_s: number;
  talk_s: number;
  /** Played through GET /calls/{id}/recording. */
  recording: { file: string; duration_ms: number } | null;
  queue: string | null;
  /** The outside party's number in E.164 (the caller's, or the dialled one's). */
  party_e164: string | null;
  /** The client of the outside number; null for an unknown caller. */
  client: { id: Id; name: string } | null;
  agent: { id: Id; name: string } | null;
  wrap_up: { result: string; notes: string | null; by: { id: Id; name: string } | null; at: string } | null;
}

/** GET /reports/queues and /reports/agents. */
export interface Report<T> {
  from: string;
  to: string;
  interval: string;
  rows: T[];
}

export interface QueueReportRow {
  queue: string;
  start: string;
  calls: number;
  answered: number;
  abandoned: number;
  service_level_pct: number | null;
  average_answer_s: number | null;
  max_wait_s: number;
  abandon_rate_pct: number | null;
  talk_s: number;
  average_talk_s: number | null;
}

export interface AgentReportRow {
  agent_id: Id;
  agent_name: string;
  start: string;
  answered: number;
  talk_s: number;
  average_talk_s: number | null;
  wrapped_up: number;
}

/** A queue's settings: the keys of a dialplan's [queue.NAME] table. */
export interface QueueSettings {
  strategy?: string;
  ring_timeout?: number;
  wrap_up?: number;
  max_wait?: number;
  max_waiting?: number;
  overflow?: string;
  service_level?: number;
  misses_to_pause?: number;
  needs?: Record<string, number>;
  record?: boolean;
  results?: string[];
  priority_by_status?: Record<string, number>;
  announce_every?: number;
}

export interface QueueEntry {
  name: string;
  /** "database" (managed here) or "file" (in the dialplans). */
  source: "database" | "file";
  settings: QueueSettings | null;
}

export interface WrapUpInput {
  result: string;
  notes?: string;
  follow_up?: { title: string; due_at: string };
}

/** The user's own state in the ACD (events socket). */
export interface AgentStateEvent {
  type: "agent.state";
  state: string;
  reason: string | null;
  for_s: number;
  queues: string[];
  extension: string | null;
}

/** GET /sip/phone: the caller's own extension, for the softphone. */
export interface Phone {
  extension: string;
  display_name: string | null;
  /** SIP over WebSocket on this server, authenticated by the login session. */
  websocket_path: string;
}

/** An extension: a SIP account phones register with. */
export interface SipAccount {
  id: Id;
  extension: string;
  display_name: string | null;
  user_id: Id | null;
  enabled: boolean;
  /** Every call to or from it is recorded. */
  record: boolean;
  created_at: string;
  updated_at: string;
}

/** The phones registered for one extension now. */
export interface Registration {
  extension: string;
  phones: {
    contact: string;
    transport: string;
    source: string;
    user_agent: string | null;
    expires_in: number;
  }[];
}

/** An agent in the contact centre's queues. */
export interface AgentView {
  agent: Id;
  extension: string;
  /** available, ringing, on_call, wrap_up, paused, offline */
  state: string;
  reason: string | null;
  /** Seconds in this state. */
  for_s: number;
  queues: string[];
}

/** A queue in the supervisors' live view. */
export interface QueueView {
  queue: string;
  waiting: number;
  longest_wait_s: number;
  agents: Record<string, number>;
  answered: number;
  abandoned: number;
  overflowed: number;
  service_level_pct: number | null;
  average_answer_s: number | null;
  abandon_rate_pct: number | null;
}

export interface AcdStatus {
  agents: AgentView[];
  queues: QueueView[];
}

/** The client card of a caller's number (GET /clients/lookup and screen pops). */
export interface ScreenPop {
  client: Client;
  contact_person: ContactPerson | null;
  classifier: { path: { id: Id; name: string }[] }[] | unknown[];
  recent_interactions: Interaction[];
  open_tasks: Task[];
}

/** A call offered to this agent: their phone is about to ring. */
export interface CallOffered {
  type: "call.offered";
  call_id: string;
  queue: string;
  called: string;
  caller: string;
  caller_e164: string | null;
  caller_name: string | null;
  /** The caller asked to be called back: call them (the phone does not ring). */
  callback: boolean;
  card: ScreenPop | null;
  /** The queue's wrap-up time in seconds, and the results to pick from (empty: any text). */
  wrap_up_s: number;
  results: string[];
  /** A campaign's call: the campaign and the lead called (their work is at
   * GET /campaigns/{campaign_id}/leads/{lead_id}/work); null for a queue call. */
  campaign_id?: Id | null;
  lead_id?: Id | null;
}

export type DialMode = "preview" | "progressive" | "predictive";

export interface RetryMinutes {
  busy: number | null;
  no_answer: number | null;
  failed: number | null;
  voicemail: number | null;
  abandoned: number | null;
}

export interface CampaignSettings {
  mode: DialMode;
  trunk: string | null;
  caller_id: string | null;
  time_zone: string;
  calling_from: string;
  calling_until: string;
  max_attempts: number;
  retry_minutes: RetryMinutes;
  abandon_limit_pct: number;
  max_lines_per_agent: number;
  /** How long a call rings before the dialler gives up on it (10–60 s). */
  ring_seconds: number;
  /** The agent's time after a campaign call to record it (0–600 s). */
  wrap_up_seconds: number;
  /** Answering machines are hung up on instead of put through to an agent. */
  detect_machines: boolean;
  /** Money is exact decimal text ("0.02"), never a float: what a minute of
   * an answered call costs, billed by the second. */
  cost_per_minute: string;
  /** The most the campaign spends on calls; null: no limit. */
  budget: string | null;
  /** What each result brings, e.g. {"sale": "120.00"}; keys among `results`. */
  result_values: Record<string, string>;
  results: string[];
  agents: Id[];
  script: ScriptStep[];
  survey: SurveyQuestion[];
}

/** Settings as POST /campaigns and PUT /campaigns/{id} take them: any of
 * them (left out: the default, or unchanged). A number setting may go as
 * the text typed when it is not a number, so the server names that field
 * instead of the form quietly dropping it. */
export type CampaignSettingsInput = {
  [K in keyof CampaignSettings]?: CampaignSettings[K] extends number ? number | string : CampaignSettings[K];
};

/** Whether a campaign dials: only a running one is dialled by the server;
 * a paused one gives no leads; a stopped one still gives preview leads. */
export type RunState = "running" | "paused" | "stopped";

export interface Campaign {
  id: Id;
  name: string;
  settings: CampaignSettings;
  state: RunState;
  created_at: string;
  updated_at: string;
}

export interface CampaignLead {
  id: Id;
  client_id: Id | null;
  client_name: string | null;
  number: string;
  priority: number;
  state: "waiting" | "dialling" | "closed";
  closed_as: string | null;
  attempts: number;
  next_at: string;
  last_outcome: string | null;
  result: string | null;
  /** The agent it is (or was last) given to. */
  agent_id?: Id | null;
  callback_agent_id?: Id | null;
  notes?: string | null;
}

export interface LeadsAdded {
  added: number;
  rejected: { line: number; reason: string }[];
}

export interface DncEntry {
  id: Id;
  campaign_id: Id | null;
  number: string;
  reason: string | null;
  created_at: string;
}

export interface AgentCampaign {
  id: Id;
  name: string;
  mode: DialMode;
  results: string[];
}

export interface PreviewLead {
  campaign_id: Id;
  campaign: string;
  results: string[];
  script: ScriptStep[];
  survey: SurveyQuestion[];
  lead: CampaignLead;
  card: { client: { id: Id; name: string; status?: string | null } } | null;
}

export interface CampaignStats {
  leads: number;
  waiting: number;
  dialling: number;
  closed: number;
  attempts: number;
  last_outcomes: Record<string, number>;
  results: Record<string, number>;
  closed_as: Record<string, number>;
  /** The dialler's calls today (UTC): placed, answered by a person, taken
   * by an agent, abandoned (answered with no agent free in time). */
  dialled_today: number;
  answered_today: number;
  connected_today: number;
  abandoned_today: number;
  /** Abandoned per answered call, as fractions (0.03 is 3%). */
  abandon_rate_today: number;
  abandon_rate_30_days: number;
  /** The campaign's agents: their state now and today's calls. */
  agents: CampaignAgentFigures[];
  /** Of the campaign's agents logged in and not paused, the share busy with
   * a call now (0..1); null when none of them is working. */
  occupancy: number | null;
  /** Seconds the campaign's calls were billed for, all days. */
  billed_seconds: number;
  /** Money as decimal text with two decimals ("1.32"). */
  cost: string;
  /** null without a budget; "0.00" once spent (the dialler places no more calls). */
  budget_left: string | null;
  /** What the recorded results bring, at the campaign's values. */
  return: string;
  /** The dialler's calls now: placed and ringing, and all in progress
   * (ringing, waiting for an agent, with one); the most at once since it started. */
  ringing_now: number;
  lines_now: number;
  peak_lines: number;
  /** Today's calls hour by hour (the hours with calls). */
  hours_today: { start: string; dialled: number; answered: number; abandoned: number }[];
}

/** One of a campaign's agents in its figures. */
export interface CampaignAgentFigures {
  agent: Id;
  name: string;
  state: "available" | "ringing" | "on_call" | "wrap_up" | "paused" | "offline";
  /** The campaign's calls they took today (UTC), and seconds talked on them. */
  calls_today: number;
  talk_seconds_today: number;
}

export interface ScriptStep {
  id: string;
  text: string;
  choices: { label: string; next: string | null }[];
}

export interface SurveyQuestion {
  key: string;
  text: string;
  kind: "choice" | "yes_no" | "number" | "text";
  options: string[];
  required: boolean;
}

export interface SurveyAnswer {
  campaign_id: Id;
  campaign: string;
  question: string;
  answer: string;
  answered_at: string;
}

/** A saved segment: the client list's filters under a name, with what it
 * matches now within the asker's reach (`callable`: with a phone). */
export interface Segment {
  id: Id;
  name: string;
  filter: Record<string, string>;
  created_by: Id | null;
  created_at: string;
  updated_at: string;
  size: { clients: number; callable: number };
}
