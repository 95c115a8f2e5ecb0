//! `switchboard demo` loads the same data set on both databases, once, and
//! adds whichever demo SIP extensions are missing on every run.

mod support;

use std::path::Path;

use switchboard::crm::access::ClientScope;
use switchboard::crm::clients::ClientFilter;
use switchboard::crm::page::PageRequest;
use switchboard::crm::sip_accounts::SipCredential;
use switchboard::crm::users::{Password, Username};
use switchboard::crm::{FieldErrors, Repository};
use switchboard::demo::DemoReport;
use switchboard::phone::Region;
use switchboard::sip::digest::Ha1Set;

const REALM: &str = "switchboard";

async fn loads_once_with_users_rights_findable_phones_and_extensions(url: &str) {
    let repo = switchboard::storage::open(url).await.unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let report = switchboard::demo::load(repo.as_ref(), Region::parse("US").unwrap(), REALM, &dir)
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

    let (changed, deleted) = sip_extensions_are_provisioned(repo.as_ref(), &report).await;

    let again = switchboard::demo::load(repo.as_ref(), Region::parse("US").unwrap(), REALM, &dir)
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

    // The second run puts back the extension the admin deleted and leaves
    // the password the admin changed.
    assert_eq!(again.sip.as_ref().unwrap().created, 1);
    assert!(again.to_string().contains("added 1 missing SIP extensions"));
    let credentials = repo.sip_credentials().await.unwrap();
    assert_eq!(credentials.len(), 20);
    assert_eq!(ha1_of(&credentials, "1001"), changed);
    assert_eq!(
        ha1_of(&credentials, &deleted),
        Ha1Set::derive(&deleted, REALM, &format!("demo{deleted}"))
    );
}

fn ha1_of(credentials: &[SipCredential], extension: &str) -> Ha1Set {
    credentials
        .iter()
        .find(|c| c.extension == extension)
        .unwrap_or_else(|| panic!("no credential for {extension}"))
        .ha1
        .clone()
}

/// Checks the twenty extensions (`demo<ext>` passwords, the first ones on
/// the agents), then changes 1001's password and deletes 1005 as an admin
/// would; returns 1001's new HA1 and the deleted extension.
async fn sip_extensions_are_provisioned(
    repo: &dyn Repository,
    report: &DemoReport,
) -> (Ha1Set, String) {
    assert_eq!(report.sip.as_ref().unwrap().created, 20);
    let printed = report.to_string();
    assert!(
        printed.contains("SIP extensions 1001–1020, password demo<extension>"),
        "{printed}"
    );
    let accounts = repo.sip_accounts().await.unwrap();
    let extensions: Vec<_> = accounts.iter().map(|a| a.extension.as_str()).collect();
    let expected: Vec<String> = (1001..=1020).map(|n| n.to_string()).collect();
    assert_eq!(extensions, expected);
    assert!(
        accounts
            .iter()
            .all(|a| a.enabled && a.display_name.is_some())
    );
    let user = |name: &'static str| async move {
        repo.credentials(&Username::parse(name).unwrap())
            .await
            .unwrap()
            .unwrap()
            .user_id
    };
    assert_eq!(accounts[0].user_id, Some(user("agent1").await));
    assert_eq!(accounts[0].display_name.as_deref(), Some("Anna Agent"));
    assert_eq!(accounts[1].user_id, Some(user("agent2").await));
    // The supervisor's extension, for listening in from their softphone.
    assert_eq!(accounts[2].user_id, Some(user("supervisor").await));
    assert!(accounts[3..].iter().all(|a| a.user_id.is_none()));

    let credentials = repo.sip_credentials().await.unwrap();
    assert_eq!(
        ha1_of(&credentials, "1001"),
        Ha1Set::derive("1001", REALM, "demo1001")
    );
    assert_eq!(
        ha1_of(&credentials, "1020"),
        Ha1Set::derive("1020", REALM, "demo1020")
    );

    let admin = user("admin").await;
    let now = switchboard::runtime::clock::now();
    let changed = Ha1Set::derive("1001", REALM, "changed-by-admin");
    repo.set_sip_password(admin, accounts[0].id, changed.clone(), now)
        .await
        .unwrap();
    repo.delete_sip_account(admin, accounts[4].id, now)
        .await
        .unwrap();
    (changed, accounts[4].extension.as_str().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_sqlite() {
    let db = support::TestDatabase::sqlite();
    loads_once_with_users_rights_findable_phones_and_extensions(db.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_on_postgres() {
    let db = support::TestDatabase::postgres().await;
    loads_once_with_users_rights_findable_phones_and_extensions(db.url()).await;
}
