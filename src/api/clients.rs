//! `/clients`: the client base, the client card, the screen-pop lookup and
//! contact persons.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{Created, Json, PathId, QueryPairs, created, double_option};
use crate::crm::FieldErrors;
use crate::crm::access::{Actor, Reach, Section};
use crate::crm::attributes::AttributeDef;
use crate::crm::clients::{
    Address, AddressKind, Client, ClientFilter, ClientKind, ClientPatch, ClientSort, ClientSummary,
    NAME_MAX, NewClient, NewContactPerson, PhoneEntry, ScreenPop, TEXT_MAX,
};
use crate::crm::page::Page;
use crate::crm::text::{Email, Label, optional};
use crate::ids::{AttributeId, ClientId, ContactPersonId, NodeId, UserId};
use crate::phone::{Phone, Region};
use crate::runtime::clock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clients", get(list_clients).post(create_client))
        .route("/clients/lookup", get(lookup))
        .route("/clients/{id}", get(get_client).patch(update_client))
        .route("/clients/{id}/contact-persons", post(add_contact_person))
        .route("/contact-persons/{id}", delete(delete_contact_person))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneInput {
    /// Any written form; national forms use the server's default region.
    pub number: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailInput {
    pub address: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddressInput {
    /// `legal`, `postal`, `delivery` or `other` (the default).
    pub kind: Option<String>,
    pub text: Option<String>,
}

/// A client to create (`kind` and `name` required) or the changes to one
/// (every field optional; `null` clears; a list given replaces the stored one).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ClientInput {
    /// `legal` or `individual`.
    pub kind: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub legal_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub tax_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub registration_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub bank_details: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub status: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub advertising_source: Option<Option<String>>,
    /// Defaults to the creator.
    pub responsible_id: Option<UserId>,
    #[serde(default, deserialize_with = "double_option")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub external_id: Option<Option<String>>,
    pub addresses: Option<Vec<AddressInput>>,
    pub phones: Option<Vec<PhoneInput>>,
    pub emails: Option<Vec<EmailInput>>,
    /// Attribute key to value (`null` removes it).
    #[schema(value_type = Object)]
    pub attributes: Option<serde_json::Map<String, Value>>,
    pub classifier: Option<Vec<NodeId>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ContactPersonInput {
    pub name: Option<String>,
    pub position: Option<String>,
    #[serde(default)]
    pub phones: Vec<PhoneInput>,
    #[serde(default)]
    pub emails: Vec<EmailInput>,
    pub notes: Option<String>,
}

/// The client base, filtered, sorted and paged.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients",
    params(
        ("q" = Option<String>, Query, description = "Free text over name, phone and e-mail"),
        ("status" = Option<String>, Query), ("kind" = Option<String>, Query, description = "legal or individual"),
        ("responsible" = Option<i64>, Query, description = "User id, or `me`"),
        ("classifier" = Option<i64>, Query, description = "Clients in this node or any node below it"),
        ("attr.KEY" = Option<String>, Query, description = "Attribute equality filter, e.g. `attr.tier=gold`"),
        ("sort" = Option<String>, Query, description = "name, -name, created_at, -created_at"),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<ClientSummary>), (status = 400, body = super::error::Problem)))]
async fn list_clients(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<Page<ClientSummary>>> {
    actor.require_read(Section::Clients)?;
    let mut errors = FieldErrors::new();
    let filter = client_filter(&state, &actor, &query, &mut errors).await?;
    let page = query.page(&mut errors);
    let page = QueryPairs::finish(errors, page)?;
    let scope = actor.client_scope(Section::Clients);
    Ok(axum::Json(state.repo.clients(scope, &filter, &page).await?))
}

/// The clients a query string picks (`q`, `status`, `kind`, `responsible`,
/// `classifier`, `attr.KEY`, `sort`): the client list's filters, which also
/// choose a campaign's segment. Mistakes go to `errors`.
pub(super) async fn client_filter(
    state: &AppState,
    actor: &Actor,
    query: &QueryPairs,
    errors: &mut FieldErrors,
) -> ApiResult<ClientFilter> {
    let mut filter = ClientFilter::default().with_text(query.get("q").unwrap_or(""));
    filter.status = query.get("status").map(str::to_string);
    filter.kind = query.parse::<ClientKind>("kind", errors);
    filter.responsible = match query.get("responsible") {
        Some("me") => Some(actor.user_id),
        Some(_) => query.parse::<i64>("responsible", errors).map(UserId),
        None => None,
    };
    filter.classifier = query.parse::<i64>("classifier", errors).map(NodeId);
    filter.sort = query
        .parse::<ClientSort>("sort", errors)
        .unwrap_or(ClientSort::Name);
    let attr_filters: Vec<_> = query
        .0
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("attr.")?, v)))
        .collect();
    if !attr_filters.is_empty() {
        let defs = state.repo.attribute_defs().await?;
        for (key, value) in attr_filters {
            let field = format!("attr.{key}");
            match defs.iter().find(|d| d.key == key) {
                None => errors.add(field, "no such attribute"),
                Some(def) => {
                    let value = def.parse_value(&query_value(def, value));
                    if let Some(value) = errors.take(field, value) {
                        filter.attributes.push((def.id, value));
                    }
                }
            }
        }
    }
    Ok(filter)
}

