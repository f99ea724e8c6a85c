//! The calling campaign: call-list detection, the picker, progress and the list's items.
//! Domain: `callcard_core::campaign`.

pub mod state;
pub mod view;
