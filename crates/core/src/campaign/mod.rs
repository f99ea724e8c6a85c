//! Campaign mode ("обзвон"): which call list the operator is working through, how far the
//! campaign has come, and changes to a list's composition — all pure, built on any target.
//!
//! The `CALL_CARD` tab is told only `CALL_LIST_MODE`, never the list id (the placement's
//! options carry no list field, and no call-card event names one), so the list is found: the user's recent lists (`crm.calllist.list`) whose items
//! (`crm.calllist.items.get`) contain the current client, and the user's open call-list activity
//! (`crm.activity.list`, `PROVIDER_ID = CALL_LIST`, whose `ASSOCIATED_ENTITY_ID` is the list id).
//! [`detect`] ranks what was found; [`Progress::compute`] counts one list.
//!
//! Paging, as the portal implements it (the documented example shows neither `next` nor `total`,
//! and the method's source confirms there are none): `crm.calllist.items.get` and
//! `crm.calllist.list` return at most 50 rows from `start`, with **no `next` and no `total`**;
//! an `items.get` page with nothing on it fails with 403 `ACCESS_ERROR`. [`ItemPages`] follows
//! those rules. Items the user may not read are left out of a page *after* it was cut, so a
//! page can be short, or empty, without being the last: the pager reads on past both until the
//! portal's end ([`END_PROBE`] empty pages), counts what it proves hidden, and stops at a page
//! cap or a repeated page. The portal sends no size of a list (neither `crm.calllist.get` nor
//! `items.get` has a count), so members hidden *after* the last row shown cannot be seen by any
//! read: only an administrator's read (nobody is left out for them) is provably complete.
//!
//! Writes: `crm.calllist.update` **overwrites** the whole set (members left out of `ENTITIES`
//! are deleted, those the user cannot read too) and clears `WEBFORM_ID` when it is omitted, so
//! [`plan_update`] builds the set only from a [`CompleteRead`] and [`update_params`] keeps the
//! list's web form; [`compare_after_write`] reports whatever else changed, nothing is restored.
//! A write that timed out is never re-sent blindly: [`took_effect_update`] / [`took_effect_add`]
//! tell from a fresh read whether it already happened.
//!
//! [`flow`] holds the browser side's decisions (what to read after which event, how the lists
//! share a batch, when a write is read back), so `src/campaign/state.rs` only runs them.

mod commands;
mod detect;
#[cfg(test)]
mod fixtures;
pub mod flow;
mod pages;
mod progress;
mod write;

pub use commands::*;
pub use detect::*;
pub use pages::*;
pub use progress::*;
pub use write::*;

use crate::model::entity::EntityKind;

/// Rows per page of `crm.calllist.list` and `crm.calllist.items.get` (no `next`, no `total`;
/// see [`ItemPages`]).
pub const CALL_LIST_PAGE_ROWS: usize = 50;
/// The status of an item still to be called. Every other status counts as done.
pub const IN_WORK: &str = "IN_WORK";
/// `PROVIDER_ID` (and `PROVIDER_TYPE_ID`) of a call list's activity.
pub const CALL_LIST_PROVIDER: &str = "CALL_LIST";
/// `CCrmOwnerType::CallList`: the `OWNER_TYPE_ID` of a call list's activity.
pub const CALL_LIST_OWNER_TYPE: u64 = 12;
/// The `BX24.userOption` key the chosen list is kept under.
pub const CHOICE_OPTION: &str = "campaign_list";

/// One call list, as `crm.calllist.list` / `crm.calllist.get` describe it (no participants).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallList {
    pub id: u64,
    /// `ENTITY_TYPE_ID`: 3 contacts, 4 companies; lists made in the UI can also hold deals (2),
    /// quotes (7), invoices (5) or leads (1). Kept as sent, never rejected.
    pub entity_type_id: u64,
    /// `ENTITY_TYPE` (`"CONTACT"`): only `crm.calllist.get` sends it.
    pub entity_type: Option<String>,
    /// `DATE_CREATE` as sent (`"2025-07-14 08:47:19"`), `""` when absent.
    pub created: String,
    pub created_by: Option<u64>,
    pub webform_id: Option<u64>,
}

impl CallList {
    /// The entity type of the list's items, when it is one the app knows.
    pub fn kind(&self) -> Option<EntityKind> {
        EntityKind::from_type_id(self.entity_type_id)
            .or_else(|| self.entity_type.as_deref().and_then(EntityKind::from_name))
    }
}

/// One participant of a list (`crm.calllist.items.get`): `ID` is the CRM entity's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub entity_id: u64,
    /// The status code (`IN_WORK`, `SUCCESS`, a custom one, or one since removed).
    pub status: String,
    /// `ENTITY_TYPE`, numeric; 0 when not sent (then the list's type applies).
    pub entity_type_id: u64,
}

/// One call status of `crm.calllist.statuslist` (a CRM directory: custom ones exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListStatus {
    pub status_id: String,
    pub name: String,
    pub sort: u64,
}
