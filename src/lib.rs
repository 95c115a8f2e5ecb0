//! Switchboard: a contact-centre server with a CRM core.
//!
//! The map (see DESIGN.md for the whole architecture):
//! - [`crm`]: the domain: clients, classifier, attributes, interactions,
//!   tasks, users and rights; repository traits. Pure.
//! - [`storage`]: the repository traits on SQLite and PostgreSQL.
//! - [`api`]: the REST API under `/api/v1`, health and metrics, the web app.
//! - [`app`]: the composition root: settings in, a running server out.
//! - [`import`], [`demo`]: bulk upsert of clients from CSV; the demo data.
//! - [`pbx`]: trunk profiles per PBX or carrier vendor: who is calling whom
//!   on an incoming INVITE, and how to present identity towards the vendor. Pure.
//! - [`config`], [`ids`], [`phone`]: settings, identifier types, phone numbers.
//! - [`runtime`]: the only place that reads the clock.

pub mod api;
pub mod app;
pub mod config;
pub mod crm;
pub mod demo;
pub mod ids;
pub mod import;
pub mod pbx;
pub mod phone;
pub mod runtime;
pub mod storage;
