//! Load errors as an admin sees them: `file:line: message`, all at once.

use super::load;

fn files(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

/// The errors of a plan that must not load, as printed.
fn errors(plan: &[(&str, &str)]) -> Vec<String> {
    match load(&files(plan)) {
        Ok(_) => panic!("the plan loaded"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

fn error(text: &str) -> String {
    let errors = errors(&[("dialplans/main.toml", text)]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0].clone()
}

#[test]
fn a_pattern_error_names_file_and_line() {
    let text = "\n[[rule]]\nname = \"a\"\ncalled = \"10x1\"\nring = \"1001\"\n";
    assert_eq!(
        error(text),
        "dialplans/main.toml:4: called: unknown number pattern \"10x1\": an exact number has only 0-9 * # +, a pattern starts with \"_\" (e.g. \"_10XX\")"
    );
}

#[test]
fn each_pattern_of_a_list_is_reported_on_its_own_line() {
    let text =
        "[[rule]]\nname = \"a\"\ncalled = [\n  \"_10XX\",\n  \"_1[0-\",\n]\nring = \"${called}\"\n";
    assert_eq!(
        error(text),
        "dialplans/main.toml:5: called: pattern \"_1[0-\": \"[\" is not closed by \"]\""
    );
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let text = "[[rule]]\nname = \"a\"\nring = \"1001\n";
    assert!(
        error(text).starts_with("dialplans/main.toml:3: "),
        "{}",
        error(text)
    );
}

#[test]
fn unknown_keys_are_errors_at_their_line() {
    let text = "[[rule]]\nname = \"a\"\nrign = \"1001\"\n";
    let message = error(text);
    assert!(
        message.starts_with("dialplans/main.toml:3: unknown field `rign`"),
        "{message}"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nreject = 404\n\n[defaults]\nx = 1\n"),
        "dialplans/main.toml:5: unknown key \"defaults\" (a plan has [schedule.NAME], [menu.NAME] and [queue.NAME] tables and [[rule]] entries)"
    );
    let message =
        error("[schedule.day]\ntime_zone = \"UTC\"\nhours = [\"mon 09:00-17:00\"]\nholiday = []\n");
    assert!(
        message.starts_with("dialplans/main.toml:4: unknown field `holiday`"),
        "{message}"
    );
}

#[test]
fn a_rule_written_as_a_single_table_is_refused() {
    assert_eq!(
        error("[rule]\nname = \"a\"\nreject = 404\n"),
        "dialplans/main.toml:1: rule: write each as [[rule]]"
    );
}

#[test]
fn a_rule_without_name_or_action_is_refused() {
    let message = error("reject = 1\n");
    assert!(message.contains("unknown key \"reject\""), "{message}");
    let message = error("[[rule]]\nring = \"1001\"\n");
    assert!(
        message.starts_with("dialplans/main.toml:1: missing field `name`"),
        "{message}"
    );
    assert_eq!(
        error("\n[[rule]]\nname = \"empty\"\ncalled = \"1001\"\n"),
        "dialplans/main.toml:2: rule \"empty\" has no action (give one of ring, queue, trunk, reject, ivr)"
    );
}

#[test]
fn a_rule_with_two_actions_or_foreign_keys_is_refused() {
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nring = \"1001\"\nqueue = \"sales\"\n"),
        "dialplans/main.toml:4: rule \"a\" has two actions, ring and queue; give one"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nring = \"1001\"\npriority = 3\n"),
        "dialplans/main.toml:4: priority goes with queue, not with ring"
    );
}

#[test]
fn ring_targets_must_be_extensions() {
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nring = [\"1001\", \"+4930123456\"]\n"),
        "dialplans/main.toml:3: ring: \"+4930123456\" is not an extension (2 to 8 digits); to call a number, use trunk"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\ncalled = \"_1X.\"\nring = \"${called}\"\n"),
        "dialplans/main.toml:4: ring: \"${called}\" is not an extension (2 to 8 digits) for every number the rule matches; narrow the pattern, e.g. \"_10XX\""
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nring = \"${called}\"\n"),
        "dialplans/main.toml:3: ring: ${called} needs a `called` pattern on the rule"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nring = \"1001\"\nring_timeout = 0\n"),
        "dialplans/main.toml:4: ring_timeout: 0 is out of range (1 to 600 seconds)"
    );
    let message = error("[[rule]]\nname = \"a\"\nring = \"1001\"\nring_timeout = \"30s\"\n");
    assert!(
        message.starts_with("dialplans/main.toml:4: invalid type: string \"30s\""),
        "{message}"
    );
}

