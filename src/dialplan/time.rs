//! Time conditions: named schedules (business hours in a time zone, holidays)
//! that a rule requires (`when`) or excludes (`unless`).
//!
//! Hours are wall-clock times in the schedule's zone, so they follow daylight
//! saving time: `09:00` is 09:00 local in winter and in summer. A range whose
//! end is before its start (`22:00-06:00`) runs past midnight and belongs to
//! the day it starts on. A holiday closes its whole local date, including the
//! part of an overnight range that would start on it.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// A schedule: open during its hours, closed otherwise and on holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub zone: Tz,
    pub hours: Vec<Hours>,
    pub holidays: Vec<Holiday>,
}

/// One entry of `hours`: days of the week and a time range on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// Indexed by days from Monday.
    days: [bool; 7],
    /// Minutes after local midnight; `end` may be 1440 (24:00), and is below
    /// `start` for a range that runs past midnight.
    start: u16,
    end: u16,
}

/// A date the schedule is closed all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holiday {
    Date(NaiveDate),
    EveryYear { month: u32, day: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("unknown time zone {0:?} (use an IANA name such as \"Europe/Berlin\")")]
    UnknownZone(String),
    #[error("hours {0:?}: expected days and a time range, e.g. \"mon-fri 09:00-18:00\"")]
    BadHours(String),
    #[error(
        "hours {entry:?}: unknown day {day:?} (use mon tue wed thu fri sat sun, mon-fri, mon,wed)"
    )]
    UnknownDay { entry: String, day: String },
    #[error(
        "hours {entry:?}: {time:?} is not a time of day (HH:MM from 00:00; 24:00 may end a range)"
    )]
    BadTime { entry: String, time: String },
    #[error("hours {0:?}: the range is empty (for a whole day write 00:00-24:00)")]
    EmptyRange(String),
    #[error("holiday {0:?}: expected a date YYYY-MM-DD, or MM-DD for every year")]
    BadHoliday(String),
}

/// An IANA zone name such as `Europe/Berlin`.
pub fn parse_zone(name: &str) -> Result<Tz, TimeError> {
    name.parse()
        .map_err(|_| TimeError::UnknownZone(name.into()))
}

impl Schedule {
    /// Whether the schedule is open at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.zone);
        let today = local.date_naive();
        if self.is_holiday(today) {
            return false;
        }
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let yesterday = today
            .pred_opt()
            .filter(|day| !self.is_holiday(*day))
            .map(|day| day.weekday());
        self.hours.iter().any(|hours| {
            hours.covers(today.weekday(), minute)
                || yesterday.is_some_and(|day| hours.spills_into_next_day(day, minute))
        })
    }

    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.iter().any(|holiday| match *holiday {
            Holiday::Date(d) => d == date,
            Holiday::EveryYear { month, day } => date.month() == month && date.day() == day,
        })
    }
}

impl Hours {
    /// `mon-fri 09:00-18:00`, `sat,sun 10:00-14:00`, `fri-mon 22:00-06:00`.
    pub fn parse(entry: &str) -> Result<Self, TimeError> {
        let bad = || TimeError::BadHours(entry.into());
        let mut words = entry.split_whitespace();
        let (Some(days), Some(range), None) = (words.next(), words.next(), words.next()) else {
            return Err(bad());
        };
        let (start, end) = range.split_once('-').ok_or_else(bad)?;
        let start = parse_minute(start, false).ok_or_else(|| TimeError::BadTime {
            entry: entry.into(),
            time: start.into(),
        })?;
        let end = parse_minute(end, true).ok_or_else(|| TimeError::BadTime {
            entry: entry.into(),
            time: end.into(),
        })?;
        if start == end {
            return Err(TimeError::EmptyRange(entry.into()));
        }
        Ok(Hours {
            days: parse_days(days, entry)?,
            start,
            end,
        })
    }

    /// Whether a range starting on `day` is running at `minute` of that day.
    fn covers(&self, day: Weekday, minute: u16) -> bool {
        self.days[day.num_days_from_monday() as usize]
            && if self.start < self.end {
                (self.start..self.end).contains(&minute)
            } else {
                minute >= self.start
            }
    }

    /// Whether a range that started on `day` is still running at `minute` of
    /// the next day.
    fn spills_into_next_day(&self, day: Weekday, minute: u16) -> bool {
        self.end < self.start && self.days[day.num_days_from_monday() as usize] && minute < self.end
    }
}