/// Query strings carry text; a boolean attribute is compared as a boolean.
fn query_value(def: &AttributeDef, text: &str) -> Value {
    match (def.kind, text) {
        (crate::crm::attributes::AttributeKind::Boolean, "true") => Value::Bool(true),
        (crate::crm::attributes::AttributeKind::Boolean, "false") => Value::Bool(false),
        _ => Value::String(text.to_string()),
    }
}

/// Add a client. The creator is responsible unless another user is named.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = ClientInput,
    responses((status = 201, body = Created), (status = 422, body = super::error::Problem)))]
async fn create_client(
    State(state): State<AppState>,
    actor: Actor,
    Json(input): Json<ClientInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    let right = actor.require_write(Section::Clients)?;
    let defs = state.repo.attribute_defs().await?;
    let mut client = parse_new_client(input, state.region, &defs)?;
    check_responsible(&actor, right.reach, client.responsible_id)?;
    client.responsible_id.get_or_insert(actor.user_id);
    let id = state
        .repo
        .create_client(actor.user_id, client, clock::now())
        .await?;
    metrics::counter!("crm_clients_created_total").increment(1);
    Ok(created(id.0))
}

/// A client's whole card.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = i64, Path)),
    responses((status = 200, body = Client), (status = 404, body = super::error::Problem)))]
async fn get_client(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Client>> {
    actor.require_read(Section::Clients)?;
    let scope = actor.client_scope(Section::Clients);
    Ok(axum::Json(state.repo.client(scope, ClientId(id)).await?))
}

/// Change a client; only the fields given change.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = i64, Path)), request_body = ClientInput,
    responses((status = 200, body = Client), (status = 404, body = super::error::Problem), (status = 422, body = super::error::Problem)))]
async fn update_client(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<ClientInput>,
) -> ApiResult<axum::Json<Client>> {
    let right = actor.require_write(Section::Clients)?;
    let defs = state.repo.attribute_defs().await?;
    let patch = parse_client_patch(input, state.region, &defs)?;
    check_responsible(&actor, right.reach, patch.responsible_id)?;
    let scope = actor.client_scope(Section::Clients);
    let client = state
        .repo
        .update_client(scope, actor.user_id, ClientId(id), patch, clock::now())
        .await?;
    Ok(axum::Json(client))
}

/// The screen pop: the client card for a phone number in any written form.
#[utoipa::path(get, path = "/api/v1/clients/lookup", tag = "clients",
    params(("phone" = String, Query, description = "Any written form of the number")),
    responses((status = 200, body = ScreenPop), (status = 404, body = super::error::Problem), (status = 400, body = super::error::Problem)))]
async fn lookup(
    State(state): State<AppState>,
    actor: Actor,
    query: QueryPairs,
) -> ApiResult<axum::Json<ScreenPop>> {
    actor.require_read(Section::Clients)?;
    let text = query
        .get("phone")
        .ok_or_else(|| ApiError::BadRequest(FieldErrors::single("phone", "is required")))?;
    let phone = Phone::parse(text, state.region)
        .map_err(|e| ApiError::BadRequest(FieldErrors::single("phone", e.to_string())))?;
    let scope = actor.client_scope(Section::Clients);
    state
        .repo
        .lookup_phone(scope, phone.e164(), clock::now())
        .await?
        .map(axum::Json)
        .ok_or(ApiError::NotFound)
}