#[test]
fn trunk_numbers_must_never_come_out_empty() {
    assert_eq!(
        error(
            "[[rule]]\nname = \"a\"\ncalled = \"_0!\"\ntrunk = \"pbx\"\nnumber = \"${called:1}\"\n"
        ),
        "dialplans/main.toml:5: number: \"${called:1}\" is empty for some number the rule matches"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\ntrunk = \"pbx\"\n"),
        "dialplans/main.toml:3: trunk: the number defaults to ${called}, which needs a `called` pattern on the rule; or give number"
    );
    assert_eq!(
        error(
            "[[rule]]\nname = \"a\"\ncalled = \"_0.\"\ntrunk = \"pbx\"\nnumber = \"${dialled}\"\n"
        ),
        "dialplans/main.toml:5: number: \"${dialled}\": unknown substitution ${dialled} (use ${called}, ${caller}, ${called:N} or ${called:N:L})"
    );
}

#[test]
fn reject_codes_are_sip_errors_with_a_one_line_reason() {
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nreject = 302\n"),
        "dialplans/main.toml:3: reject: 302 is not a SIP error code (400 to 699)"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nreject = 499\n"),
        "dialplans/main.toml:3: reject: 499 has no standard reason phrase; give reason"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nreject = 403\nreason = \"No\\r\\nX-Evil: 1\"\n"),
        "dialplans/main.toml:4: reason: must be one line of printable text"
    );
}

#[test]
fn names_and_sources_are_checked() {
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nqueue = \"sales team\"\n"),
        "dialplans/main.toml:3: queue \"sales team\": a name is 1 to 64 letters, digits, '-', '_' or '.'"
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\nfrom = \"pbx\"\nreject = 404\n"),
        "dialplans/main.toml:3: from: \"pbx\": expected \"trunk\", \"trunk:NAME\", \"extension\" or \"extension:PATTERN\""
    );
    assert_eq!(
        error("[[rule]]\nname = \"a\"\ncalled = []\nreject = 404\n"),
        "dialplans/main.toml:3: called: an empty list matches no call"
    );
}

#[test]
fn schedules_are_checked_where_they_are_written() {
    let text = r#"[schedule.business]
time_zone = "Europe/Berlinn"
hours = [
  "mon-fri 09:00-18:00",
  "sa 10:00-14:00",
]
holidays = ["2026-13-01"]

[schedule.never]
time_zone = "UTC"
hours = []
"#;
    assert_eq!(
        errors(&[("dialplans/main.toml", text)]),
        [
            "dialplans/main.toml:2: unknown time zone \"Europe/Berlinn\" (use an IANA name such as \"Europe/Berlin\")",
            "dialplans/main.toml:5: hours \"sa 10:00-14:00\": unknown day \"sa\" (use mon tue wed thu fri sat sun, mon-fri, mon,wed)",
            "dialplans/main.toml:7: holiday \"2026-13-01\": expected a date YYYY-MM-DD, or MM-DD for every year",
            "dialplans/main.toml:9: schedule \"never\" has no hours, so it is never open",
        ]
    );
}

#[test]
fn a_rule_naming_an_unknown_schedule_is_refused() {
    let text = "[schedule.day]\ntime_zone = \"UTC\"\nhours = [\"mon 09:00-17:00\"]\n\n[[rule]]\nname = \"a\"\nunless = \"night\"\nreject = 480\n";
    assert_eq!(
        error(text),
        "dialplans/main.toml:7: unless: unknown schedule \"night\" (defined: day)"
    );
}

#[test]
fn a_rule_using_a_broken_schedule_gets_no_second_error() {
    let text = "[schedule.day]\ntime_zone = \"Mars/Olympus\"\nhours = [\"mon 09:00-17:00\"]\n\n[[rule]]\nname = \"a\"\nwhen = \"day\"\nreject = 480\n";
    assert!(error(text).starts_with("dialplans/main.toml:2: unknown time zone"));
}

#[test]
fn names_must_be_unique_across_files() {
    let rule = "[[rule]]\nname = \"sales\"\ncalled = \"1001\"\nqueue = \"sales\"\n";
    let schedule = "[schedule.day]\ntime_zone = \"UTC\"\nhours = [\"mon 09:00-17:00\"]\n";
    let first = format!("{schedule}\n{rule}\n[queue.sales]\n");
    let second = format!("# again\n{rule}\n{schedule}");
    assert_eq!(
        errors(&[("dialplans/b.toml", &second), ("dialplans/a.toml", &first)]),
        [
            "dialplans/b.toml:3: rule \"sales\" is already defined at dialplans/a.toml:5",
            "dialplans/b.toml:7: schedule \"day\" is already defined at dialplans/a.toml:1",
        ]
    );
}

