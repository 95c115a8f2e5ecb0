//! Import speed: `cargo bench --bench import [-- sqlite|postgres [ROWS]]`.
//!
//! Generates ROWS clients (default 1,000,000) as CSV, imports them into a
//! fresh database by external_id (all created), then imports the same file
//! again (all updated), and prints rows per second for both passes.

mod common;

use std::io::Cursor;

use switchboard::crm::import::MatchField;
use switchboard::import::{Options, import_clients};
use switchboard::phone::Region;
use switchboard::runtime::clock;

fn main() {
    let args = common::Args::from_env();
    common::block_on(run(&args.backend(), args.number(1, 1_000_000u64)));
}

/// Parsing alone, on one thread: what the database stage competes with.
fn parse_only(text: &str) {
    use switchboard::import::rows::{Header, Lookups, parse_row};
    let started = std::time::Instant::now();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let field = MatchField::ExternalId;
    let header =
        Header::parse(reader.headers().expect("a header"), &[], field).expect("a good header");
    let lookups = Lookups::new(Region::parse("US").expect("US"), [], &[]);
    let (mut good, mut rows) = (0, 0);
    for record in reader.records().take(100_000) {
        rows += 1;
        good +=
            usize::from(parse_row(&header, &record.expect("a record"), &lookups, field).is_ok());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "parse only: {rows} rows ({good} good) in {secs:.2} s on one thread ({:.0} rows/s)",
        rows as f64 / secs
    );
}

async fn run(backend: &str, rows: u64) {
    let text = common::csv(rows);
    println!(
        "import bench: {rows} rows ({:.0} MB of CSV) into {backend}, load {}",
        text.len() as f64 / 1e6,
        common::load()
    );
    parse_only(&text);
    let (repo, _url, cleanup) = common::fresh_database(backend, "import").await;
    let options = Options::new(MatchField::ExternalId, Region::parse("US").expect("US"));
    for pass in ["create", "update"] {
        let input = Cursor::new(text.clone().into_bytes());
        let summary = import_clients(repo.clone(), input, &options, clock::now(), |_| {})
            .await
            .expect("the import runs");
        println!(
            "{pass:>6}: {summary}; {:.1} s of it storing; load {}",
            summary.storing.as_secs_f64(),
            common::load()
        );
        if let Some(first) = summary.rejected.first() {
            println!(
                "        first rejected: line {} {}",
                first.line, first.errors
            );
        }
    }
    cleanup.run().await;
}
