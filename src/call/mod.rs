//! The call: its header (state, number, timer) and the CRM matches for the number.
//! Domain: `callcard_core::call`.

pub mod crm_match;
pub mod header;