impl Holiday {
    /// `2026-12-25` (that date) or `12-25` (every year).
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        let bad = || TimeError::BadHoliday(text.into());
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(Holiday::Date(date));
        }
        let (month, day) = text.split_once('-').ok_or_else(bad)?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit());
        if !two_digits(month) || !two_digits(day) {
            return Err(bad());
        }
        let (month, day) = (
            month.parse().map_err(|_| bad())?,
            day.parse().map_err(|_| bad())?,
        );
        // A leap year, so that 02-29 is a date (it is a holiday only in leap years).
        NaiveDate::from_ymd_opt(2000, month, day).ok_or_else(bad)?;
        Ok(Holiday::EveryYear { month, day })
    }
}

/// `HH:MM` as minutes after midnight; `24:00` only where a range ends.
fn parse_minute(text: &str, may_be_midnight_after: bool) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    match (hours, minutes) {
        (24, 0) if may_be_midnight_after => Some(1440),
        (0..=23, 0..=59) => Some(hours * 60 + minutes),
        _ => None,
    }
}

/// `mon-fri`, `sat`, `mon,wed,fri`, `fri-mon` (a range may wrap past Sunday).
fn parse_days(text: &str, entry: &str) -> Result<[bool; 7], TimeError> {
    let mut days = [false; 7];
    for item in text.split(',') {
        let day = |name: &str| {
            name.to_ascii_lowercase()
                .parse::<Weekday>()
                .ok()
                .filter(|_| name.len() == 3)
                .ok_or_else(|| TimeError::UnknownDay {
                    entry: entry.into(),
                    day: name.into(),
                })
        };
        let (first, last) = match item.split_once('-') {
            Some((first, last)) => (day(first)?, day(last)?),
            None => (day(item)?, day(item)?),
        };
        let mut current = first;
        days[current.num_days_from_monday() as usize] = true;
        while current != last {
            current = current.succ();
            days[current.num_days_from_monday() as usize] = true;
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn schedule(zone: &str, hours: &[&str], holidays: &[&str]) -> Schedule {
        Schedule {
            zone: parse_zone(zone).unwrap(),
            hours: hours.iter().map(|h| Hours::parse(h).unwrap()).collect(),
            holidays: holidays
                .iter()
                .map(|h| Holiday::parse(h).unwrap())
                .collect(),
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn business_hours_are_open_inside_and_closed_outside() {
        let s = schedule(
            "Europe/Berlin",
            &["mon-fri 09:00-18:00", "sat 10:00-14:00"],
            &[],
        );
        // Wednesday 2026-01-14; Berlin is UTC+1 in winter.
        assert!(!s.is_open(utc(2026, 1, 14, 7, 59)), "08:59 local");
        assert!(s.is_open(utc(2026, 1, 14, 8, 0)), "09:00 local");
        assert!(s.is_open(utc(2026, 1, 14, 16, 59)), "17:59 local");
        assert!(
            !s.is_open(utc(2026, 1, 14, 17, 0)),
            "18:00 local: the end is excluded"
        );
        assert!(s.is_open(utc(2026, 1, 17, 9, 30)), "Saturday 10:30");
        assert!(!s.is_open(utc(2026, 1, 17, 13, 0)), "Saturday 14:00");
        assert!(!s.is_open(utc(2026, 1, 18, 10, 0)), "Sunday");
    }

    #[test]
    fn hours_follow_the_local_clock_across_a_dst_change() {
        // Berlin goes from UTC+1 to UTC+2 at 01:00 UTC on Sunday 2026-03-29.
        let s = schedule("Europe/Berlin", &["mon-sun 09:00-18:00"], &[]);
        assert!(!s.is_open(utc(2026, 3, 28, 7, 30)), "Saturday 08:30 CET");
        assert!(s.is_open(utc(2026, 3, 28, 8, 30)), "Saturday 09:30 CET");
        assert!(s.is_open(utc(2026, 3, 29, 7, 30)), "Sunday 09:30 CEST");
        assert!(!s.is_open(utc(2026, 3, 29, 16, 30)), "Sunday 18:30 CEST");
        // New York goes back to UTC-5 on Sunday 2026-11-01.
        let s = schedule("America/New_York", &["sun 08:00-12:00"], &[]);
        assert!(!s.is_open(utc(2026, 11, 1, 12, 30)), "07:30 EST");
        assert!(s.is_open(utc(2026, 11, 1, 13, 0)), "08:00 EST");
    }

    #[test]
    fn a_range_past_midnight_belongs_to_the_day_it_starts() {
        let s = schedule("UTC", &["mon-fri 22:00-06:00"], &[]);
        assert!(s.is_open(utc(2026, 1, 12, 23, 0)), "Monday 23:00");
        assert!(
            s.is_open(utc(2026, 1, 13, 5, 59)),
            "Tuesday 05:59, from Monday"
        );
        assert!(!s.is_open(utc(2026, 1, 13, 6, 0)), "Tuesday 06:00");
        assert!(
            !s.is_open(utc(2026, 1, 12, 3, 0)),
            "Monday 03:00: Sunday night is not listed"
        );
        assert!(
            s.is_open(utc(2026, 1, 17, 3, 0)),
            "Saturday 03:00, from Friday"
        );
        assert!(!s.is_open(utc(2026, 1, 17, 23, 0)), "Saturday 23:00");
    }

    #[test]
    fn a_whole_day_is_written_to_24_00() {
        let s = schedule("UTC", &["sun 00:00-24:00"], &[]);
        assert!(s.is_open(utc(2026, 1, 18, 0, 0)));
        assert!(s.is_open(utc(2026, 1, 18, 23, 59)));
        assert!(!s.is_open(utc(2026, 1, 19, 0, 0)));
    }

    #[test]
    fn holidays_close_the_whole_local_date() {
        let s = schedule(
            "Europe/Berlin",
            &["mon-fri 00:00-24:00"],
            &["2026-12-24", "01-01"],
        );
        assert!(
            s.is_open(utc(2026, 12, 23, 22, 59)),
            "Wednesday 23:59 local"
        );
        assert!(
            !s.is_open(utc(2026, 12, 23, 23, 0)),
            "Thursday 00:00 local is the 24th"
        );
        assert!(!s.is_open(utc(2027, 1, 1, 10, 0)), "New Year, every year");
        assert!(s.is_open(utc(2026, 12, 28, 10, 0)));
    }

    #[test]
    fn an_overnight_range_does_not_start_on_a_holiday() {
        let s = schedule("UTC", &["mon-sun 22:00-06:00"], &["2026-12-24"]);
        assert!(!s.is_open(utc(2026, 12, 24, 23, 0)));
        assert!(
            !s.is_open(utc(2026, 12, 25, 3, 0)),
            "the night after the holiday"
        );
        assert!(s.is_open(utc(2026, 12, 25, 23, 0)));
    }

    #[test]
    fn day_lists_and_wrapping_ranges() {
        let s = schedule("UTC", &["fri-mon 12:00-13:00", "wed,Thu 12:00-13:00"], &[]);
        let open_on = |day: u32| s.is_open(utc(2026, 1, day, 12, 30));
        // 2026-01-12 is a Monday.
        let week: Vec<bool> = (12..19).map(open_on).collect();
        assert_eq!(week, [true, false, true, true, true, true, true]);
    }

    #[test]
    fn malformed_entries_are_refused_with_the_reason() {
        let hours = |text: &str| Hours::parse(text).unwrap_err().to_string();
        assert_eq!(
            hours("mon-fri"),
            "hours \"mon-fri\": expected days and a time range, e.g. \"mon-fri 09:00-18:00\""
        );
        assert_eq!(
            hours("mon-fry 09:00-18:00"),
            "hours \"mon-fry 09:00-18:00\": unknown day \"fry\" (use mon tue wed thu fri sat sun, mon-fri, mon,wed)"
        );
        assert!(hours("monday 09:00-18:00").contains("unknown day \"monday\""));
        assert_eq!(
            hours("mon 9:00-18:00"),
            "hours \"mon 9:00-18:00\": \"9:00\" is not a time of day (HH:MM from 00:00; 24:00 may end a range)"
        );
        for bad in ["mon 09:00-18:60", "mon 24:00-06:00", "mon 09:00-24:30"] {
            assert!(hours(bad).contains("is not a time of day"), "{bad}");
        }
        assert!(hours("mon 09:00-09:00").contains("the range is empty"));
        for bad in ["2026-02-30", "13-01", "12-25-2026", "christmas", "2-1"] {
            assert!(Holiday::parse(bad).is_err(), "{bad}");
        }
        assert!(Holiday::parse("02-29").is_ok());
        assert_eq!(
            parse_zone("Europe/Berlinn").unwrap_err().to_string(),
            "unknown time zone \"Europe/Berlinn\" (use an IANA name such as \"Europe/Berlin\")"
        );
    }
}
