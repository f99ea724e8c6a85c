//! The vocabulary every feature shares: CRM entity kinds and references, phone-number
//! formatting, and the lenient JSON readers the decoders are built on. The features' own
//! records live in their folders (`call`, `client`, `history`, `campaign`, `wrapup`).

pub mod entity;
pub mod phone;
pub mod time;
pub mod value;

pub use entity::{EntityKind, EntityRef};
pub use value::DecodeError;
