//! Switchboard: a contact-centre server with a CRM core.
//!
//! The map (see DESIGN.md for the whole architecture):
//! - [`crm`]: the domain: clients, classifier, attributes, interactions,
//!   tasks, users and rights, call records; repository traits. Pure.
//! - [`storage`]: the repository traits on SQLite and PostgreSQL.
//! - [`api`]: the REST API under `/api/v1`, health and metrics, the web app.
//! - [`app`]: the composition root: settings in, a running server out.
//! - [`calls`]: the B2BUA call model: caller leg, callee legs, who answered. Pure.
//! - [`dialer`]: outbound campaigns' pacing (preview, progressive,
//!   predictive within the abandon limit) and its simulator. Pure.
//! - [`dialplan`]: `dialplans/*.toml` loaded to a typed plan; which rule
//!   routes a call (ring, queue, trunk, reject, IVR). Pure.
//! - [`import`], [`demo`]: bulk upsert of clients from CSV; the demo data.
//! - [`media`]: RTP headers and the relay that anchors a stream between two
//!   legs (latching, loss). Pure.
//! - [`pbx`]: trunk profiles per PBX or carrier vendor: who is calling whom
//!   on an incoming INVITE, and how to present identity towards the vendor. Pure.
//! - [`config`], [`ids`], [`phone`]: settings, identifier types, phone numbers.
//! - [`sdp`]: session descriptions: parse, print, and the rewrites that
//!   anchor media at the server. Pure.
//! - [`sip`]: the sans-IO SIP core: messages, framing, transactions, digest
//!   authentication, the scanner guard, registrar bindings. Pure.
//! - [`runtime`]: the drivers: the only place that reads the clock, the SIP
//!   sockets and engine, the CDR writer that stores call records off the call path.

pub mod acd;
pub mod api;
pub mod app;
pub mod calls;
pub mod config;
pub mod crm;
pub mod demo;
pub mod dialer;
pub mod dialplan;
pub mod ids;
pub mod import;
pub mod media;
pub mod pbx;
pub mod phone;
pub mod runtime;
pub mod sdp;
pub mod sip;
pub mod storage;
