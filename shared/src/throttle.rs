//! Every throttle's numbers and window in one leaf module: the rules that count (`account`, `review`) and
//! the `Retry-After` of each refusal (`error`) read the same constants without using one another.

/// Sign-in throttling, within the window. Per account: at most 5 attempts are checked, counted before the
/// check in one conditional write, so parallel guesses cannot all be verified; then the account refuses
/// even its right password until the window passes. Per client address: past 20 failures the address is
/// not refused (a service center's desks and kiosks share one address, and a stranger at the kiosk must
/// not lock the staff out) but paced: its attempts queue for one check every [`PACE_MS`], and an attempt
/// that would wait more than [`PACE_MAX_WAIT_SECS`] is told to come back then.
pub const MAX_FAILS_PER_ACCOUNT: u32 = 5;
pub const MAX_FAILS_PER_CLIENT: u32 = 20;
pub const THROTTLE_WINDOW_SECS: i64 = 15 * 60;
pub const PACE_MS: i64 = 2_000;
pub const PACE_MAX_WAIT_SECS: i64 = 10;

/// Invitations one business may send within [`INVITE_WINDOW_SECS`]: enough for any real staffing change,
/// too few to probe which ID numbers are registered (the answer is the same either way anyway).
pub const INVITES_PER_WINDOW: u32 = 10;
pub const INVITE_WINDOW_SECS: i64 = 3600;

/// Reviews per signed-in account, and code-only reviews per client address, within [`REVIEW_WINDOW_SECS`].
pub const REVIEWS_PER_ACCOUNT: u32 = 5;
pub const REVIEWS_PER_CLIENT: u32 = 60;
pub const REVIEW_WINDOW_SECS: i64 = 600;
