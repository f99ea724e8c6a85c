//! The demo portal: a simulated call card + CRM that answers REST in the real shapes.
//!
//! `sim` is pure Rust (host-tested). In the browser it runs in a Web Worker (`protocol` is the
//! worker's whole logic; `portal::demo_link` the transport), and `portal::demo_portal` adds
//! latency, delivers events and counts requests.

pub mod config;
pub mod protocol;
pub mod sim;
mod sim_calllist;
mod sim_history;

pub use config::{DemoConfig, Scenario};
pub use sim::{Sim, SimEvent};
