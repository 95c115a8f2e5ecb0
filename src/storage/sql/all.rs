// Every file of the shared query code, in one list so both backends include
// the same set (paths here are relative to this file).
include!("common.rs");
include!("users.rs");
include!("clients.rs");
include!("client_card.rs");
include!("classifier.rs");
include!("attributes.rs");
include!("interactions.rs");
include!("tasks.rs");
include!("audit.rs");
include!("import.rs");
include!("sip_accounts.rs");
include!("calls.rs");
include!("reports.rs");
include!("queues.rs");
include!("campaigns.rs");
include!("segments.rs");