#[test]
fn a_rule_after_one_without_conditions_can_never_match() {
    let first = "[[rule]]\nname = \"everything\"\nreject = 404\n";
    let second = "[[rule]]\nname = \"sales\"\ncalled = \"1001\"\nqueue = \"sales\"\n";
    assert_eq!(
        errors(&[
            ("dialplans/20-more.toml", second),
            ("dialplans/10-main.toml", first)
        ]),
        [
            "dialplans/20-more.toml:1: rule \"sales\" can never match: rule \"everything\" at dialplans/10-main.toml:1 has no condition and takes every call first"
        ]
    );
}

#[test]
fn every_error_of_every_file_is_reported_at_once() {
    let a = "[[rule]]\nname = \"a\"\ncalled = \"10x1\"\nring = \"1001\"\n\n[[rule]]\nname = \"b\"\nrign = \"1001\"\n\n[[rule]]\nname = \"c\"\nreject = 200\nwhen = \"nope\"\n";
    let b = "[[rule]]\nname = \"d\"\nring = \"1\"\n";
    let broken = "[[rule]\n";
    let errors = errors(&[("b.toml", b), ("a.toml", a), ("c.toml", broken)]);
    let places: Vec<&str> = errors
        .iter()
        .map(|e| e.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        places,
        ["a.toml:3", "a.toml:8", "a.toml:12", "b.toml:3", "c.toml:1"],
        "{errors:#?}"
    );
    assert!(
        !errors.iter().any(|e| e.contains("nope")),
        "a schedule may be defined in the file that did not parse: {errors:#?}"
    );
}

/// The files in the repository's `dialplans/` folder, as the server reads them.
fn shipped(extension: &str) -> Vec<(String, String)> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dialplans");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == extension) {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path.display().to_string(), text));
        }
    }
    found
}

#[test]
fn the_shipped_plans_load_together() {
    let plans = shipped("toml");
    assert!(!plans.is_empty(), "no plans in dialplans/");
    if let Err(errors) = load(&plans) {
        panic!("the shipped plans do not load: {errors:#?}");
    }
}

#[test]
fn every_example_in_the_dialplans_readme_loads() {
    let readme = shipped("md");
    let (path, text) = readme.first().expect("dialplans/README.md");
    let examples: Vec<&str> = text
        .split("```toml\n")
        .skip(1)
        .filter_map(|s| s.split("```").next())
        .collect();
    assert!(examples.len() >= 2, "{path} has no ```toml examples");
    for (i, example) in examples.iter().enumerate() {
        let name = format!("{path} example {}", i + 1);
        if let Err(errors) = load(&[(name.clone(), example.to_string())]) {
            panic!("{name} does not load: {errors:#?}");
        }
    }
}

const MENUS: &str = r#"[[rule]]
name = "main-line"
called = "800"
ivr = "main"

[menu.main]
greeting = "welcome"
invalid = "invalid"
goodbye = "goodbye"
timeout = 4
tries = 2
fallback = { ring = "1001" }

[menu.main.keys]
1 = { ring = "1001" }
2 = { ring = ["1002", "1003"], ring_timeout = 20 }
3 = { menu = "support" }
"*" = { repeat = true }
4 = { queue = "sales" }

[queue.sales]

[menu.support]
greeting = "support"
keys = { 1 = { ring = "1004" } }
"#;

#[test]
fn menus_load_with_their_keys_defaults_and_prompts() {
    use std::time::Duration;

    use super::{Choice, Menu};
    let plan = load(&files(&[("dialplans/main.toml", MENUS)])).unwrap();
    let main = plan.menus().get("main").unwrap();
    assert_eq!(
        (main.greeting.as_str(), main.timeout, main.tries),
        ("welcome", Duration::from_secs(4), 2)
    );
    assert_eq!(
        main.keys.get(&'2'),
        Some(&Choice::Ring {
            extensions: vec!["1002".into(), "1003".into()],
            timeout: Duration::from_secs(20),
        })
    );
    assert_eq!(main.keys.get(&'3'), Some(&Choice::Menu("support".into())));
    assert_eq!(main.keys.get(&'*'), Some(&Choice::Repeat));
    assert_eq!(main.keys.get(&'4'), Some(&Choice::Queue("sales".into())));
    assert_eq!(main.keys.get(&'5'), None);
    let unknown = MENUS.replace("queue = \"sales\"", "queue = \"sale\"");
    assert_eq!(
        errors(&[("dialplans/main.toml", &unknown)]),
        ["dialplans/main.toml:19: queue: unknown queue \"sale\" (defined: sales)"]
    );
    let support: &Menu = plan.menus().get("support").unwrap();
    assert_eq!(
        (support.timeout, support.tries, support.invalid.as_deref()),
        (Duration::from_secs(5), 3, None),
        "the defaults"
    );
    let prompts: Vec<(&str, &str)> = plan.menus().prompts().collect();
    assert_eq!(
        prompts,
        [
            ("main", "welcome"),
            ("main", "invalid"),
            ("main", "goodbye"),
            ("support", "support")
        ]
    );
}

