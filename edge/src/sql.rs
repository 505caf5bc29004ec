//! A statement and its bound values as plain data, so the builders that make them are pure: the host
//! SQL stage (`sql_check`) runs them on SQLite against `migrations/`, and the worker binds them to D1.

/// A bound SQL value.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

/// One SQL statement with its `?N` values in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Stmt { sql: sql.into(), args }
    }
}

#[cfg(target_arch = "wasm32")]
pub fn js(args: &[Arg]) -> Vec<wasm_bindgen::JsValue> {
    use wasm_bindgen::JsValue;
    // D1 takes numbers as JS doubles; every integer the worker binds (epoch seconds, counts) is far
    // below 2^53.
    args.iter()
        .map(|a| match a {
            Arg::Text(s) => JsValue::from_str(s),
            Arg::Int(n) => JsValue::from_f64(*n as f64),
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
impl Stmt {
    pub fn prepare(&self, db: &worker::D1Database) -> Result<worker::D1PreparedStatement, crate::error::ApiError> {
        Ok(db.prepare(&self.sql).bind(&js(&self.args))?)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
impl Stmt {
    /// Runs the statement on host SQLite (the SQL stage's twin of `prepare` + `run`).
    pub fn execute(&self, conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        let values: Vec<rusqlite::types::Value> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => rusqlite::types::Value::Text(s.clone()),
                Arg::Int(n) => rusqlite::types::Value::Integer(*n),
            })
            .collect();
        conn.execute(&self.sql, rusqlite::params_from_iter(values))
    }
}
