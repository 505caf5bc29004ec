//! Working days. China's statutory holidays move every year and come with 调休: some weekends become
//! working days to bridge a holiday. Each center's calendar is data (holidays and extra working days);
//! the rules here count booking horizons and deadlines ("15 working days") against it.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Days off that would otherwise be working days (法定节假日).
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub extra_workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.extra_workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `d` (`n` = 0: `d` itself if it is a working day, else the next one).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut day = d;
        if n == 0 {
            while !self.is_working_day(day) {
                day += Duration::days(1);
            }
            return day;
        }
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`: how many working days `to` lies after `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }

    /// Working days from the `first`-th to the `last`-th working day after `today`, in order: the dates a
    /// resident may book (from the next working day up to the horizon).
    pub fn working_days_ahead(&self, today: NaiveDate, first: u32, last: u32) -> Vec<NaiveDate> {
        (first.max(1)..=last).map(|n| self.add_working_days(today, n)).collect()
    }
}

/// ISO weekday (1 = Monday … 7 = Sunday) of a `YYYY-MM-DD` date, for labels such as 周四.
pub fn iso_weekday(date: &str) -> Option<u8> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok().map(|d| d.weekday().number_from_monday() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_of_dates() {
        assert_eq!(iso_weekday("2026-11-26"), Some(4), "a Thursday");
        assert_eq!(iso_weekday("2026-11-29"), Some(7));
        assert_eq!(iso_weekday("2026-13-01"), None);
    }
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 2026 National Day: 1–7 October off; Sunday 27 September and Saturday 10 October worked (调休).
    fn national_day() -> Calendar {
        Calendar {
            holidays: (1..=7).map(|i| d(&format!("2026-10-{i:02}"))).collect(),
            extra_workdays: [d("2026-09-27"), d("2026-10-10")].into_iter().collect(),
        }
    }

    #[test]
    fn weekends_holidays_and_tiaoxiu() {
        let c = national_day();
        assert!(!c.is_working_day(d("2026-09-26")), "Saturday");
        assert!(c.is_working_day(d("2026-09-27")), "Sunday worked for National Day");
        assert!(!c.is_working_day(d("2026-10-01")), "holiday on a Thursday");
        assert!(c.is_working_day(d("2026-10-10")), "Saturday worked");
        assert!(!c.is_working_day(d("2026-10-11")), "Sunday");
    }

    #[test]
    fn counting_across_the_holiday() {
        let c = national_day();
        // From Wednesday 30 September, the next working day is Thursday 8 October.
        assert_eq!(c.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
        assert_eq!(c.add_working_days(d("2026-09-30"), 3), d("2026-10-10"));
        assert_eq!(c.add_working_days(d("2026-10-03"), 0), d("2026-10-08"));
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-12")), 4);
        assert_eq!(c.working_days_ahead(d("2026-09-30"), 1, 3), vec![d("2026-10-08"), d("2026-10-09"), d("2026-10-10")]);
    }

    fn arb_calendar() -> impl Strategy<Value = Calendar> {
        let day = (0i64..120).prop_map(|o| d("2026-09-01") + Duration::days(o));
        (proptest::collection::btree_set(day.clone(), 0..20), proptest::collection::btree_set(day, 0..6))
            .prop_map(|(holidays, extra_workdays)| Calendar { holidays, extra_workdays })
    }

    proptest! {
        /// Adding n working days lands on a working day exactly n working days later, and more days never
        /// land earlier.
        #[test]
        fn add_and_count_agree(c in arb_calendar(), start in 0i64..100, n in 0u32..30) {
            let from = d("2026-09-01") + Duration::days(start);
            let to = c.add_working_days(from, n);
            prop_assert!(c.is_working_day(to));
            if n > 0 {
                prop_assert_eq!(c.working_days_between(from, to), n);
                prop_assert!(c.add_working_days(from, n + 1) > to);
            }
        }

        /// Bookable days are working days, strictly increasing, after today.
        #[test]
        fn days_ahead_are_working_days_in_order(c in arb_calendar(), start in 0i64..100, last in 1u32..15) {
            let today = d("2026-09-01") + Duration::days(start);
            let days = c.working_days_ahead(today, 1, last);
            prop_assert_eq!(days.len() as u32, last);
            prop_assert!(days.iter().all(|x| c.is_working_day(*x) && *x > today));
            prop_assert!(days.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
