//! Answering-machine detection accuracy on the fixtures of
//! fixtures/amd/cases.txt (spoken by espeak-ng, made by scripts/amd-fixtures):
//! each case's verdict, the confusion matrix, and how long the detector
//! listened before deciding.
//!   cargo bench --bench amd

#[path = "../tests/amd/fixtures.rs"]
mod fixtures;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures::make(dir.path());
    let judged: Vec<fixtures::Judged> = files.iter().map(|f| fixtures::judge(f)).collect();
    println!("{:<20} {:<28} {:>9}", "fixture", "verdict", "after ms");
    for j in &judged {
        let verdict = j
            .verdict
            .map_or("none".to_string(), |(v, r)| format!("{v:?} ({r:?})"));
        let mark = if fixtures::right(j) { "" } else { "  WRONG" };
        println!("{:<20} {:<28} {:>9.0}{mark}", j.file, verdict, j.after_ms);
    }
    let count = |machine: bool, said_machine: bool| {
        judged
            .iter()
            .filter(|j| j.machine == machine && (fixtures::right(j) != (machine != said_machine)))
            .count()
    };
    let (people, machines) = (
        judged.iter().filter(|j| !j.machine).count(),
        judged.iter().filter(|j| j.machine).count(),
    );
    println!();
    println!("                 judged person   judged machine");
    println!(
        "person  ({people:>2})     {:>8}         {:>8}",
        count(false, false),
        count(false, true)
    );
    println!(
        "machine ({machines:>2})     {:>8}         {:>8}",
        count(true, false),
        count(true, true)
    );
    let right = judged.iter().filter(|j| fixtures::right(j)).count();
    println!(
        "accuracy {right}/{} = {:.1}%",
        judged.len(),
        100.0 * right as f64 / judged.len() as f64
    );
    let mean = |machine: bool| {
        let times: Vec<f64> = judged
            .iter()
            .filter(|j| j.machine == machine)
            .map(|j| j.after_ms)
            .collect();
        times.iter().sum::<f64>() / times.len().max(1) as f64
    };
    println!(
        "mean time to a verdict: people {:.0} ms, machines {:.0} ms",
        mean(false),
        mean(true)
    );
}
