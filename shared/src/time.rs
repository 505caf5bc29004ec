//! Beijing time (UTC+8, no daylight saving), the one clock of the product: slots, deadlines, reminders,
//! months of the statistics and every time a page shows are Beijing wall-clock times, whatever zone
//! the worker or the phone runs in. Epoch seconds are what is stored.

use chrono::NaiveDateTime;

/// Beijing is UTC+8 all year.
pub const OFFSET_SECS: i64 = 8 * 3600;

/// The Beijing wall-clock time of an epoch second.
pub fn beijing(epoch: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(epoch + OFFSET_SECS, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

/// The epoch second of a Beijing wall-clock time (the inverse of [`beijing`]).
pub fn epoch_of(local: NaiveDateTime) -> i64 {
    local.and_utc().timestamp() - OFFSET_SECS
}

/// (year, month, day, hour, minute) in Beijing of an epoch second, by civil-from-days arithmetic
/// (H. Hinnant), so the browser needs neither chrono's formatter nor its own zone.
pub fn civil(epoch: i64) -> (i64, u32, u32, u32, u32) {
    let s = epoch + OFFSET_SECS;
    let (days, sod) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32, d as u32, (sod / 3600) as u32, (sod % 3600 / 60) as u32)
}

/// `HH:MM`.
pub fn clock(epoch: i64) -> String {
    let (.., h, min) = civil(epoch);
    format!("{h:02}:{min:02}")
}

/// `MM-DD HH:MM`.
pub fn day_and_clock(epoch: i64) -> String {
    let (_, m, d, h, min) = civil(epoch);
    format!("{m:02}-{d:02} {h:02}:{min:02}")
}

/// `YYYY-MM-DD HH:MM`.
pub fn stamp(epoch: i64) -> String {
    let (y, m, d, h, min) = civil(epoch);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}")
}

/// `YYYY-MM`: the month a service counts in.
pub fn month(epoch: i64) -> String {
    let (y, m, ..) = civil(epoch);
    format!("{y:04}-{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn beijing_is_utc_plus_eight() {
        assert_eq!(beijing(0).to_string(), "1970-01-01 08:00:00");
        assert_eq!(beijing(1_764_000_000).to_string(), "2025-11-25 00:00:00");
        // 2026-11-30 16:30 UTC is 1 December 00:30 in Beijing.
        assert_eq!(month(1_796_056_200), "2026-12");
        assert_eq!(month(1_796_052_600), "2026-11");
        assert_eq!(stamp(951_782_400 - OFFSET_SECS), "2000-02-29 00:00");
        assert_eq!(day_and_clock(1_795_573_920), "11-25 10:32");
        assert_eq!(clock(1_767_196_800), "00:00");
    }

    proptest! {
        /// The browser's arithmetic and chrono agree on every second of 1970–2100, and the two
        /// conversions are inverse.
        #[test]
        fn civil_agrees_with_chrono(epoch in 0i64..4_102_444_800) {
            let t = beijing(epoch);
            prop_assert_eq!(stamp(epoch), t.format("%Y-%m-%d %H:%M").to_string());
            prop_assert_eq!(epoch_of(t), epoch);
        }
    }
}
