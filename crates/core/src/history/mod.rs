//! Client history (issue 5): the client's recent CRM activities, calls first, newest first.
//!
//! Two list methods feed it, both small enough to ride in the card's one refresh batch without a
//! `$result` reference:
//!
//! * `crm.activity.list` filtered by `BINDINGS` of the current entity, `order {ID: DESC}`. The first
//!   page uses `start=-1` (no `COUNT(*)`, no `total`); "show more" asks for the next page with a
//!   `<ID` cursor (the oldest id seen) and stops on a short page, a cursor that did not move, or
//!   after [`MAX_PAGES`] pages. `BINDINGS` can return one activity more than once, so rows are
//!   de-duplicated by id.
//! * `voximplant.statistic.get` filtered by `CRM_ENTITY_TYPE`/`CRM_ENTITY_ID`: duration, result
//!   and recording of each call, joined to the activities by `CRM_ACTIVITY_ID`. It needs the
//!   "Call statistics — View" permission and the `telephony` scope; where the user lacks them
//!   (a per-key error in the batch) the timeline still works and claims nothing about calls.
//!
//! Note the two methods number call directions the other way round: activity `DIRECTION` 1 is
//! incoming, statistics `CALL_TYPE` 1 is outgoing ([`crate::call::Direction::from_activity`],
//! [`crate::call::Direction::from_call_type`]).
//!
//! Everything here is pure (host-tested); the card sends the queries and renders [`Timeline`].

mod activities;
mod comments;
#[cfg(test)]
mod fixtures;
mod glance;
mod statistics;
mod timeline;

pub use activities::*;
pub use comments::*;
pub use glance::*;
pub use statistics::*;
pub use timeline::*;

/// The most activity pages "show more" loads (the first page included): 500 activities.
pub const MAX_PAGES: u32 = 10;
