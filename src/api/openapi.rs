//! The OpenAPI 3.1 document of the REST API, and a page to browse it that
//! needs nothing from the internet.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use utoipa::OpenApi;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Contact-centre server with a CRM core. \
        Authenticate with POST /api/v1/auth/login, then send the session cookie or `Authorization: Bearer TOKEN`. \
        Errors are application/problem+json (RFC 9457) with an `errors` list naming each field at fault."),
    paths(
        super::auth::login, super::auth::logout, super::auth::me,
        super::users::list_users, super::users::create_user, super::users::set_right,
        super::clients::list_clients, super::clients::create_client, super::clients::get_client,
        super::clients::update_client, super::clients::lookup, super::clients::add_contact_person,
        super::clients::delete_contact_person,
        super::interactions::create_interaction, super::interactions::client_interactions,
        super::tasks::list_tasks, super::tasks::create_task, super::tasks::get_task, super::tasks::update_task,
        super::classifier::nodes, super::classifier::create_node, super::classifier::rename_node,
        super::classifier::delete_node,
        super::attributes::list, super::attributes::create,
        super::audit::audit,
        super::sip_status::registrations, super::sip_status::trunks, super::sip_status::reload,
        super::sip_accounts::list, super::sip_accounts::create, super::sip_accounts::account,
        super::sip_accounts::update, super::sip_accounts::delete, super::sip_accounts::set_password,
        super::sip_accounts::phone,
        super::calls::list_calls, super::calls::get_call, super::calls::recording, super::calls::wrap_up,
        super::reports::queues, super::reports::agents,
        super::queues::list, super::queues::one, super::queues::put, super::queues::delete,
        super::skills::read, super::skills::write,
        super::agents::login, super::agents::me, super::agents::logout, super::agents::ready,
        super::agents::pause, super::agents::status, super::agents::queues,
        super::monitor::monitor,
        super::campaigns::list, super::campaigns::one, super::campaigns::create,
        super::campaigns::update, super::campaigns::delete, super::campaigns::agents,
        super::campaigns::start, super::campaigns::pause, super::campaigns::stop,
        super::campaign_leads::add_segment, super::campaign_leads::add_csv,
        super::campaign_leads::list_leads, super::campaign_leads::global_dnc,
        super::campaign_leads::campaign_dnc, super::campaign_leads::add_global_dnc,
        super::campaign_leads::add_campaign_dnc, super::campaign_leads::remove_dnc,
        super::preview::next, super::preview::outcome, super::preview::work, super::preview::mine, super::preview::unfinished, super::preview::survey_answers,
        super::campaign_leads::stats, super::campaign_leads::export,
        super::campaign_leads::add_saved_segment,
        super::segments::list, super::segments::one, super::segments::create,
        super::segments::update, super::segments::delete,
    ),
    tags(
        (name = "auth", description = "Log in and out"),
        (name = "clients", description = "The client base, client cards and the screen-pop lookup"),
        (name = "interactions", description = "Contact history"),
        (name = "tasks", description = "Tasks, reminders, overdue control"),
        (name = "classifier", description = "The client classifier tree"),
        (name = "attributes", description = "User-defined client attributes"),
        (name = "users", description = "Users and role rights"),
        (name = "audit", description = "Who changed what"),
        (name = "sip", description = "SIP accounts: the extensions phones and softphones register as (passwords kept only as HA1)"),
        (name = "calls", description = "Call detail records written by the switch"),
        (name = "campaigns", description = "Outbound campaigns: how they dial, when, and within which limits"),
        (name = "agents", description = "Agents in queues (log in, pause, ready) and the supervisors' live view of the ACD"),
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        )
        .route("/docs", get(|| async { Html(DOCS_PAGE) }))
}

/// A small reader for the document: operations by tag, with their
/// parameters and schemas, rendered from `/api/v1/openapi.json`.
const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard API</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1.5rem;color:#1d2330}
h1{margin:0 0 .25rem}h2{margin-top:2rem;border-bottom:1px solid #d8dde6}
details{border:1px solid #d8dde6;border-radius:6px;margin:.4rem 0;padding:.3rem .7rem;background:#fafbfd}
summary{cursor:pointer}code,pre{font:13px ui-monospace,monospace}pre{background:#f0f2f6;padding:.6rem;overflow:auto}
.m{display:inline-block;width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#1769aa}.post{color:#2e7d32}.patch{color:#b26a00}.put{color:#6a1b9a}.delete{color:#c62828}
</style></head><body>
<h1>Switchboard API</h1><p id="desc"></p><p>Raw document: <a href="openapi.json">openapi.json</a></p><div id="ops"></div>
<script>
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description||'';
  const byTag={};
  for(const [path,item] of Object.entries(doc.paths))for(const [method,op] of Object.entries(item)){
    const tag=(op.tags||['other'])[0];(byTag[tag]=byTag[tag]||[]).push({path,method,op});}
  const root=document.getElementById('ops');
  for(const [tag,ops] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    for(const {path,method,op} of ops){
      const d=document.createElement('details');const s=document.createElement('summary');
      s.innerHTML='<span class="m '+method+'">'+method+'</span><code></code> ';
      s.querySelector('code').textContent=path;s.append(op.summary||op.description||'');d.appendChild(s);
      const pre=document.createElement('pre');
      pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:op.responses},null,2);
      d.appendChild(pre);root.appendChild(d);}}
  const h=document.createElement('h2');h.textContent='schemas';root.appendChild(h);
  const pre=document.createElement('pre');pre.textContent=JSON.stringify(doc.components&&doc.components.schemas,null,2);root.appendChild(pre);
});
</script></body></html>"#;