#[test]
fn menu_mistakes_are_each_reported_at_their_line() {
    let text = MENUS
        .replace("ivr = \"main\"", "ivr = \"mian\"")
        .replace("3 = { menu = \"support\" }", "3 = { menu = \"suport\" }")
        .replace("\"*\" = { repeat = true }", "x = { repeat = true }")
        .replace("tries = 2", "tries = 0")
        .replace("{ ring = \"1004\" }", "{ ring = \"14\", menu = \"main\" }");
    assert_eq!(
        errors(&[("dialplans/main.toml", &text)]),
        [
            "dialplans/main.toml:1: ivr: unknown menu \"mian\" (defined: main, support)",
            "dialplans/main.toml:11: tries: 0 is out of range (1 to 10)",
            "dialplans/main.toml:17: menu: unknown menu \"suport\" (defined: main, support)",
            "dialplans/main.toml:18: keys: \"x\" is not a key (one of 0-9, * and #)",
            "dialplans/main.toml:25: a choice has one action, not ring and menu",
        ]
    );
    let missing = "[menu.m]\ntimeout = 3\n";
    assert!(
        error(missing).starts_with("dialplans/main.toml:1: missing field `greeting`"),
        "{}",
        error(missing)
    );
    let fallback = "[menu.m]\ngreeting = \"g\"\nfallback = { repeat = true }\n";
    assert_eq!(
        error(fallback),
        "dialplans/main.toml:3: fallback: repeat would never end; ring or go to a menu"
    );
}

#[test]
fn queues_load_with_their_settings_and_mistakes_are_reported_at_their_line() {
    use std::time::Duration;

    use crate::acd::{Overflow, Strategy};
    let text = r#"[[rule]]
name = "support-line"
called = "800"
queue = "support"

[queue.support]
strategy = "skills"
ring_timeout = 20
wrap_up = 0
max_wait = 600
overflow = "queue:sales"
needs = { english = 50 }
relax = { every = 30, by = 10 }
record = true
results = ["solved", "escalated"]
announce_every = 60

[queue.sales]
"#;
    let plan = load(&files(&[("dialplans/main.toml", text)])).unwrap();
    let support = plan.queues().get("support").unwrap();
    assert_eq!(support.config.strategy, Strategy::SkillsBased);
    assert_eq!(
        (
            support.config.ring_timeout,
            support.config.wrap_up,
            support.config.max_wait
        ),
        (
            Duration::from_secs(20),
            Duration::ZERO,
            Some(Duration::from_secs(600))
        )
    );
    assert_eq!(support.config.overflow, Overflow::Queue("sales".into()));
    assert_eq!(support.config.needs.get("english"), Some(&50));
    assert_eq!(support.config.relax, Some((Duration::from_secs(30), 10)));
    assert!(support.record);
    assert_eq!(support.config.results, ["solved", "escalated"]);
    assert_eq!(support.config.announce_every, Some(Duration::from_secs(60)));
    let sales = plan.queues().get("sales").unwrap();
    assert_eq!(
        (
            sales.config.strategy,
            sales.config.ring_timeout,
            sales.record
        ),
        (Strategy::LongestIdle, Duration::from_secs(15), false),
        "the defaults"
    );
    let broken = text
        .replace("\"skills\"", "\"random\"")
        .replace("ring_timeout = 20", "ring_timeout = 0")
        .replace("queue:sales", "queue:backup")
        .replace("english = 50", "english = 150")
        .replace("\"escalated\"]", "\"escalated\", \" \", \"solved\"]");
    assert_eq!(
        errors(&[("dialplans/main.toml", &broken)]),
        [
            "dialplans/main.toml:7: strategy: \"random\" is not one of longest-idle, round-robin, ring-all, fewest-calls, skills",
            "dialplans/main.toml:8: ring_timeout: 0 is out of range (1 to 600)",
            "dialplans/main.toml:11: overflow: unknown queue \"backup\" (defined: sales, support)",
            "dialplans/main.toml:12: needs: english = 150 is over 100",
            "dialplans/main.toml:15: results: \"\" must be 1 to 100 characters",
            "dialplans/main.toml:15: results: \"solved\" is listed twice",
        ]
    );
    let unknown = "[[rule]]\nname = \"a\"\ncalled = \"1\"\nqueue = \"nope\"\n";
    assert_eq!(
        error(unknown),
        "dialplans/main.toml:1: queue: unknown queue \"nope\" (defined: none)"
    );
}
