//! What the REST client needs from a portal: one request, and a fresh token. The portal's full
//! interface ([`crate::portal::Portal`]) extends [`Transport`] (every portal is one), so the
//! client depends on nothing above `rest`.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::error::{RestAnswer, RestError};

/// A future that lives on the browser's one thread.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One REST request, and a token refresh, as the client sends them.
pub trait Transport {
    /// One REST request (a batch is the `batch` method).
    fn send(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>>;
    /// Asks the portal for a fresh access token; the error is a line for the log (never a
    /// library message, which may quote a request with its `auth=` token).
    fn renew_token(&self) -> Fut<'_, Result<(), String>>;
}
