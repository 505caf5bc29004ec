//! The one error type of the edge. Client mistakes carry a shared [`ErrorCode`] (status and zh/en text
//! come from it); everything else is `Internal`, whose detail is logged and never sent to the caller.

use tongban_shared::error::{ErrorBody, Params};
use tongban_shared::{ErrorCode, FieldError, Lang};

#[derive(Debug)]
pub enum ApiError {
    Client {
        code: ErrorCode,
        field: Option<&'static str>,
        /// What the message names (a center's limits): `ErrorCode::text_with`.
        params: Params,
    },
    /// The detail is for the log only.
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Client { code, .. } => *code,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn status(&self) -> u16 {
        self.code().status()
    }

    /// The response body; for `Internal` it says only that something went wrong.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        match self {
            ApiError::Client { code, field, params } => ErrorBody::with_params(*code, *field, params.clone(), lang),
            ApiError::Internal(_) => ErrorBody::new(ErrorCode::Internal, None, lang),
        }
    }

    /// A refusal whose message names the limits in `params`.
    pub fn refused(code: ErrorCode, params: Params) -> Self {
        ApiError::Client { code, field: None, params }
    }
}

/// A JavaScript exception from the runtime (Web Crypto, a binding): a bug or an outage, logged only.
#[cfg(target_arch = "wasm32")]
pub fn js_err(e: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Internal(format!("js: {e:?}"))
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::Client { code, field: None, params: Params::new() }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Client { code: e.code, field: e.field, params: Params::new() }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Internal(format!("json: {e}"))
    }
}

impl ApiError {
    /// A failure from the runtime or D1. A D1 batch is one transaction, so when one of its statements
    /// fails nothing of it was written. Two such failures are not bugs but a race lost to another writer:
    /// a busy database, and a constraint the database enforces behind the conditional writes (a CHECK on
    /// seats, a UNIQUE number, a trigger). Both become 409 `write_conflict` with `Retry-After`: the caller
    /// may simply send the same request again (with the same Idempotency-Key where the route takes one).
    /// D1's own transient failures (a reset storage object, a lost connection) are 503 `unavailable`, also
    /// retryable. Anything else (no such table, a type error) is a bug: 500, detail logged only.
    pub fn from_runtime(detail: String) -> Self {
        const CONFLICT: &[&str] = &["SQLITE_BUSY", "database is locked", "SQLITE_CONSTRAINT", "constraint failed"];
        const TRANSIENT: &[&str] = &[
            "Network connection lost",
            "storage caused object to be reset",
            "reset because its code was updated",
            "Cannot resolve D1 DB due to transient issue",
        ];
        if CONFLICT.iter().any(|c| detail.contains(c)) {
            ApiError::from(ErrorCode::WriteConflict)
        } else if TRANSIENT.iter().any(|c| detail.contains(c)) {
            ApiError::from(ErrorCode::Unavailable)
        } else {
            ApiError::Internal(detail)
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::from_runtime(format!("worker: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_body() {
        let e = ApiError::Internal("D1_ERROR: no such table: items at SELECT secret".into());
        let body = serde_json::to_string(&e.body(Lang::En)).unwrap();
        assert_eq!(e.status(), 500);
        assert!(!body.contains("D1_ERROR") && !body.contains("secret"), "{body}");
        assert!(body.contains("\"code\":\"internal\""));
    }

    #[test]
    fn lost_races_are_a_retryable_409_transient_d1_failures_a_503_and_bugs_stay_internal() {
        for lost in [
            "worker: D1_ERROR: database is locked: SQLITE_BUSY",
            "worker: D1_ERROR: CHECK constraint failed: booked >= 0 AND booked <= capacity: SQLITE_CONSTRAINT",
            "worker: D1_ERROR: injected fault: SQLITE_CONSTRAINT",
        ] {
            let e = ApiError::from_runtime(lost.into());
            assert_eq!((e.status(), e.code()), (409, ErrorCode::WriteConflict), "{lost}");
        }
        let reset = ApiError::from_runtime("worker: D1_ERROR: Network connection lost.".into());
        assert_eq!((reset.status(), reset.code()), (503, ErrorCode::Unavailable));
        assert_eq!(ApiError::from_runtime("worker: D1_ERROR: no such column".into()).status(), 500);
    }

    #[test]
    fn field_errors_keep_their_field() {
        let e: ApiError = FieldError::new(ErrorCode::BadPage, "per_page").into();
        assert_eq!(e.status(), 400);
        assert_eq!(e.body(Lang::Zh).error.field.as_deref(), Some("per_page"));
    }
}