/// Add a contact person to a client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contact-persons", tag = "clients", params(("id" = i64, Path)),
    request_body = ContactPersonInput, responses((status = 201, body = Created), (status = 404, body = super::error::Problem)))]
async fn add_contact_person(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
    Json(input): Json<ContactPersonInput>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    actor.require_write(Section::Clients)?;
    let person = parse_contact_person(input, state.region)?;
    let scope = actor.client_scope(Section::Clients);
    let person_id = state
        .repo
        .add_contact_person(scope, actor.user_id, ClientId(id), person, clock::now())
        .await?;
    Ok(created(person_id.0))
}

/// Remove a contact person (their phones and e-mails go with them).
#[utoipa::path(delete, path = "/api/v1/contact-persons/{id}", tag = "clients", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::Problem)))]
async fn delete_contact_person(
    State(state): State<AppState>,
    actor: Actor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    actor.require_write(Section::Clients)?;
    let scope = actor.client_scope(Section::Clients);
    state
        .repo
        .delete_contact_person(scope, actor.user_id, ContactPersonId(id), clock::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A user whose rights reach only their own clients cannot hand one to someone else.
fn check_responsible(actor: &Actor, reach: Reach, responsible: Option<UserId>) -> ApiResult<()> {
    match responsible {
        Some(user) if reach == Reach::Own && user != actor.user_id => Err(ApiError::invalid(
            "responsible_id",
            "your role may only make yourself responsible",
        )),
        _ => Ok(()),
    }
}

/// Parses a contact person; shared with the demo loader.
pub fn parse_contact_person(
    input: ContactPersonInput,
    region: Region,
) -> Result<NewContactPerson, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        Label::parse(input.name.as_deref().unwrap_or(""), NAME_MAX),
    );
    let position = errors.take("position", optional(input.position.as_deref(), NAME_MAX));
    let notes = errors.take("notes", optional(input.notes.as_deref(), TEXT_MAX));
    let phones = parse_phones(&input.phones, region, &mut errors);
    let emails = parse_emails(&input.emails, &mut errors);
    errors.finish(|| NewContactPerson {
        name: name.expect("checked"),
        position: position.flatten(),
        phones,
        emails,
        notes: notes.flatten(),
    })
}

pub fn parse_new_client(
    input: ClientInput,
    region: Region,
    defs: &[AttributeDef],
) -> Result<NewClient, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = match input.kind.as_deref() {
        None => {
            errors.add("kind", "is required");
            None
        }
        Some(k) => errors.take("kind", k.parse::<ClientKind>()),
    };
    let name = errors.take(
        "name",
        Label::parse(input.name.as_deref().unwrap_or(""), NAME_MAX),
    );
    let mut text = |field: &str, value: &Option<Option<String>>, max| {
        errors
            .take(field, optional(value.clone().flatten().as_deref(), max))
            .flatten()
    };
    let legal_name = text("legal_name", &input.legal_name, NAME_MAX);
    let tax_id = text("tax_id", &input.tax_id, 64);
    let registration_number = text("registration_number", &input.registration_number, 64);
    let bank_details = text("bank_details", &input.bank_details, TEXT_MAX);
    let status = text("status", &input.status, 64);
    let advertising_source = text("advertising_source", &input.advertising_source, 200);
    let notes = text("notes", &input.notes, TEXT_MAX);
    let external_id = text("external_id", &input.external_id, 200);
    let addresses = parse_addresses(input.addresses.as_deref().unwrap_or_default(), &mut errors);
    let phones = parse_phones(
        input.phones.as_deref().unwrap_or_default(),
        region,
        &mut errors,
    );
    let emails = parse_emails(input.emails.as_deref().unwrap_or_default(), &mut errors);
    let attributes = parse_attributes(input.attributes.as_ref(), defs, &mut errors)
        .into_iter()
        .filter_map(|(id, v)| Some((id, v?)))
        .collect();
    errors.finish(|| NewClient {
        kind: kind.expect("checked"),
        name: name.expect("checked"),
        legal_name,
        tax_id,
        registration_number,
        bank_details,
        status,
        advertising_source,
        responsible_id: input.responsible_id,
        notes,
        external_id,
        addresses,
        phones,
        emails,
        attributes,
        classifier: input.classifier.unwrap_or_default(),
    })
}

