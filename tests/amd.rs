//! Answering-machine detection on recorded greetings: spoken people
//! ("Hello?" and a wait) and machines (a greeting and a beep), some over
//! noise. The figures (accuracy, time to a verdict) are measured by
//! `cargo bench --bench amd`; this holds the detector to them.

#[path = "amd/fixtures.rs"]
mod fixtures;

#[test]
fn people_and_machines_are_told_apart_on_the_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures::make(dir.path());
    assert!(files.len() >= 20, "the fixtures were made: {files:?}");
    let judged: Vec<fixtures::Judged> = files.iter().map(|f| fixtures::judge(f)).collect();
    let wrong: Vec<String> = judged
        .iter()
        .filter(|j| !fixtures::right(j))
        .map(|j| format!("{}: {:?}", j.file, j.verdict))
        .collect();
    // Measured: the one person who answers with a long sentence is taken
    // for a machine, as Asterisk's rules would take them.
    assert!(wrong.len() <= 2, "wrongly judged: {wrong:#?}");
    for machine in judged.iter().filter(|j| j.machine) {
        assert!(
            machine.after_ms <= 3500.0
                || machine
                    .verdict
                    .is_some_and(|v| v.0 == switchboard::media::amd::Verdict::Machine),
            "{} judged late",
            machine.file
        );
    }
}
