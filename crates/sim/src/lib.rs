//! The demo portal: a simulated call card + CRM that answers REST in the real shapes.
//!
//! The simulation is pure Rust (host-tested). In the browser it runs in a Web Worker (`protocol` is the
//! worker's whole logic; `frame::demo_link` in the app the transport), and `frame::demo_portal` adds
//! latency, delivers events and counts requests.
//!
//! The modules, each depending only on those listed before it:
//! * `config` — what the demo URL asks for; `random`, `bilingual`, `dates` — seeded draws,
//!   two-language texts, REST dates;
//! * `answer` — a method's result or failure, lenient parameters, filters, orders, pages;
//! * `crm_tables`, `crm` — the CRM's fixed tables and the records generated from them;
//! * `matching` (`crm.duplicate.findbycomm`), `timeline` (comments, to-dos, the card's
//!   auto-close), `calllist` and `calllist_rest` (call lists and the campaign), `history`
//!   (activities, call statistics), `crm_rest` (items, statuses, users), `placements`;
//! * `sim` — the portal's state ([`Sim`]) and what it reports (`getStatus`, placement options);
//! * `call` — the call's controls; `faults` — injected failures; `dispatch` — one REST request;
//! * `protocol` — the worker's messages.

pub mod config;
pub mod protocol;
pub mod sim;

mod answer;
mod bilingual;
mod call;
mod calllist;
mod calllist_rest;
mod crm;
mod crm_rest;
mod crm_tables;
mod dates;
mod dispatch;
mod faults;
mod history;
mod matching;
mod placements;
mod random;
#[cfg(test)]
mod testing;
mod timeline;

pub use config::{DemoConfig, Scenario};

/// The demo portal's host: where its recordings are (the card links recordings on the
/// portal's own host only).
pub const DEMO_HOST: &str = "callcard.example.com";
pub use sim::{Sim, SimEvent};
