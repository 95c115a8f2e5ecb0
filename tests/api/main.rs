//! API tests: every test runs against SQLite and against PostgreSQL.

mod helpers;
#[path = "../support/mod.rs"]
mod support;

mod agents;
mod auth;
mod call_contacts;
mod calls;
mod campaign_runs;
mod campaigns;
mod classifier;
mod clients;
mod errors;
mod queues;
mod rights;
mod segments;
mod sip_accounts;
mod tasks_and_interactions;
