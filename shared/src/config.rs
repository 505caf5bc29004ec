//! A center's configuration as its admin edits it: opening hours, booking rules, window classes (无差别
//! or 分领域) with their open windows, handling minutes and items, and the district calendar. Validation
//! is here so the console form and the edge refuse the same things; [`affected`] says which confirmed
//! bookings a change leaves outside the configuration, so staff handle them instead of losing them.

use crate::booking::{slot_starts, BookingRules};
use crate::calendar::Calendar;
use crate::catalogue::{is_valid_slug, OpeningHours};
use crate::error::ErrorCode;
use crate::{FieldError, Text};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClassKind {
    /// 无差别: every item of the center.
    Any,
    /// 分领域: the listed items only.
    Domain,
}

/// A line of the hall queue and the windows that call it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClassConfig {
    /// `<center>-<prefix in lower case>`; empty for a new class (the edge makes it).
    #[serde(default)]
    pub id: String,
    /// One capital letter, printed on tickets (A001).
    pub prefix: String,
    pub kind: ClassKind,
    pub name: Text,
    /// Windows open for this class on a normal day (drives slot capacity).
    pub open_windows: u32,
    /// Average handling minutes per service (drives capacity and the wait estimate).
    pub avg_minutes: u32,
    /// Items a domain class serves (ignored for `any`).
    #[serde(default)]
    pub items: Vec<String>,
    /// Window numbers that call this class's line.
    #[serde(default)]
    pub windows: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CenterConfig {
    pub center_id: String,
    pub hours: Vec<OpeningHours>,
    pub rules: BookingRules,
    pub classes: Vec<ClassConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A closed weekday (public holiday).
    Holiday,
    /// A weekend working day (调休).
    Workday,
}

/// One exception in the district calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CalendarDay {
    /// `YYYY-MM-DD`
    pub date: String,
    /// `None` removes the exception.
    pub kind: Option<DayKind>,
}

impl CalendarDay {
    pub fn parse(&self) -> Result<NaiveDate, FieldError> {
        NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").map_err(|_| FieldError::new(ErrorCode::InvalidConfig, "date"))
    }
}

/// An admin's override of one slot's seats; `capacity: None` returns to the computed figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SlotOverride {
    pub class_id: String,
    pub date: String,
    pub start: String,
    pub capacity: Option<u32>,
}

/// Why a confirmed booking no longer fits the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AffectedReason {
    /// The day is now a holiday or a closed weekday.
    ClosedDay,
    /// The slot is outside the day's hours (or off the slot grid).
    OutsideHours,
    /// The slot has more bookings than its seats now.
    OverCapacity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AffectedBooking {
    pub booking: crate::booking::Booking,
    pub reason: AffectedReason,
}

