//! From CSV text to [`NewClient`]: the header names the columns, each row is
//! turned into the API's [`ClientInput`] and parsed by the very function the
//! API uses, so a row is accepted exactly when the same client sent to
//! `POST /api/v1/clients` would be.

use std::collections::HashMap;

use csv::StringRecord;
use serde_json::Value;

use crate::api::clients::{AddressInput, ClientInput, EmailInput, PhoneInput, parse_new_client};
use crate::crm::FieldErrors;
use crate::crm::attributes::{AttributeDef, AttributeKind};
use crate::crm::classifier::ClassifierNode;
use crate::crm::clients::NewClient;
use crate::crm::import::{ImportColumn, ImportColumns, MatchField};
use crate::crm::text::fold;
use crate::ids::{NodeId, UserId};
use crate::phone::Region;

/// Separates several phones, e-mails or classifier nodes in one cell.
pub const LIST_SEPARATOR: char = ';';

/// What one column of the file holds.
#[derive(Debug, Clone)]
enum Column {
    Known(ImportColumn),
    Attribute(AttributeDef),
}

/// The file's columns, checked once before any row is read.
#[derive(Debug, Clone)]
pub struct Header {
    columns: Vec<Column>,
    /// The definitions of the `attr.KEY` columns.
    defs: Vec<AttributeDef>,
    /// What an update may change.
    pub present: ImportColumns,
}

