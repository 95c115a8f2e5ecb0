//! Shared by the benches: a deterministic generator of client CSV rows with
//! realistic names and phones written in several countries' forms, and a
//! fresh database per run.

#![allow(dead_code)] // each bench uses a part

use std::fmt::Write as _;
use std::sync::Arc;

use switchboard::crm::Repository;
use switchboard::crm::access::Role;
use switchboard::crm::users::{NewUser, Password, Username};

/// SplitMix64: tiny, fast and the same on every machine, so every run
/// imports the same file.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Hans",
    "Greta",
    "Jürgen",
    "Ivan",
    "Olga",
    "Dmitri",
    "Natalia",
    "Pierre",
    "Camille",
    "Amélie",
    "Oliver",
    "Amelia",
    "Giulia",
    "Marco",
    "Yuki",
    "Sofia",
    "Lucas",
    "Chloé",
    "Aleksandr",
    "Emma",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Müller", "Schmidt", "Weber", "Ivanov", "Petrova", "Smirnov",
    "Dubois", "Lefèvre", "Martin", "Taylor", "Brown", "Rossi", "Bianchi", "Tanaka", "García",
    "Kowalski", "Novak",
];
const COMPANY: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Nordwind",
    "Sever",
    "Lumière",
    "Vostok",
    "Alpenglück",
    "Hooli",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Zenith",
];
const SUFFIX: &[&str] = &["Ltd", "GmbH", "LLC", "SARL", "OOO", "Inc.", "AG", "plc"];
const STATUS: &[&str] = &["lead", "prospect", "active", "inactive"];
const SOURCE: &[&str] = &["web", "referral", "exhibition", "cold call", "partner"];
/// US area codes, all valid for the US numbering plan.
const US_AREAS: &[&str] = &[
    "202", "212", "305", "312", "415", "617", "713", "206", "303", "404",
];

/// The CSV header the rows below follow.
pub const HEADER: &str =
    "kind,name,legal_name,tax_id,status,advertising_source,external_id,phone,email,address";

/// One client numbered `n` (unique numbers, e-mails and external ids); its
/// first phone, the US national form, is what lookups use.
pub fn row(n: u64, rng: &mut Rng, out: &mut String) {
    let legal = rng.below(3) == 0;
    let (kind, name) = if legal {
        let name = format!("{} {} {}", rng.pick(COMPANY), n, rng.pick(SUFFIX));
        ("legal", name)
    } else {
        (
            "individual",
            format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
        )
    };
    let legal_name = if legal { name.clone() } else { String::new() };
    let tax_id = if legal {
        format!("TX{n:09}")
    } else {
        String::new()
    };
    // A second phone in another country's form, written as people do.
    let second = match n % 4 {
        0 => format!("+44 20 7946 {:04}", n % 10_000),
        1 => format!("+49 30 {:07}", 1_000_000 + n % 9_000_000),
        2 => format!(
            "+7 495 {:03}-{:02}-{:02}",
            100 + n % 900,
            n / 900 % 100,
            n / 90_000 % 100
        ),
        _ => format!(
            "+33 1 42 {:02} {:02} {:02}",
            n % 100,
            n / 100 % 100,
            n / 10_000 % 100
        ),
    };
    let _ = writeln!(
        out,
        "{kind},\"{name}\",\"{legal_name}\",{tax_id},{},{},EXT{n:08},\"{};{second}\",client{n}@example.com,\"{} Main Street, Springfield\"",
        rng.pick(STATUS),
        rng.pick(SOURCE),
        us_national(n),
        1 + n % 999,
    );
}

/// A US number unique per `n` below 10 million, in national form.
pub fn us_national(n: u64) -> String {
    let area = US_AREAS[(n % US_AREAS.len() as u64) as usize];
    let rest = n / US_AREAS.len() as u64;
    // Exchanges 200..=999 are valid; 555 is avoided (mostly fictional).
    let exchange = 200 + rest / 10_000 % 800;
    let exchange = if exchange == 555 { 556 } else { exchange };
    format!("({area}) {exchange:03}-{:04}", rest % 10_000)
}

/// `rows` clients as one CSV text, header first.
pub fn csv(rows: u64) -> String {
    let mut rng = Rng::new(42);
    let mut out = String::with_capacity(rows as usize * 200);
    out.push_str(HEADER);
    out.push('\n');
    for n in 0..rows {
        row(n, &mut rng, &mut out);
    }
    out
}

/// Opens a fresh database for `backend` (`sqlite` or `postgres`) with one
/// admin, and a guard that removes it.
pub async fn fresh_database(backend: &str, name: &str) -> (Arc<dyn Repository>, String, Cleanup) {
    let (url, cleanup) = match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            (url, Cleanup::Sqlite(dir))
        }
        "postgres" => {
            use sqlx::Connection;
            let admin = std::env::var("DATABASE_URL_PG")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is unreachable: {e}"));
            let db = format!("sb_bench_{name}_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\"")))
                .execute(&mut conn)
                .await
                .expect("CREATE DATABASE");
            let server = admin.rsplit_once('/').expect("a database in the URL").0;
            (format!("{server}/{db}"), Cleanup::Postgres { admin, db })
        }
        other => panic!("unknown backend {other:?}: use sqlite or postgres"),
    };
    let repo = switchboard::storage::open(&url)
        .await
        .expect("open the database");
    let admin = NewUser {
        username: Username::parse("admin").expect("a valid name"),
        display_name: "Bench Admin".into(),
        password_hash: Password::parse(ADMIN_PASSWORD)
            .expect("a valid password")
            .hash(),
        role: Role::Admin,
        team_id: None,
    };
    repo.create_user(admin, switchboard::runtime::clock::now())
        .await
        .expect("create the admin");
    (repo, url, cleanup)
}

pub const ADMIN_PASSWORD: &str = "bench-pass";

pub enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin: String, db: String },
}

impl Cleanup {
    pub async fn run(self) {
        if let Cleanup::Postgres { admin, db } = self {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let sql = format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// `uptime`'s load averages, to print beside the figures.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The bench's positional arguments: the backend, then numbers. Cargo adds
/// `--bench`, which is skipped with every other flag.
pub struct Args(Vec<String>);

impl Args {
    pub fn from_env() -> Self {
        Args(
            std::env::args()
                .skip(1)
                .filter(|a| !a.starts_with("--"))
                .collect(),
        )
    }

    /// `sqlite` unless `postgres` is given.
    pub fn backend(&self) -> String {
        self.0.first().cloned().unwrap_or_else(|| "sqlite".into())
    }

    /// The positional argument at `index` (the backend is 0), or `default`.
    pub fn number<T: std::str::FromStr>(&self, index: usize, default: T) -> T {
        self.0
            .get(index)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    }
}

/// Runs a bench body on a multi-thread runtime, as the server runs.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}