fn minutes(s: &str) -> Option<u32> {
    if s.len() != 5 || s.as_bytes()[2] != b':' {
        return None;
    }
    let (h, m) = (s[..2].parse::<u32>().ok()?, s[3..].parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn bad(field: &'static str) -> FieldError {
    FieldError::new(ErrorCode::InvalidConfig, field)
}

/// The bounds each rule may take; outside them a center would be unusable or unfair.
pub fn validate_rules(r: &BookingRules) -> Result<(), FieldError> {
    let checks: [(bool, &'static str); 11] = [
        ([15, 20, 30, 60].contains(&r.slot_minutes), "rules.slot_minutes"),
        ((1..=r.horizon_days.max(1)).contains(&r.first_day), "rules.first_day"),
        ((1..=60).contains(&r.horizon_days), "rules.horizon_days"),
        ((1..=10).contains(&r.max_active_per_person), "rules.max_active_per_person"),
        (r.cancel_before_minutes <= 1440, "rules.cancel_before_minutes"),
        ((1..=30).contains(&r.hold_minutes), "rules.hold_minutes"),
        (r.checkin_early_minutes <= 120, "rules.checkin_early_minutes"),
        (r.checkin_late_minutes <= 60, "rules.checkin_late_minutes"),
        ((1..=10).contains(&r.no_show_limit), "rules.no_show_limit"),
        ((1..=365).contains(&r.no_show_window_days), "rules.no_show_window_days"),
        (r.no_show_ban_days <= 365, "rules.no_show_ban_days"),
    ];
    checks.iter().find(|(ok, _)| !ok).map_or(Ok(()), |(_, f)| Err(bad(f)))
}

impl CenterConfig {
    /// Checks the whole configuration; `known_items` are the items the center serves, `windows` its
    /// window numbers.
    pub fn validate(&self, known_items: &[String], windows: &[u32]) -> Result<(), FieldError> {
        let mut days = std::collections::HashSet::new();
        for h in &self.hours {
            let (Some(open), Some(close)) = (minutes(&h.open), minutes(&h.close)) else { return Err(bad("hours")) };
            if !(1..=7).contains(&h.weekday) || open >= close || !days.insert(h.weekday) {
                return Err(bad("hours"));
            }
        }
        validate_rules(&self.rules)?;
        if !self.classes.iter().any(|c| c.kind == ClassKind::Any) {
            return Err(bad("classes"));
        }
        let (mut prefixes, mut used_windows) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        for c in &self.classes {
            let p = c.prefix.as_bytes();
            if p.len() != 1 || !p[0].is_ascii_uppercase() || !prefixes.insert(p[0]) {
                return Err(bad("classes.prefix"));
            }
            // 40: English names are longer than Chinese ones ("Social and medical insurance" is 28).
            let names_ok = [&c.name.zh, &c.name.en].iter().all(|n| (1..=40).contains(&n.trim().chars().count()));
            if !names_ok {
                return Err(bad("classes.name"));
            }
            if c.open_windows > 99 {
                return Err(bad("classes.open_windows"));
            }
            if !(1..=240).contains(&c.avg_minutes) {
                return Err(bad("classes.avg_minutes"));
            }
            if c.kind == ClassKind::Domain && (c.items.is_empty() || !c.items.iter().all(|i| is_valid_slug(i) && known_items.contains(i))) {
                return Err(bad("classes.items"));
            }
            if !c.windows.iter().all(|w| windows.contains(w) && used_windows.insert(*w)) {
                return Err(bad("classes.windows"));
            }
        }
        Ok(())
    }

    /// The class whose line an item's bookings and tickets join: a domain class listing it, else the
    /// any-item class.
    pub fn class_for(&self, item: &str) -> Option<&ClassConfig> {
        self.classes
            .iter()
            .find(|c| c.kind == ClassKind::Domain && c.items.iter().any(|i| i == item))
            .or_else(|| self.classes.iter().find(|c| c.kind == ClassKind::Any))
    }
}

/// Whether a booking on `date` at `start` still fits the hours and calendar (capacity is checked
/// against the slot's seats separately).
pub fn affected(date: NaiveDate, start: &str, cal: &Calendar, hours: &[OpeningHours], slot_minutes: u32) -> Option<AffectedReason> {
    let wd = date.weekday().number_from_monday() as u8;
    let Some(day) = hours.iter().find(|h| h.weekday == wd).filter(|_| cal.is_working_day(date)) else {
        return Some(AffectedReason::ClosedDay);
    };
    if slot_starts(&day.open, &day.close, slot_minutes).iter().any(|s| s == start) {
        None
    } else {
        Some(AffectedReason::OutsideHours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(wd: u8, open: &str, close: &str) -> OpeningHours {
        OpeningHours { weekday: wd, open: open.into(), close: close.into() }
    }

    fn class(prefix: &str, kind: ClassKind, items: &[&str], windows: &[u32]) -> ClassConfig {
        ClassConfig {
            id: String::new(),
            prefix: prefix.into(),
            kind,
            name: Text::new("综合窗口", "Any item"),
            open_windows: 3,
            avg_minutes: 15,
            items: items.iter().map(|s| s.to_string()).collect(),
            windows: windows.to_vec(),
        }
    }

    fn config() -> CenterConfig {
        CenterConfig {
            center_id: "wanli".into(),
            hours: (1..=5).map(|d| hours(d, "09:00", "17:00")).collect(),
            rules: BookingRules::default(),
            classes: vec![class("A", ClassKind::Any, &[], &[1, 2, 3]), class("B", ClassKind::Domain, &["ybj-reimbursement"], &[6])],
        }
    }

    #[test]
    fn a_sound_configuration_passes_and_each_fault_names_its_field() {
        let items = vec!["ybj-reimbursement".to_string(), "rsj-retirement".to_string()];
        let windows = [1, 2, 3, 4, 5, 6];
        assert_eq!(config().validate(&items, &windows), Ok(()));
        let field = |c: CenterConfig| c.validate(&items, &windows).unwrap_err().field.unwrap();
        let mut c = config();
        c.hours.push(hours(1, "08:00", "12:00"));
        assert_eq!(field(c), "hours", "a weekday twice");
        let mut c = config();
        c.hours[0].close = "08:00".into();
        assert_eq!(field(c), "hours", "closing before opening");
        let mut c = config();
        c.rules.slot_minutes = 7;
        assert_eq!(field(c), "rules.slot_minutes");
        let mut c = config();
        c.rules.hold_minutes = 0;
        assert_eq!(field(c), "rules.hold_minutes");
        let mut c = config();
        c.classes[1].prefix = "A".into();
        assert_eq!(field(c), "classes.prefix", "prefixes are unique");
        let mut c = config();
        c.classes[1].items = vec!["no-such-item".into()];
        assert_eq!(field(c), "classes.items");
        let mut c = config();
        c.classes[1].windows = vec![1];
        assert_eq!(field(c), "classes.windows", "a window calls one line");
        let mut c = config();
        c.classes.remove(0);
        assert_eq!(field(c), "classes", "an any-item class is required");
        let mut c = config();
        c.classes[0].avg_minutes = 0;
        assert_eq!(field(c), "classes.avg_minutes");
    }

    #[test]
    fn items_join_their_domain_line_or_the_any_item_line() {
        let c = config();
        assert_eq!(c.class_for("ybj-reimbursement").unwrap().prefix, "B");
        assert_eq!(c.class_for("rsj-retirement").unwrap().prefix, "A");
    }

    #[test]
    fn bookings_outside_a_changed_configuration_are_found() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut cal = Calendar::default();
        let h: Vec<_> = (1..=5).map(|d| hours(d, "09:00", "12:00")).collect();
        assert_eq!(affected(d("2026-12-01"), "09:30", &cal, &h, 30), None);
        assert_eq!(affected(d("2026-12-01"), "13:00", &cal, &h, 30), Some(AffectedReason::OutsideHours));
        assert_eq!(affected(d("2026-12-01"), "09:15", &cal, &h, 30), Some(AffectedReason::OutsideHours), "off the grid");
        cal.holidays.insert(d("2026-12-01"));
        assert_eq!(affected(d("2026-12-01"), "09:30", &cal, &h, 30), Some(AffectedReason::ClosedDay));
        assert_eq!(affected(d("2026-12-05"), "09:30", &Calendar::default(), &h, 30), Some(AffectedReason::ClosedDay), "Saturday, no hours");
    }
}