fn parse_client_patch(
    input: ClientInput,
    region: Region,
    defs: &[AttributeDef],
) -> Result<ClientPatch, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = input
        .kind
        .as_deref()
        .and_then(|k| errors.take("kind", k.parse::<ClientKind>()));
    let name = input
        .name
        .as_deref()
        .and_then(|n| errors.take("name", Label::parse(n, NAME_MAX)));
    let mut text = |field: &str, value: Option<Option<String>>, max| {
        value.and_then(|v| errors.take(field, optional(v.as_deref(), max)))
    };
    let patch_text = ClientPatch {
        legal_name: text("legal_name", input.legal_name, NAME_MAX),
        tax_id: text("tax_id", input.tax_id, 64),
        registration_number: text("registration_number", input.registration_number, 64),
        bank_details: text("bank_details", input.bank_details, TEXT_MAX),
        status: text("status", input.status, 64),
        advertising_source: text("advertising_source", input.advertising_source, 200),
        notes: text("notes", input.notes, TEXT_MAX),
        external_id: text("external_id", input.external_id, 200),
        ..ClientPatch::default()
    };
    let addresses = input
        .addresses
        .as_deref()
        .map(|a| parse_addresses(a, &mut errors));
    let phones = input
        .phones
        .as_deref()
        .map(|p| parse_phones(p, region, &mut errors));
    let emails = input
        .emails
        .as_deref()
        .map(|e| parse_emails(e, &mut errors));
    let attributes = input
        .attributes
        .as_ref()
        .map(|a| parse_attributes(Some(a), defs, &mut errors));
    errors.finish(|| ClientPatch {
        kind,
        name,
        responsible_id: input.responsible_id,
        addresses,
        phones,
        emails,
        attributes,
        classifier: input.classifier,
        ..patch_text
    })
}

fn parse_phones(input: &[PhoneInput], region: Region, errors: &mut FieldErrors) -> Vec<PhoneEntry> {
    input
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let phone = errors.take(
                format!("phones[{i}].number"),
                Phone::parse(p.number.as_deref().unwrap_or(""), region),
            )?;
            let kind = errors.take(format!("phones[{i}].kind"), optional(p.kind.as_deref(), 32))?;
            Some(PhoneEntry { phone, kind })
        })
        .collect()
}

fn parse_emails(input: &[EmailInput], errors: &mut FieldErrors) -> Vec<Email> {
    input
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            errors.take(
                format!("emails[{i}].address"),
                Email::parse(e.address.as_deref().unwrap_or("")),
            )
        })
        .collect()
}

fn parse_addresses(input: &[AddressInput], errors: &mut FieldErrors) -> Vec<Address> {
    input
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let kind = match a.kind.as_deref() {
                None | Some("") => Some(AddressKind::Other),
                Some(k) => errors.take(format!("addresses[{i}].kind"), k.parse::<AddressKind>()),
            };
            let text = errors.take(
                format!("addresses[{i}].text"),
                Label::parse(a.text.as_deref().unwrap_or(""), 500),
            );
            Some(Address {
                kind: kind?,
                text: text?.into_string(),
            })
        })
        .collect()
}

/// Checks each value against its definition; `None` values mean "remove".
fn parse_attributes(
    input: Option<&serde_json::Map<String, Value>>,
    defs: &[AttributeDef],
    errors: &mut FieldErrors,
) -> Vec<(AttributeId, Option<String>)> {
    let Some(input) = input else {
        return Vec::new();
    };
    input
        .iter()
        .filter_map(|(key, value)| {
            let field = format!("attributes.{key}");
            let Some(def) = defs.iter().find(|d| &d.key == key) else {
                errors.add(field, "no such attribute");
                return None;
            };
            if value.is_null() {
                return Some((def.id, None));
            }
            errors
                .take(field, def.parse_value(value))
                .map(|v| (def.id, Some(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: Value) -> ClientInput {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = parse_new_client(
            input(json!({"kind": "company", "phones": [{"number": "12"}, {"number": "+1 202 555 0143"}], "emails": [{"address": "x"}]})),
            Region::default(),
            &[],
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["kind", "name", "phones[0].number", "emails[0].address"]
        );
    }

    #[test]
    fn a_patch_tells_null_from_absent() {
        let patch =
            parse_client_patch(input(json!({"status": null})), Region::default(), &[]).unwrap();
        assert_eq!(patch.status, Some(None));
        assert_eq!(patch.notes, None);
    }
}
