//! `/api/v1/sessions`: sign in and out, and who is calling. Sessions live in D1, not KV: KV is eventually
//! consistent (a sign-out could take up to 60 s to reach another location), D1 is not, so a sign-out or a
//! password change ends the session everywhere at once. The statements are built in [`store`].

pub mod store;

#[cfg(target_arch = "wasm32")]
pub use wasm::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::store::{self, AccountRow, NewSession, PasswordRow, SessionRow};
    use crate::crypto::{pbkdf2_sha256, random, token_digest, token_string};
    use crate::error::ApiError;
    use crate::http::{cookie, session_cookie, Answer, Body, Ctx, SESSION_COOKIE};
    use crate::password::{PasswordRecord, Peppers};
    use crate::routes::ep;
    use tongban_shared::account::{Role, MAX_FAILS_PER_CLIENT, PACE_MS};
    use tongban_shared::ErrorCode;
    use worker::D1PreparedStatement;

    use crate::error::js_err;

    pub use tongban_shared::authz::Principal;

    /// A staff session's limits: the vars `STAFF_IDLE_SECS` and `STAFF_ABSOLUTE_SECS` where set (a
    /// deployment's policy), else `tongban_shared::account`'s 30 minutes and 12 hours.
    fn staff_limits(ctx: &Ctx) -> (i64, i64) {
        let var = |name: &str, default: i64| ctx.env.var(name).ok().and_then(|v| v.to_string().parse::<i64>().ok()).filter(|n| *n > 0).unwrap_or(default);
        (var("STAFF_IDLE_SECS", tongban_shared::account::STAFF_IDLE_SECS), var("STAFF_ABSOLUTE_SECS", tongban_shared::account::STAFF_ABSOLUTE_SECS))
    }

    /// The signed-in caller, if the cookie names a live session of an account that is not disabled. A
    /// staff session's idle timer moves with the person's own requests only, at most once a minute (no D1
    /// write per read), and the session ends 12 hours after sign-in whatever it did.
    pub async fn current(ctx: &Ctx) -> Result<Option<Principal>, ApiError> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        let Some(token) = cookie(&header, SESSION_COOKIE) else { return Ok(None) };
        let digest = token_digest(token);
        let db = ctx.db()?;
        let row: Option<SessionRow> = store::session(&digest).prepare(&db)?.first(None).await?;
        let Some(row) = row else { return Ok(None) };
        let (_, absolute) = staff_limits(ctx);
        if !tongban_shared::account::session_alive(ctx.now, row.created_at, row.expires_at, row.idle_secs, absolute) {
            return Ok(None);
        }
        let own = ctx.req.headers().get(tongban_shared::account::BACKGROUND_HEADER)?.is_none();
        if let Some(next) = tongban_shared::account::renewed_expiry(ctx.now, row.created_at, row.expires_at, row.idle_secs, absolute, own) {
            store::renew(&digest, next).prepare(&db)?.run().await?;
        }
        let role = Role::parse(&row.role).ok_or_else(|| ApiError::Internal(format!("unknown role {}", row.role)))?;
        Ok(Some(Principal {
            account_id: row.account_id,
            role,
            center_id: row.center_id,
            dept_id: row.dept_id,
            must_change_password: row.must_change_password != 0,
        }))
    }

    /// A new session: the statements that store it (to batch with other writes) and the cookie to set.
    /// The browser's previous session, if it sent one, ends in the same batch: signing in again (as
    /// the same person or another at a shared desk) never leaves the old token alive behind the new one.
    pub fn start(ctx: &Ctx, account_id: &str, role: Role, remember: bool) -> Result<(Vec<D1PreparedStatement>, String), ApiError> {
        let token = token_string(random::<32>().map_err(js_err)?);
        let secs = if role.is_staff() { staff_limits(ctx).0 } else { role.session_secs(remember) };
        let idle = if role.is_staff() { secs } else { 0 };
        let db = ctx.db()?;
        let stmt =
            store::insert_session(&NewSession { token_digest: &token_digest(&token), account_id, now: ctx.now, expires_at: ctx.now + secs, idle_secs: idle })
                .prepare(&db)?;
        // Residents who did not ask to be remembered get a cookie that ends with the browser. A staff cookie
        // lasts the whole shift: the idle timer is the server's (the cookie's 30 minutes from sign-in used to
        // sign an active clerk out regardless).
        let max_age = if role.is_staff() { Some(staff_limits(ctx).1) } else { remember.then_some(secs) };
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        let mut stmts = vec![stmt];
        if let Some(previous) = cookie(&header, SESSION_COOKIE) {
            stmts.push(store::end_session(&token_digest(previous)).prepare(&db)?);
        }
        Ok((stmts, session_cookie(&token, max_age)))
    }

    /// A new password record in the current scheme (`crate::password`).
    pub async fn hash_password(ctx: &Ctx, password: &str) -> Result<String, ApiError> {
        hash_with(&ctx.peppers()?, password).await
    }

    async fn hash_with(peppers: &Peppers, password: &str) -> Result<String, ApiError> {
        let mut rec = PasswordRecord::new_params(peppers, random::<16>().map_err(js_err)?);
        rec.hash = derive(&rec, peppers, password).await?;
        Ok(rec.encode())
    }

    async fn derive(rec: &PasswordRecord, peppers: &Peppers, password: &str) -> Result<Vec<u8>, ApiError> {
        let input = rec.kdf_input(peppers, password).map_err(ApiError::Internal)?;
        pbkdf2_sha256(&input, &rec.salt, rec.iterations).await.map_err(js_err)
    }

    /// Whether `password` matches `record`, and if it does and the record is not in the current scheme,
    /// the record to store instead. A record that cannot be checked here (malformed, above the KDF cap, a
    /// pepper no longer held) is a failed sign-in, logged: it must never become a 500 on every attempt.
    async fn verify_password(peppers: &Peppers, password: &str, record: &str) -> Result<(bool, Option<String>), ApiError> {
        let rec = match PasswordRecord::parse(record).ok_or_else(|| "malformed password record".to_string()).and_then(|r| r.kdf_input(peppers, "").map(|_| r)) {
            Ok(r) => r,
            Err(why) => {
                worker::console_error!("password record cannot be verified ({why}); the account needs a password reset");
                // The same work as a real check, so this answer is not faster than a wrong password.
                let _ = derive(&PasswordRecord::decoy(peppers), peppers, password).await?;
                return Ok((false, None));
            }
        };
        if !rec.matches(&derive(&rec, peppers, password).await?) {
            return Ok((false, None));
        }
        let upgrade = if rec.is_current(peppers) { None } else { Some(hash_with(peppers, password).await?) };
        Ok((true, upgrade))
    }

    /// Re-checks the signed-in user's password before a sensitive change. Failures count towards the
    /// same lockout as sign-in, so this cannot be used to guess either.
    pub async fn confirm_password(ctx: &Ctx, account_id: &str, password: &str) -> Result<(), ApiError> {
        let db = ctx.db()?;
        let row: PasswordRow = store::password_of(account_id).prepare(&db)?.first(None).await?.ok_or(ApiError::from(ErrorCode::Unauthenticated))?;
        claim_attempt(ctx, &row.login_lookup).await?;
        if verify_password(&ctx.peppers()?, password, &row.password).await?.0 {
            store::clear_failures(&row.login_lookup).prepare(&db)?.run().await?;
            return Ok(());
        }
        Err(ErrorCode::BadCredentials.into())
    }

    /// The digest of the caller's own session token, to keep it when ending the others.
    pub fn own_token_digest(ctx: &Ctx) -> Result<String, ApiError> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        Ok(cookie(&header, SESSION_COOKIE).map(token_digest).unwrap_or_default())
    }

    /// Counts one sign-in attempt against `lookup` before its password is checked, and decides in the same
    /// write whether it may be checked at all: the attempt is recorded as a failure only while fewer than
    /// [`MAX_FAILS_PER_ACCOUNT`] are, so N parallel guesses check at most that many and the rest are
    /// refused (`too_many_attempts`). A right password then clears the account's failures. An address
    /// past [`MAX_FAILS_PER_CLIENT`] failures is paced first ([`pace`]), never refused outright.
    async fn claim_attempt(ctx: &Ctx, lookup: &str) -> Result<(), ApiError> {
        let db = ctx.db()?;
        let client = tongban_shared::account::client_key(&ctx.client());
        let by_client: Option<i64> = store::client_failures(&client, ctx.now).prepare(&db)?.first(Some("n")).await?;
        if by_client.unwrap_or(0) >= i64::from(MAX_FAILS_PER_CLIENT) {
            pace(ctx, &client).await?;
        }
        let claimed: Option<i64> = store::claim_attempt(lookup, &client, ctx.now).prepare(&db)?.first(Some("id")).await?;
        // Refused even with the right password: the lockout is what stops guessing.
        claimed.map(|_| ()).ok_or_else(|| ErrorCode::TooManyAttempts.into())
    }

    /// Waits for this address's next check slot: one reserved per [`PACE_MS`] in one conditional upsert,
    /// so parallel attempts from the address queue instead of all being checked at once. A slot more
    /// than [`PACE_MAX_WAIT_SECS`] away is not reserved (a flood cannot push the queue out for ever) and
    /// the caller is told to retry then (`sign_in_busy`).
    async fn pace(ctx: &Ctx, client: &str) -> Result<(), ApiError> {
        let now_ms = worker::Date::now().as_millis() as i64;
        let next: Option<i64> = store::reserve_pace(client, now_ms).prepare(&ctx.db()?)?.first(Some("next_at")).await?;
        let next = next.ok_or(ApiError::from(ErrorCode::SignInBusy))?;
        let wait = next - PACE_MS - now_ms;
        if wait > 0 {
            worker::Delay::from(std::time::Duration::from_millis(wait as u64)).await;
        }
        Ok(())
    }

    pub async fn login(ctx: &Ctx, body: Body<ep::Login>) -> Answer<ep::Login> {
        let req = body.read(ctx)?;
        let keys = ctx.keyring()?;
        let lookup = keys.lookup_digest(&req.normalised());
        let db = ctx.db()?;
        claim_attempt(ctx, &lookup).await?;
        let account: Option<AccountRow> = store::account_by_login(&lookup).prepare(&db)?.first(None).await?;
        // Unknown accounts cost the same KDF work, so timing does not reveal which logins exist.
        let peppers = ctx.peppers()?;
        let decoy = PasswordRecord::decoy(&peppers).encode();
        let (ok, upgrade) = verify_password(&peppers, &req.password, account.as_ref().map_or(decoy.as_str(), |a| a.password.as_str())).await?;
        let ok = ok && account.is_some();
        let Some(account) = account.filter(|_| ok) else {
            // The attempt was counted as a failure before the check.
            return Err(ErrorCode::BadCredentials.into());
        };
        // Said only to whoever knows the password: a disabled post is not told apart from a wrong password otherwise.
        if account.disabled != 0 {
            return Err(ErrorCode::AccountDisabled.into());
        }
        let role = Role::parse(&account.role).ok_or_else(|| ApiError::Internal(format!("unknown role {}", account.role)))?;
        let (mut writes, set_cookie) = start(ctx, &account.id, role, req.remember)?;
        writes.push(store::clear_failures(&lookup).prepare(&db)?);
        if let Some(record) = upgrade {
            // Only over the record just checked: a password changed meanwhile is not overwritten.
            writes.push(store::upgrade_password(&account.id, &record, &account.password).prepare(&db)?);
        }
        db.batch(writes).await?;
        let me = crate::me::me_of(ctx, &keys, &account.id).await?;
        let mut resp = ctx.reply(&me)?;
        resp.headers_mut().set("Set-Cookie", &set_cookie)?;
        Ok(resp)
    }

    pub async fn logout(ctx: &Ctx) -> Answer<ep::Logout> {
        let header = ctx.req.headers().get("Cookie")?.unwrap_or_default();
        if let Some(token) = cookie(&header, SESSION_COOKIE) {
            store::end_session(&token_digest(token)).prepare(&ctx.db()?)?.run().await?;
        }
        let mut resp = crate::http::Reply::no_content()?;
        resp.headers_mut().set("Set-Cookie", &session_cookie("", Some(0)))?;
        resp.headers_mut().set("Cache-Control", "no-store")?;
        Ok(resp)
    }
}
