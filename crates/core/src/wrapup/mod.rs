//! The wrap-up after a call, pure: the result list (from `BX24.appOption`, ru/en defaults),
//! callback presets → a deadline in the portal's time zone, the comment's text, the ONE save
//! batch (`crm.timeline.comment.add` + `crm.activity.todo.add`), its answer, the read-back
//! that tells whether a save of unknown outcome took effect, and the draft kept as it is typed.
//!
//! Time: the portal's zone is a fixed UTC offset in minutes (learned from the `time.date_start`
//! of a REST answer, see [`crate::model::time::utc_offset_min`]); everything here takes it as a parameter.

mod callback;
mod clock;
mod comment;
mod draft;
#[cfg(test)]
mod fixtures;
mod results;
mod save;

pub use callback::*;
pub use clock::*;
pub use comment::*;
pub use draft::*;
pub use results::*;
pub use save::*;

/// The app option holding the administrator's result list.
pub const RESULTS_OPTION: &str = "wrapup_results";
/// The user option holding the current draft where the browser refuses storage.
pub const DRAFT_OPTION: &str = "wrapup_draft";
/// At most this many results, each at most [`MAX_LABEL`] characters.
pub const MAX_RESULTS: usize = 12;
pub const MAX_LABEL: usize = 40;
/// The longest note the panel takes (characters).
pub const MAX_NOTE: usize = 4_000;
/// The hour "tomorrow morning" means, portal time.
pub const MORNING_HOUR: i64 = 9;
/// Before this hour "tomorrow morning" is still the coming morning (the same calendar day).
pub const NIGHT_ENDS_HOUR: i64 = 5;
