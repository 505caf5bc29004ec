//! The appraisal's figures: raw tallies of services and reviews, and the rates the policy names.

use super::*;

/// Raw counts over some set of services and reviews. The edge fills them from SQL `GROUP BY`s; sums
/// add up across groups, so any roll-up (center, month, …) is a sum of tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tally {
    /// Services delivered (finished tickets, decided cases).
    pub services: u64,
    /// Of which finished on the spot (当场办结).
    pub on_the_spot: u64,
    /// Services with a measured wait, and the waits' sum in seconds.
    pub waited: u64,
    pub wait_secs: u64,
    pub reviews: u64,
    pub good: u64,
    pub bad: u64,
    /// Bad reviews verified as valid.
    pub valid_bad: u64,
    pub rectified: u64,
    pub not_fixed: u64,
    /// Valid bad reviews given under the reviewer's name, and how many of them were called back.
    pub real_name_bad: u64,
    pub called_back: u64,
    pub overdue: u64,
    /// Sum and count of each indicator in [`Indicator::ALL`] order.
    pub score_sum: [u64; 7],
    pub score_n: [u64; 7],
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.services += o.services;
        self.on_the_spot += o.on_the_spot;
        self.waited += o.waited;
        self.wait_secs += o.wait_secs;
        self.reviews += o.reviews;
        self.good += o.good;
        self.bad += o.bad;
        self.valid_bad += o.valid_bad;
        self.rectified += o.rectified;
        self.not_fixed += o.not_fixed;
        self.real_name_bad += o.real_name_bad;
        self.called_back += o.called_back;
        self.overdue += o.overdue;
        for i in 0..7 {
            self.score_sum[i] += o.score_sum[i];
            self.score_n[i] += o.score_n[i];
        }
    }

    /// Adds one review (and its order, if it opened one) — the reference definition the SQL follows.
    pub fn count_review(&mut self, level: u8, scores: &Scores, order: Option<&Order>, today: NaiveDate) {
        self.reviews += 1;
        self.good += u64::from(is_good(level));
        self.bad += u64::from(is_bad(level));
        self.score_sum[0] += u64::from(level);
        self.score_n[0] += 1;
        for (i, ind) in Indicator::ALL.iter().enumerate().skip(1) {
            if let Some(v) = scores.get(*ind) {
                self.score_sum[i] += u64::from(v);
                self.score_n[i] += 1;
            }
        }
        if let Some(o) = order {
            let valid = o.valid == Some(true);
            self.valid_bad += u64::from(valid);
            self.rectified += u64::from(valid && o.rectified());
            self.not_fixed += u64::from(o.outcome == Some(Outcome::NotFixed));
            self.real_name_bad += u64::from(valid && o.real_name);
            self.called_back += u64::from(valid && o.called_back());
            self.overdue += u64::from(o.overdue(today));
        }
    }
}

impl Order {
    /// Whether the reviewer has given a callback rating (one closed it fixed, or one reopened it). Only
    /// real-name orders are called back; anonymous ones close fixed on the report, uncalled.
    pub fn called_back(&self) -> bool {
        self.real_name && (self.reopened || self.outcome == Some(Outcome::Fixed))
    }
}

/// One indicator's average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IndicatorAvg {
    pub indicator: Indicator,
    pub avg: f64,
    pub n: u64,
}

/// A tally with its rates. Rates are `None` where the denominator is 0 (no services, no bad reviews):
/// "no data" is not 0% and not 100%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Figures {
    pub tally: Tally,
    /// Reviews ÷ services.
    pub evaluation_rate: Option<f64>,
    /// Levels 4–5 ÷ reviews.
    pub good_rate: Option<f64>,
    /// Rectified ÷ valid bad reviews.
    pub rectification_rate: Option<f64>,
    /// Called back ÷ valid real-name bad reviews.
    pub callback_rate: Option<f64>,
    pub on_the_spot_rate: Option<f64>,
    pub avg_wait_minutes: Option<f64>,
    pub satisfaction: Vec<IndicatorAvg>,
}

/// `num ÷ den` as a percentage rounded to 0.1, `None` for an empty denominator.
pub fn percent(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| (num as f64 * 1000.0 / den as f64).round() / 10.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Figures {
    pub fn of(t: Tally) -> Figures {
        Figures {
            evaluation_rate: percent(t.reviews, t.services),
            good_rate: percent(t.good, t.reviews),
            rectification_rate: percent(t.rectified, t.valid_bad),
            callback_rate: percent(t.called_back, t.real_name_bad),
            on_the_spot_rate: percent(t.on_the_spot, t.services),
            avg_wait_minutes: (t.waited > 0).then(|| (t.wait_secs as f64 / t.waited as f64 / 60.0 * 10.0).round() / 10.0),
            satisfaction: Indicator::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| t.score_n[*i] > 0)
                .map(|(i, ind)| IndicatorAvg { indicator: *ind, avg: round2(t.score_sum[i] as f64 / t.score_n[i] as f64), n: t.score_n[i] })
                .collect(),
            tally: t,
        }
    }
}
