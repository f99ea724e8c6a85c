//! The client on the line: the card, its bindings (deals, leads, …) and the last-contact line.
//! Domain: `callcard_core::client`.

pub mod bindings;
pub mod card;
pub mod last_contact;
