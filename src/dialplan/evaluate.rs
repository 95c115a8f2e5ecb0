//! Evaluation: the first rule (files by path, rules in file order) whose
//! conditions all hold decides what happens to the call.

use chrono::{DateTime, Utc};

use super::{Action, CallFacts, Decision, NO_RULE, Plan};

/// The decision for `call` at `now` (schedules are read at this instant).
pub fn evaluate(plan: &Plan, call: &CallFacts<'_>, now: DateTime<Utc>) -> Decision {
    match plan.rules.iter().find(|rule| rule.matches(call, now)) {
        Some(rule) => Decision {
            rule: rule.name.clone(),
            action: rule.action(call),
            record: rule.record,
        },
        None => Decision {
            rule: NO_RULE.into(),
            action: Action::NoRoute,
            record: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;
    use crate::dialplan::{Source, TargetKind, load};

    fn plan(files: &[(&str, &str)]) -> Plan {
        let files: Vec<_> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        load(&files).unwrap_or_else(|errors| panic!("{errors:#?}"))
    }

    fn demo() -> Plan {
        plan(&[(
            "dialplans/demo.toml",
            include_str!("../../dialplans/demo.toml"),
        )])
    }

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 14, 12, 0, 0).unwrap()
    }

    fn route(plan: &Plan, source: Source<'_>, caller: &str, called: &str) -> Decision {
        route_at(plan, source, caller, called, noon())
    }

    fn route_at(
        plan: &Plan,
        source: Source<'_>,
        caller: &str,
        called: &str,
        now: DateTime<Utc>,
    ) -> Decision {
        evaluate(
            plan,
            &CallFacts {
                source,
                caller,
                called,
            },
            now,
        )
    }

    fn ring(extensions: &[&str], seconds: u64) -> Action {
        Action::Ring {
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
            timeout: Duration::from_secs(seconds),
        }
    }

    fn not_found() -> Action {
        Action::Reject {
            code: 404,
            reason: "Not Found".into(),
        }
    }

    #[test]
    fn the_demo_pbx_rings_the_extension_it_called() {
        let plan = demo();
        let pbx = Source::Trunk("demo-pbx");
        for called in ["1001", "1009", "1010", "1019", "1020"] {
            let decision = route(&plan, pbx, "+14155550100", called);
            assert_eq!(decision.rule, "pbx-to-extension");
            assert_eq!(decision.action, ring(&[called], 30));
        }
        for called in ["1000", "1021", "100", "10011"] {
            assert_eq!(
                route(&plan, pbx, "+14155550100", called).action,
                not_found(),
                "{called}"
            );
        }
    }

    #[test]
    fn the_demo_rings_extensions_only_from_its_own_trunk() {
        let decision = route(&demo(), Source::Trunk("carrier"), "+14155550100", "1001");
        assert_eq!(decision.rule, "unknown-number");
        assert_eq!(decision.action, not_found());
    }

    #[test]
    fn demo_extensions_call_each_other() {
        let decision = route(&demo(), Source::Extension("1001"), "1001", "1015");
        assert_eq!(decision.rule, "extension-to-extension");
        assert_eq!(decision.action, ring(&["1015"], 30));
    }

    #[test]
    fn a_demo_extension_dials_zero_to_call_out_through_the_pbx() {
        let decision = route(&demo(), Source::Extension("1001"), "1001", "04930123456");
        assert_eq!(decision.rule, "outbound-via-pbx");
        let expected = Action::Trunk {
            trunk: "demo-pbx".into(),
            number: "4930123456".into(),
            caller_id: None,
        };
        assert_eq!(decision.action, expected);
        let decision = route(
            &demo(),
            Source::Trunk("demo-pbx"),
            "+14155550100",
            "04930123456",
        );
        assert_eq!(
            decision.action,
            not_found(),
            "the PBX cannot hairpin out through itself"
        );
    }

    #[test]
    fn the_first_matching_rule_wins_in_file_name_order() {
        let vip = "[[rule]]\nname = \"vip\"\ncaller = \"_+1415.\"\nqueue = \"vip\"\npriority = 9\n[queue.vip]\n[queue.sales]\n";
        let main = "[[rule]]\nname = \"sales\"\ncalled = \"800\"\nqueue = \"sales\"\n\n[[rule]]\nname = \"sales-again\"\ncalled = \"800\"\nivr = \"main\"\n\n[menu.main]\ngreeting = \"welcome\"\n";
        // Given out of order: the loader sorts by path.
        let plan = plan(&[
            ("dialplans/20-main.toml", main),
            ("dialplans/10-vip.toml", vip),
        ]);
        let from_vip = route(&plan, Source::Trunk("t"), "+14155550100", "800");
        assert_eq!(from_vip.rule, "vip");
        assert_eq!(
            from_vip.action,
            Action::Queue {
                queue: "vip".into(),
                priority: Some(9)
            }
        );
        let other = route(&plan, Source::Trunk("t"), "+12025550143", "800");
        assert_eq!(
            other.rule, "sales",
            "the earlier of two matching rules in a file"
        );
        assert_eq!(
            other.action,
            Action::Queue {
                queue: "sales".into(),
                priority: None
            }
        );
    }

    #[test]
    fn a_call_no_rule_takes_gets_no_route() {
        let plan = plan(&[(
            "a.toml",
            "[[rule]]\nname = \"ivr\"\ncalled = \"800\"\nivr = \"main\"\n[menu.main]\ngreeting = \"welcome\"\n",
        )]);
        let decision = route(&plan, Source::Trunk("t"), "", "801");
        assert_eq!(
            decision,
            Decision {
                rule: NO_RULE.into(),
                action: Action::NoRoute,
                record: false,
            }
        );
        let decision = route(&plan, Source::Trunk("t"), "", "800");
        assert_eq!(
            decision.action,
            Action::Ivr {
                menu: "main".into()
            }
        );
        assert!(!decision.record, "recording is off unless a rule says");
        let recorded = super::tests::plan(&[(
            "b.toml",
            "[[rule]]\nname = \"sales\"\ncalled = \"1005\"\nring = \"1005\"\nrecord = true\n",
        )]);
        assert!(route(&recorded, Source::Trunk("t"), "", "1005").record);
        assert_eq!(
            route(&Plan::default(), Source::Trunk("t"), "", "800").action,
            Action::NoRoute
        );
    }

    #[test]
    fn numbers_are_rewritten_for_the_trunk() {
        let text = r#"
[[rule]]
name = "national"
from = "extension:_10XX"
called = "_9[1-9]XXXXXXXXX"
caller = "_10XX"
trunk = "carrier"
number = "+1${called:1}"
caller_id = "+1415555${caller:2:2}"
"#;
        let plan = plan(&[("a.toml", text)]);
        let decision = route(&plan, Source::Extension("1042"), "1042", "92025550143");
        let expected = Action::Trunk {
            trunk: "carrier".into(),
            number: "+12025550143".into(),
            caller_id: Some("+141555542".into()),
        };
        assert_eq!(decision.action, expected);
        let decision = route(&plan, Source::Extension("2042"), "2042", "92025550143");
        assert_eq!(
            decision.action,
            Action::NoRoute,
            "extension 2042 is not in from"
        );
    }

    #[test]
    fn several_extensions_ring_at_once_with_their_timeout() {
        let text = "[[rule]]\nname = \"hunt\"\ncalled = \"_5XX\"\nring = [\"1001\", \"${called:0:2}01\"]\nring_timeout = 15\n";
        let decision = route(&plan(&[("a.toml", text)]), Source::Trunk("t"), "", "512");
        assert_eq!(decision.action, ring(&["1001", "5101"], 15));
    }

    #[test]
    fn business_hours_switch_between_rules_in_virtual_time() {
        let text = r#"
[schedule.business]
time_zone = "America/New_York"
hours = ["mon-fri 09:00-17:00"]
holidays = ["07-04"]

[[rule]]
name = "open"
called = "800"
when = "business"
queue = "support"

[queue.support]

[[rule]]
name = "closed"
called = "800"
unless = "business"
ivr = "after-hours"

[menu.after-hours]
greeting = "closed"
"#;
        let plan = plan(&[("a.toml", text)]);
        let at = |m: u32, d: u32, h: u32| {
            let now = Utc.with_ymd_and_hms(2026, m, d, h, 30, 0).unwrap();
            route_at(&plan, Source::Trunk("t"), "", "800", now).rule
        };
        assert_eq!(at(1, 14, 14), "open", "Wednesday 09:30 EST");
        assert_eq!(at(1, 14, 13), "closed", "Wednesday 08:30 EST");
        assert_eq!(at(7, 14, 13), "open", "09:30 EDT in summer");
        assert_eq!(at(7, 3, 14), "open", "Friday 10:30 EDT");
        assert_eq!(
            at(7, 4, 14),
            "closed",
            "Independence Day, a Saturday in 2026"
        );
        assert_eq!(at(1, 17, 15), "closed", "Saturday");
    }

    #[test]
    fn the_plan_lists_the_trunks_queues_and_menus_it_names() {
        let plan = demo();
        let named: Vec<(TargetKind, &str, usize)> = plan
            .references()
            .iter()
            .map(|r| (r.kind, r.name, r.line))
            .collect();
        assert_eq!(
            named,
            [
                (TargetKind::Trunk, "demo-pbx", 14),
                (TargetKind::Trunk, "demo-pbx", 30),
                (TargetKind::Trunk, "demo-pbx", 39),
                (TargetKind::Trunk, "demo-pbx", 47),
                (TargetKind::Menu, "main", 47),
                (TargetKind::Trunk, "demo-pbx", 66),
                (TargetKind::Queue, "sales", 66)
            ]
        );
        assert_eq!(plan.len(), 7);
        assert!(plan.queues().get("sales").is_some());
        assert_eq!(plan.menus().len(), 1);
    }

    #[test]
    fn a_plan_can_be_shared_by_the_driver_s_tasks() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Plan>();
    }
}
