//! Pure REST logic: query encoding, batch building and decoding, error classes.

pub mod batch;
pub mod error;
pub mod query;

pub use batch::{Batch, BatchAnswer};
pub use error::{ErrorClass, RestAnswer, RestError};
