//! The demo portal: a simulated call card + CRM that answers REST in the real shapes.
//!
//! `sim` is pure Rust (host-tested); the browser wrapper that adds latency and delivers
//! events lives in `portal::demo_portal` (wasm only).

pub mod config;
pub mod sim;

pub use config::{DemoConfig, Scenario};
pub use sim::{Sim, SimEvent};
