//! `import clients` end to end on SQLite and PostgreSQL: good and bad rows,
//! line numbers, upserts that update instead of duplicating, and bad rows
//! leaving nothing behind.

mod support;

use std::io::Cursor;
use std::sync::Arc;

use switchboard::crm::Repository;
use switchboard::crm::access::{ClientScope, Role};
use switchboard::crm::attributes::NewAttributeDef;
use switchboard::crm::clients::{ClientFilter, ClientSummary};
use switchboard::crm::import::MatchField;
use switchboard::crm::page::PageRequest;
use switchboard::crm::users::{NewUser, Password, Username};
use switchboard::import::{Options, Summary, import_clients};
use switchboard::phone::Region;
use switchboard::runtime::clock;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::Db::sqlite().await;
                super::$name(db.repo.clone()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::Db::postgres().await;
                super::$name(db.repo.clone()).await;
            })*
        }
    };
}

on_both_backends!(
    good_rows_go_in_and_bad_rows_are_reported_by_line,
    a_second_import_updates_instead_of_duplicating,
    a_row_refused_by_storage_is_rejected_alone,
);

const FIRST: &str = "\
kind,name,external_id,phone,email,responsible,attr.tier,notes
legal,Acme Ltd,E1,(202) 555-0143;+44 20 7946 0958,info@acme.com,agent1,gold,first
individual,Hans Müller,E2,+49 30 1234567,hans@example.de,,,
individual,Bad Phone,E3,12,bad@example.com,,,
company,Bad Kind,E4,(202) 555-0144,,,,
legal,Acme Limited,E1,(202) 555-0143,info@acme.com,,silver,same file again
individual,Bad Tier,E5,(202) 555-0145,,,bronze,
individual,Nobody's,E6,(202) 555-0146,,nobody,,
";

async fn good_rows_go_in_and_bad_rows_are_reported_by_line(repo: Arc<dyn Repository>) {
    // Batches of 2 so that bad rows fall in batches with good ones.
    let summary = import(&repo, FIRST, MatchField::ExternalId, 2).await;
    assert_eq!((summary.rows, summary.created, summary.updated), (7, 2, 1));
    let lines: Vec<u64> = summary.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 5, 7, 8]);
    let fields = |i: usize| -> Vec<String> {
        summary.rejected[i]
            .errors
            .iter()
            .map(|e| e.field.clone())
            .collect()
    };
    assert_eq!(fields(0), vec!["phone"]);
    assert_eq!(fields(1), vec!["kind"]);
    assert_eq!(fields(2), vec!["attr.tier"]);
    assert_eq!(fields(3), vec!["responsible"]);

    let clients = all_clients(&repo).await;
    let names: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Acme Limited", "Hans Müller"]);
    // Nothing of the bad rows: neither the clients nor their phones.
    for phone in ["+12025550144", "+12025550145", "+12025550146"] {
        let found = repo
            .lookup_phone(ClientScope::All, phone, clock::now())
            .await
            .unwrap();
        assert!(found.is_none(), "{phone}");
    }
    let acme = repo
        .lookup_phone(ClientScope::All, "+12025550143", clock::now())
        .await
        .unwrap()
        .unwrap();
    // The later row of the same key won, with its single phone.
    assert_eq!(acme.client.phones.len(), 1);
    assert_eq!(acme.client.notes.as_deref(), Some("same file again"));
    assert_eq!(acme.client.attributes["tier"], "silver");
    assert_eq!(acme.client.responsible_name.as_deref(), Some("Agent One"));
}

