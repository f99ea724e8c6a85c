//! The demo panel: controls for the simulated portal (scenario, next event, failures).

pub mod controls;