impl Header {
    /// Names every problem at once: unknown columns, unknown attributes,
    /// duplicates, and the required `kind`, `name` and match columns.
    pub fn parse(
        names: &StringRecord,
        defs: &[AttributeDef],
        field: MatchField,
    ) -> Result<Self, String> {
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        for name in names.iter().map(str::trim) {
            let column = if let Some(key) = name.strip_prefix("attr.") {
                match defs.iter().find(|d| d.key == key) {
                    Some(def) => Column::Attribute(def.clone()),
                    None => {
                        problems.push(format!("no attribute {key:?} (column {name:?})"));
                        continue;
                    }
                }
            } else {
                match name.parse::<ImportColumn>() {
                    Ok(column) => Column::Known(column),
                    Err(_) => {
                        problems.push(format!("unknown column {name:?}"));
                        continue;
                    }
                }
            };
            if columns.iter().any(|c| same(c, &column)) {
                problems.push(format!("column {name:?} appears twice"));
            }
            columns.push(column);
        }
        let known: Vec<ImportColumn> = columns
            .iter()
            .filter_map(|c| match c {
                Column::Known(k) => Some(*k),
                Column::Attribute(_) => None,
            })
            .collect();
        let match_column: ImportColumn = field
            .as_str()
            .parse()
            .expect("every match field is a column");
        for required in [ImportColumn::Kind, ImportColumn::Name, match_column] {
            if !known.contains(&required) {
                problems.push(format!("the column \"{}\" is required", required.as_str()));
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let attributes = columns
            .iter()
            .filter_map(|c| match c {
                Column::Attribute(def) => Some(def.id),
                Column::Known(_) => None,
            })
            .collect();
        let defs = columns
            .iter()
            .filter_map(|c| match c {
                Column::Attribute(def) => Some(def.clone()),
                Column::Known(_) => None,
            })
            .collect();
        Ok(Header {
            columns,
            defs,
            present: ImportColumns::new(known, attributes),
        })
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

fn same(a: &Column, b: &Column) -> bool {
    match (a, b) {
        (Column::Known(a), Column::Known(b)) => a == b,
        (Column::Attribute(a), Column::Attribute(b)) => a.id == b.id,
        _ => false,
    }
}

/// Names the file refers to, resolved to ids once per import.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Region of national phone forms when a row has no `region`.
    pub region: Region,
    users: HashMap<String, UserId>,
    /// Folded node paths (`temperature/hot`) to node ids.
    nodes: HashMap<String, NodeId>,
}

impl Lookups {
    pub fn new(
        region: Region,
        users: impl IntoIterator<Item = (String, UserId)>,
        nodes: &[ClassifierNode],
    ) -> Self {
        Lookups {
            region,
            users: users.into_iter().collect(),
            nodes: node_paths(nodes),
        }
    }
}

/// Each node's path of names from its root, `Temperature/hot`, folded.
fn node_paths(nodes: &[ClassifierNode]) -> HashMap<String, NodeId> {
    let by_id: HashMap<NodeId, &ClassifierNode> = nodes.iter().map(|n| (n.id, n)).collect();
    nodes
        .iter()
        .map(|node| {
            let mut names = vec![node.name.as_str()];
            let mut parent = node.parent_id;
            // A stored tree has no cycles; the bound guards against a corrupt one.
            while let Some(p) = parent
                .and_then(|id| by_id.get(&id))
                .filter(|_| names.len() < 64)
            {
                names.push(p.name.as_str());
                parent = p.parent_id;
            }
            names.reverse();
            (fold(&names.join("/")), node.id)
        })
        .collect()
}

/// Parses one row; the errors name the file's columns.
pub fn parse_row(
    header: &Header,
    record: &StringRecord,
    lookups: &Lookups,
    field: MatchField,
) -> Result<NewClient, FieldErrors> {
    if record.len() != header.len() {
        return Err(FieldErrors::single(
            "row",
            format!(
                "has {} fields, the header has {}",
                record.len(),
                header.len()
            ),
        ));
    }
    let mut errors = FieldErrors::new();
    let mut input = ClientInput::default();
    let mut attributes = serde_json::Map::new();
    let mut region = lookups.region;
    let mut phones: Vec<&str> = Vec::new();
    let mut emails: Vec<&str> = Vec::new();
    let mut classifier = Vec::new();
    for (column, cell) in header.columns.iter().zip(record.iter()) {
        let text = || Some(Some(cell.to_string()));
        match column {
            Column::Attribute(def) => {
                if !cell.trim().is_empty() {
                    attributes.insert(def.key.clone(), attribute_value(def, cell));
                }
            }
            Column::Known(known) => match known {
                ImportColumn::Kind => input.kind = Some(cell.trim().to_string()),
                ImportColumn::Name => input.name = Some(cell.to_string()),
                ImportColumn::LegalName => input.legal_name = text(),
                ImportColumn::TaxId => input.tax_id = text(),
                ImportColumn::RegistrationNumber => input.registration_number = text(),
                ImportColumn::BankDetails => input.bank_details = text(),
                ImportColumn::Status => input.status = text(),
                ImportColumn::AdvertisingSource => input.advertising_source = text(),
                ImportColumn::ExternalId => input.external_id = text(),
                ImportColumn::Notes => input.notes = text(),
                ImportColumn::Phone => phones = list(cell),
                ImportColumn::Email => emails = list(cell),
                ImportColumn::Address => {
                    input.addresses = Some(
                        Some(cell.trim())
                            .filter(|t| !t.is_empty())
                            .map(|t| AddressInput {
                                kind: None,
                                text: Some(t.to_string()),
                            })
                            .into_iter()
                            .collect(),
                    );
                }
                ImportColumn::Responsible => {
                    input.responsible_id = resolve_user(cell, lookups, &mut errors);
                }
                ImportColumn::Classifier => classifier = resolve_nodes(cell, lookups, &mut errors),
                ImportColumn::Region => {
                    if !cell.trim().is_empty() {
                        region = errors.take("region", Region::parse(cell)).unwrap_or(region);
                    }
                }
            },
        }
    }
    input.phones = Some(
        phones
            .iter()
            .map(|p| PhoneInput {
                number: Some(p.to_string()),
                kind: None,
            })
            .collect(),
    );
    input.emails = Some(
        emails
            .iter()
            .map(|e| EmailInput {
                address: Some(e.to_string()),
            })
            .collect(),
    );
    input.attributes = Some(attributes);
    input.classifier = Some(classifier);
    let parsed =
        parse_new_client(input, region, &header.defs).map_err(|e| columns_of(e, &phones, &emails));
    let client = match parsed {
        Ok(client) => client,
        Err(more) => {
            for e in more.into_vec() {
                errors.add(e.field, e.message);
            }
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    if field.key(&client).is_none() {
        return Err(FieldErrors::single(
            field.as_str(),
            "is needed to match the row with a stored client",
        ));
    }
    Ok(client)
}

/// The non-empty items of a list cell.
fn list(cell: &str) -> Vec<&str> {
    cell.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// CSV cells are text; a boolean attribute takes `true` or `false`.
fn attribute_value(def: &AttributeDef, cell: &str) -> Value {
    match (def.kind, cell.trim()) {
        (AttributeKind::Boolean, "true") => Value::Bool(true),
        (AttributeKind::Boolean, "false") => Value::Bool(false),
        _ => Value::String(cell.to_string()),
    }
}

fn resolve_user(cell: &str, lookups: &Lookups, errors: &mut FieldErrors) -> Option<UserId> {
    let name = cell.trim().to_lowercase();
    if name.is_empty() {
        return None;
    }
    let user = lookups.users.get(&name).copied();
    if user.is_none() {
        errors.add("responsible", format!("no user {name:?}"));
    }
    user
}

fn resolve_nodes(cell: &str, lookups: &Lookups, errors: &mut FieldErrors) -> Vec<NodeId> {
    list(cell)
        .into_iter()
        .filter_map(|path| {
            let folded = fold(&path.split('/').map(str::trim).collect::<Vec<_>>().join("/"));
            let node = lookups.nodes.get(&folded).copied();
            if node.is_none() {
                errors.add("classifier", format!("no node {path:?}"));
            }
            node
        })
        .collect()
}

/// Renames the API's fields (`phones[1].number`) after the file's columns
/// (`phone`), quoting the item at fault.
fn columns_of(errors: FieldErrors, phones: &[&str], emails: &[&str]) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for e in errors.into_vec() {
        let item = |list: &[&str], rest: &str| {
            let index: usize = rest
                .split(']')
                .next()
                .and_then(|i| i.parse().ok())
                .unwrap_or(0);
            list.get(index)
                .map_or(String::new(), |text| format!("{text:?} "))
        };
        let (column, message) = if let Some(rest) = e.field.strip_prefix("phones[") {
            (
                "phone".to_string(),
                format!("{}{}", item(phones, rest), e.message),
            )
        } else if let Some(rest) = e.field.strip_prefix("emails[") {
            (
                "email".to_string(),
                format!("{}{}", item(emails, rest), e.message),
            )
        } else if e.field.starts_with("addresses[") {
            ("address".to_string(), e.message)
        } else if let Some(key) = e.field.strip_prefix("attributes.") {
            (format!("attr.{key}"), e.message)
        } else {
            (e.field, e.message)
        };
        renamed.add(column, message);
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AttributeId;

    fn record(cells: &[&str]) -> StringRecord {
        StringRecord::from(cells.to_vec())
    }

    fn tier() -> AttributeDef {
        AttributeDef {
            id: AttributeId(1),
            key: "tier".into(),
            label: "Tier".into(),
            kind: AttributeKind::Choice,
            choices: vec!["gold".into()],
        }
    }

    fn lookups() -> Lookups {
        let nodes = [
            ClassifierNode {
                id: NodeId(1),
                parent_id: None,
                name: "Temperature".into(),
            },
            ClassifierNode {
                id: NodeId(2),
                parent_id: Some(NodeId(1)),
                name: "hot".into(),
            },
        ];
        Lookups::new(
            Region::default(),
            [("agent1".to_string(), UserId(7))],
            &nodes,
        )
    }

    #[test]
    fn a_header_names_every_problem() {
        let names = record(&["name", "colour", "attr.size", "name"]);
        let err = Header::parse(&names, &[tier()], MatchField::ExternalId).unwrap_err();
        assert!(err.contains("unknown column \"colour\""), "{err}");
        assert!(err.contains("no attribute \"size\""), "{err}");
        assert!(err.contains("\"name\" appears twice"), "{err}");
        assert!(err.contains("\"kind\" is required"), "{err}");
        assert!(err.contains("\"external_id\" is required"), "{err}");
    }

    #[test]
    fn a_good_row_becomes_a_client() {
        let names = record(&[
            "kind",
            "name",
            "phone",
            "region",
            "responsible",
            "classifier",
            "attr.tier",
            "external_id",
        ]);
        let header = Header::parse(&names, &[tier()], MatchField::Phone).unwrap();
        let row = record(&[
            "legal",
            "Acme",
            "030 1234567; +44 20 7946 0958",
            "DE",
            "Agent1",
            "temperature / HOT",
            "gold",
            "",
        ]);
        let client = parse_row(&header, &row, &lookups(), MatchField::Phone).unwrap();
        let phones: Vec<&str> = client.phones.iter().map(|p| p.phone.e164()).collect();
        assert_eq!(phones, vec!["+49301234567", "+442079460958"]);
        assert_eq!(client.responsible_id, Some(UserId(7)));
        assert_eq!(client.classifier, vec![NodeId(2)]);
        assert_eq!(
            client.attributes,
            vec![(AttributeId(1), "gold".to_string())]
        );
        assert_eq!(client.external_id, None);
    }

    #[test]
    fn a_bad_row_names_the_columns_at_fault() {
        let names = record(&[
            "kind",
            "name",
            "phone",
            "email",
            "responsible",
            "attr.tier",
            "external_id",
        ]);
        let header = Header::parse(&names, &[tier()], MatchField::ExternalId).unwrap();
        let row = record(&[
            "firm",
            "",
            "(202) 555-0143;12",
            "x",
            "nobody",
            "silver",
            "E1",
        ]);
        let errors = parse_row(&header, &row, &lookups(), MatchField::ExternalId).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["responsible", "kind", "name", "phone", "email", "attr.tier"]
        );
        let phone = errors.iter().find(|e| e.field == "phone").unwrap();
        assert!(phone.message.starts_with("\"12\" "), "{}", phone.message);
        let short = record(&["legal", "Acme"]);
        let errors = parse_row(&header, &short, &lookups(), MatchField::ExternalId).unwrap_err();
        assert_eq!(errors.to_string(), "row: has 2 fields, the header has 7");
    }

    #[test]
    fn a_row_without_its_match_key_is_refused() {
        let header =
            Header::parse(&record(&["kind", "name", "email"]), &[], MatchField::Email).unwrap();
        let errors = parse_row(
            &header,
            &record(&["individual", "Ann", ""]),
            &lookups(),
            MatchField::Email,
        )
        .unwrap_err();
        assert_eq!(errors.iter().next().unwrap().field, "email");
    }
}