async fn a_second_import_updates_instead_of_duplicating(repo: Arc<dyn Repository>) {
    import(&repo, FIRST, MatchField::ExternalId, 1000).await;
    let second = "\
kind,name,external_id,phone
legal,Acme Renamed,E1,(202) 555-0199
individual,Newcomer,E7,(202) 555-0198
";
    let summary = import(&repo, second, MatchField::ExternalId, 1000).await;
    assert_eq!(
        (summary.created, summary.updated, summary.rejected.len()),
        (1, 1, 0)
    );
    let clients = all_clients(&repo).await;
    assert_eq!(clients.len(), 3);
    let acme = repo
        .lookup_phone(ClientScope::All, "+12025550199", clock::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acme.client.name, "Acme Renamed");
    // Columns the second file lacks are kept.
    assert_eq!(acme.client.emails[0].address, "info@acme.com");
    assert_eq!(acme.client.attributes["tier"], "silver");
    // Matching by phone finds the same client again.
    let by_phone = "kind,name,phone\nlegal,Acme By Phone,+1 202 555 0199\n";
    let summary = import(&repo, by_phone, MatchField::Phone, 1000).await;
    assert_eq!((summary.created, summary.updated), (0, 1));
    assert_eq!(all_clients(&repo).await.len(), 3);
}

async fn a_row_refused_by_storage_is_rejected_alone(repo: Arc<dyn Repository>) {
    import(&repo, FIRST, MatchField::ExternalId, 1000).await;
    // Matched by tax id, the second row would take the external id E2 of
    // another client: storage refuses it, the rest of its batch goes in.
    let text = "\
kind,name,tax_id,external_id
legal,Taxed One,T1,X1
legal,Taxed Two,T2,E2
legal,Taxed Three,T3,X3
";
    let summary = import(&repo, text, MatchField::TaxId, 1000).await;
    assert_eq!((summary.created, summary.updated), (2, 0));
    assert_eq!(summary.rejected.len(), 1);
    assert_eq!(summary.rejected[0].line, 3);
    assert_eq!(
        summary.rejected[0].errors.iter().next().unwrap().field,
        "external_id"
    );
    let names: Vec<String> = all_clients(&repo)
        .await
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(names.contains(&"Taxed Three".to_string()));
    assert!(!names.contains(&"Taxed Two".to_string()));
}

/// The indexes of a SQLite file, by name.
async fn sqlite_indexes(url: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

/// An import into an empty SQLite base is one transaction that builds the
/// name, phone and e-mail indexes at its end: they are all there after it,
/// and still there when a load is abandoned half-way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_load_into_an_empty_base_ends_with_every_index() {
    let db = support::TestDatabase::sqlite();
    let repo = seeded(db.url()).await;
    let before = sqlite_indexes(db.url()).await;
    assert!(before.contains(&"phones_e164".to_string()), "{before:?}");

    let load = repo
        .begin_bulk_load()
        .await
        .unwrap()
        .expect("a bulk load into an empty base");
    drop(load);
    assert_eq!(sqlite_indexes(db.url()).await, before);

    let summary = import(&repo, FIRST, MatchField::ExternalId, 2).await;
    assert_eq!((summary.created, summary.rejected.len()), (2, 4));
    assert_eq!(sqlite_indexes(db.url()).await, before);
    let found = repo
        .lookup_phone(ClientScope::All, "+49301234567", clock::now())
        .await
        .unwrap();
    assert_eq!(found.unwrap().client.name, "Hans Müller");
    // The base is no longer empty: the next import goes batch by batch.
    assert!(repo.begin_bulk_load().await.unwrap().is_none());
}

