//! The demo portal: a simulated call card + CRM that answers REST in the real shapes.
//!
//! The simulation is pure Rust (host-tested). In the browser it runs in a Web Worker (`protocol` is the
//! worker's whole logic; `frame::demo_link` in the app the transport), and `frame::demo_portal` adds
//! latency, delivers events and counts requests.

pub mod config;
pub mod protocol;
pub mod sim;
mod sim_calllist;
mod sim_history;
mod sim_match;
mod sim_timeline;

pub use config::{DemoConfig, Scenario};

/// The demo portal's host: where its recordings are (the card links recordings on the
/// portal's own host only).
pub const DEMO_HOST: &str = "callcard.example.com";
pub use sim::{Sim, SimEvent};
