//! After the call: the wrap-up panel (outcome, comment, follow-up) and its save. Domain:
//! `callcard_core::wrapup`.

pub mod state;
pub mod view;
