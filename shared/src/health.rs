//! The answer of `/api/v1/health`: which build is running and whether its storage answers.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    /// `ok` when D1 and KV both answer, else `degraded` (served with status 503).
    pub status: String,
    /// Crate version plus the build's git revision.
    pub version: String,
    pub d1: bool,
    pub kv: bool,
}

impl Health {
    pub fn new(version: &str, d1: bool, kv: bool) -> Self {
        Health { status: if d1 && kv { "ok" } else { "degraded" }.into(), version: version.into(), d1, kv }
    }

    /// 503 while either store fails, so a load balancer or xtask's readiness wait sees it.
    pub fn http_status(&self) -> u16 {
        if self.d1 && self.kv {
            200
        } else {
            503
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degraded_unless_both_stores_answer() {
        assert_eq!(Health::new("1", true, true).http_status(), 200);
        assert_eq!(Health::new("1", true, true).status, "ok");
        for (d1, kv) in [(false, true), (true, false), (false, false)] {
            let h = Health::new("1", d1, kv);
            assert_eq!((h.status.as_str(), h.http_status()), ("degraded", 503));
        }
    }
}
