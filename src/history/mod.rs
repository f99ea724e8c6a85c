//! The client's history: the timeline of calls, activities and comments. Domain:
//! `callcard_core::history`.

pub mod state;
pub mod view;
