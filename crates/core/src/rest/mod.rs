//! Pure REST logic: query encoding, batch building and decoding, error classes, and the
//! frame's one client with its limiter, retries and coalescing.

pub mod batch;
pub mod client;
pub mod coalesce;
pub mod error;
pub mod limiter;
pub mod operating;
pub mod paging;
pub mod query;
pub mod retry;
pub mod transport;

pub use batch::{Batch, BatchAnswer};
pub use error::{ErrorClass, RestAnswer, RestError};
