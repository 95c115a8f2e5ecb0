//! `switchboard demo` loads the same data set on both databases, once.

mod support;

use std::path::Path;

use switchboard::crm::FieldErrors;
use switchboard::crm::access::ClientScope;
use switchboard::crm::clients::ClientFilter;
use switchboard::crm::page::PageRequest;
use switchboard::crm::users::{Password, Username};
use switchboard::phone::Region;

async fn loads_once_with_users_rights_and_findable_phones(url: &str) {
    let repo = switchboard::storage::open(url).await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let report = switchboard::demo::load(repo.as_ref(), Region::parse("US").unwrap(), &dir)
        .await
        .unwrap();
    assert!(!report.already_loaded);
    assert_eq!(report.clients, 1000);
    assert!(report.interactions >= 1000 && report.tasks > 100);
    assert_eq!(report.users.len(), 6);

    let agent1 = repo
        .credentials(&Username::parse("agent1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(Password::verify("demo", &agent1.password_hash));

    // agent1 reaches only their own clients, and there are some.
    let page = PageRequest::parse(Some(200), None, &mut FieldErrors::new()).unwrap();
    let own = repo
        .clients(
            ClientScope::Own(agent1.user_id),
            &ClientFilter::default(),
            &page,
        )
        .await
        .unwrap();
    assert!(!own.items.is_empty());
    assert!(
        own.items
            .iter()
            .all(|c| c.responsible_id == Some(agent1.user_id))
    );

    // Phones written in several countries' formats are all found by E.164.
    let first = repo
        .client(ClientScope::All, own.items[0].id)
        .await
        .unwrap();
    let pop = repo
        .lookup_phone(
            ClientScope::All,
            &first.phones[0].e164,
            switchboard::runtime::clock::now(),
        )
        .await
        .unwrap()
        .expect("the demo phone is found");
    assert_eq!(pop.client.id, first.id);
    let countries: std::collections::HashSet<_> = own
        .items
        .iter()
        .filter_map(|c| c.primary_phone.as_deref())
        .map(|p| {
            if p.starts_with('+') {
                p.split(' ').next().unwrap().to_string()
            } else {
                "national".into()
            }
        })
        .collect();
    assert!(countries.len() >= 3, "{countries:?}");

    let again = switchboard::demo::load(repo.as_ref(), Region::parse("US").unwrap(), &dir)
        .await
        .unwrap();
    assert!(again.already_loaded);
    let all = repo
        .clients(
            ClientScope::All,
            &ClientFilter::default().with_text("DEMO"),
            &page,
        )
        .await
        .unwrap();
    assert!(all.items.len() <= 200, "no duplicate load");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_sqlite() {
    let db = support::TestDatabase::sqlite();
    loads_once_with_users_rights_and_findable_phones(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_postgres() {
    let db = support::TestDatabase::postgres().await;
    loads_once_with_users_rights_and_findable_phones(db.url()).await;
}
