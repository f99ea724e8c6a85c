//! Pure decisions behind the screens (what a badge says, how a duration reads), host-tested.

use crate::call::{CallState, Direction, OtherItem};
use crate::i18n::{Lang, Text, tr};

/// The live call beyond what `getStatus` says: what the card has seen happen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallProgress {
    /// When the call connected (ms since the epoch), for the timer.
    pub connected_at: Option<f64>,
    /// The call ended while the card watched.
    pub ended: bool,
    /// The SIP code of a failed end, when the portal passed it.
    pub failed_code: Option<String>,
}

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn format_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// What the state badge says (`data-state`, text): ringing vs dialling depends on the direction;
/// idle after a call is "ended" (or "failed" with a SIP code); idle before one is "no call".
pub fn badge(
    state: CallState,
    direction: Direction,
    progress: &CallProgress,
) -> (&'static str, Text) {
    match state {
        CallState::Connecting if direction.is_incoming() => ("ringing", Text::Ringing),
        CallState::Connecting => ("dialling", Text::Dialling),
        CallState::Connected => ("connected", Text::Connected),
        CallState::Idle if progress.failed_code.is_some() => ("failed", Text::CallFailed),
        CallState::Idle if progress.ended => ("ended", Text::Ended),
        CallState::Idle => ("idle", Text::NoCall),
        // A state word the card does not know: neutral, never an error.
        CallState::Unknown => ("unknown", Text::StateUnknown),
    }
}

/// The type label of a bound item of a type the card does not know: a localized name for the
/// ones a portal is known to send (orders), else the type name as the portal sent it.
pub fn other_item_label(lang: Lang, item: &OtherItem) -> String {
    match item.type_name.as_str() {
        "ORDER" | "14" => tr(lang, Text::Order).to_string(),
        name => name.to_string(),
    }
}

/// Two letters for an avatar: first and last word ("Emily Rose Carter" → "EC"). ASCII
/// upper-casing only: full Unicode case tables are not worth their size for initials.
pub fn initials(name: &str) -> String {
    let letters: Vec<char> = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .collect();
    let pick: &[char] = match letters.len() {
        0 => &[],
        1 => &letters[..1],
        n => &[letters[0], letters[n - 1]],
    };
    pick.iter().map(|c| c.to_ascii_uppercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(format_duration(0), "00:00");
        assert_eq!(format_duration(65), "01:05");
        assert_eq!(format_duration(3600 + 62), "1:01:02");
    }

    #[test]
    fn badge_words() {
        let p = CallProgress::default();
        assert_eq!(
            badge(CallState::Connecting, Direction::Incoming, &p).0,
            "ringing"
        );
        assert_eq!(
            badge(CallState::Connecting, Direction::IncomingTransfer, &p).0,
            "ringing"
        );
        assert_eq!(
            badge(CallState::Connecting, Direction::Outgoing, &p).0,
            "dialling"
        );
        assert_eq!(
            badge(CallState::Connected, Direction::Outgoing, &p).0,
            "connected"
        );
        assert_eq!(badge(CallState::Idle, Direction::Outgoing, &p).0, "idle");
        let ended = CallProgress {
            ended: true,
            ..Default::default()
        };
        assert_eq!(
            badge(CallState::Idle, Direction::Outgoing, &ended).0,
            "ended"
        );
        let failed = CallProgress {
            ended: true,
            failed_code: Some("486".into()),
            ..Default::default()
        };
        assert_eq!(
            badge(CallState::Idle, Direction::Outgoing, &failed),
            ("failed", Text::CallFailed)
        );
        // An unknown state is neutral whatever the direction or the progress says.
        for d in [Direction::Incoming, Direction::Outgoing] {
            for p in [&p, &ended, &failed] {
                assert_eq!(
                    badge(CallState::Unknown, d, p),
                    ("unknown", Text::StateUnknown)
                );
            }
        }
    }

    #[test]
    fn other_item_labels() {
        assert_eq!(
            other_item_label(Lang::Ru, &OtherItem::new("order", 1)),
            "Заказ"
        );
        assert_eq!(
            other_item_label(Lang::En, &OtherItem::new("ORDER", 1)),
            "Order"
        );
        assert_eq!(
            other_item_label(Lang::En, &OtherItem::new("SPACESHIP", 1)),
            "SPACESHIP"
        );
        let long = OtherItem::new(&"x".repeat(500), 1);
        assert_eq!(long.type_name.chars().count(), OtherItem::MAX_TYPE_NAME);
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Anna Petrova"), "AP");
        assert_eq!(initials("Emily Rose Carter"), "EC");
        assert_eq!(initials("ООО «Ветер»"), "ОВ");
        assert_eq!(initials("madonna"), "M");
        assert_eq!(initials(""), "");
    }
}