/// A bulk load runs without foreign keys, so it checks what rows point at
/// itself: a responsible user, attribute or classifier node that is gone
/// (deleted after the file was read) refuses that batch alone, and the
/// load goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_load_refuses_references_to_what_is_gone() {
    use switchboard::crm::clients::{ClientKind, NewClient};
    use switchboard::crm::import::{ImportColumns, Upserted};
    use switchboard::crm::text::Label;
    use switchboard::ids::{AttributeId, NodeId, UserId};

    let db = support::TestDatabase::sqlite();
    let repo = seeded(db.url()).await;
    let client = |n: u32| NewClient {
        kind: ClientKind::Individual,
        name: Label::parse(&format!("Client {n}"), 100).unwrap(),
        legal_name: None,
        tax_id: None,
        registration_number: None,
        bank_details: None,
        status: None,
        advertising_source: None,
        responsible_id: None,
        notes: None,
        external_id: Some(format!("X{n}")),
        addresses: vec![],
        phones: vec![],
        emails: vec![],
        attributes: vec![],
        classifier: vec![],
    };
    let mut load = repo
        .begin_bulk_load()
        .await
        .unwrap()
        .expect("a bulk load into an empty base");
    let (admin, columns, field) = (UserId(1), ImportColumns::default(), MatchField::ExternalId);
    let mut gone_user = client(1);
    gone_user.responsible_id = Some(UserId(999));
    let mut gone_attribute = client(2);
    gone_attribute.attributes = vec![(AttributeId(999), "x".into())];
    let mut gone_node = client(3);
    gone_node.classifier = vec![NodeId(999)];
    for (bad, field_at_fault) in [
        (gone_user, "rows[0].responsible"),
        (gone_attribute, "rows[0].attributes"),
        (gone_node, "rows[0].classifier"),
    ] {
        let refused = load
            .upsert_clients(admin, field, &columns, &[bad], clock::now())
            .await
            .expect_err("a dangling reference is refused");
        let errors = format!("{refused:?}");
        assert!(errors.contains(field_at_fault), "{errors}");
    }
    let written = load
        .upsert_clients(
            admin,
            field,
            &columns,
            &[client(4), client(4)],
            clock::now(),
        )
        .await
        .unwrap();
    assert!(matches!(written[..], [Upserted::Created(a), Upserted::Updated(b)] if a == b));
    load.finish().await.unwrap();
    let names: Vec<String> = all_clients(&repo)
        .await
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["Client 4"]);
}

async fn import(
    repo: &Arc<dyn Repository>,
    text: &str,
    field: MatchField,
    batch: usize,
) -> Summary {
    let mut options = Options::new(field, Region::parse("US").unwrap());
    options.batch_rows = batch;
    let input = Cursor::new(text.as_bytes().to_vec());
    import_clients(repo.clone(), input, &options, clock::now(), |_| {})
        .await
        .unwrap()
}

async fn all_clients(repo: &Arc<dyn Repository>) -> Vec<ClientSummary> {
    let page = PageRequest {
        limit: 100,
        after: None,
    };
    repo.clients(ClientScope::All, &ClientFilter::default(), &page)
        .await
        .unwrap()
        .items
}

/// A fresh database with an admin, an agent and a `tier` attribute; a
/// PostgreSQL database is dropped with it.
/// A seeded repository over a fresh database that lives as long as it does.
struct Db {
    repo: Arc<dyn Repository>,
    _db: support::TestDatabase,
}

impl Db {
    async fn sqlite() -> Self {
        Self::seed(support::TestDatabase::sqlite()).await
    }

    async fn postgres() -> Self {
        Self::seed(support::TestDatabase::postgres().await).await
    }

    async fn seed(db: support::TestDatabase) -> Self {
        Db {
            repo: seeded(db.url()).await,
            _db: db,
        }
    }
}

async fn seeded(url: &str) -> Arc<dyn Repository> {
    let repo = switchboard::storage::open(url).await.unwrap();
    // One hash for both users: argon2 is slow on purpose.
    let hash = Password::parse("secret").unwrap().hash();
    for (name, display, role) in [
        ("admin", "Ada Admin", Role::Admin),
        ("agent1", "Agent One", Role::Agent),
    ] {
        let user = NewUser {
            username: Username::parse(name).unwrap(),
            display_name: display.into(),
            password_hash: hash.clone(),
            role,
            team_id: None,
        };
        repo.create_user(user, clock::now()).await.unwrap();
    }
    let tier = NewAttributeDef::parse("tier", "Tier", "choice", &["gold".into(), "silver".into()])
        .unwrap();
    repo.create_attribute_def(tier, clock::now()).await.unwrap();
    repo
}
