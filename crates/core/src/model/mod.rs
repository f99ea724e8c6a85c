//! The pure domain: call status, CRM records, phone numbers — lenient decoding, no web-sys.

pub mod call;
pub mod crm;
pub mod entity;
pub mod phone;
pub mod value;

pub use call::{CallEvent, CallState, CallStatus, Direction, EntityChange, OtherItem, PhoneNumber};
pub use entity::{EntityKind, EntityRef};
pub use value::DecodeError;
