//! The wrap-up comment's text ([`compose_comment`]) and the follow-up to-do's title, built from
//! the texts in [`crate::i18n`].

use super::clock::date_time_text;
use crate::call::{Direction, PhoneNumber};
use crate::i18n::{Lang, Text, tr};

/// What the comment says about the call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFacts {
    pub at_secs: i64,
    pub direction: Direction,
    pub phone: PhoneNumber,
}

pub(super) fn call_words(lang: Lang, f: &CallFacts) -> String {
    let (kind, with) = match f.direction {
        Direction::Callback => (Text::Callback, Text::CommentTo),
        d if d.is_incoming() => (Text::Incoming, Text::CommentFrom),
        _ => (Text::Outgoing, Text::CommentTo),
    };
    let kind = tr(lang, kind);
    match &f.phone {
        PhoneNumber::Known(n) => format!("{kind} {} {n}", tr(lang, with)),
        PhoneNumber::Hidden => format!("{kind} {}", tr(lang, Text::CommentFromHiddenNumber)),
        PhoneNumber::Unknown => kind.to_string(),
    }
}

/// The comment: `[Result — ]date time, direction number`, then the note, then the planned
/// callback. Text only (the timeline shows it as text).
pub fn compose_comment(
    lang: Lang,
    facts: &CallFacts,
    offset_min: i32,
    result: Option<&str>,
    note: &str,
    callback_at: Option<i64>,
) -> String {
    let when = date_time_text(lang, facts.at_secs, offset_min);
    let head = format!("{when}, {}", call_words(lang, facts));
    let head = match result.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("{r} — {head}"),
        None => head,
    };
    let mut out = head;
    let note = note.trim();
    if !note.is_empty() {
        out.push('\n');
        out.push_str(note);
    }
    if let Some(at) = callback_at {
        let label = tr(lang, Text::CommentCallBack);
        out.push('\n');
        out.push_str(&format!(
            "{label}: {}",
            date_time_text(lang, at, offset_min)
        ));
    }
    out
}

/// The to-do's title: `"Call back: <client>"` / `"Перезвонить: <клиент>"`.
pub fn todo_title(lang: Lang, client: Option<&str>) -> String {
    let base = tr(lang, Text::TodoCallBack);
    match client.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{base}: {}", c.chars().take(120).collect::<String>()),
        None => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{Direction, PhoneNumber};
    use crate::i18n::Lang;
    use crate::wrapup::fixtures::*;
    use crate::wrapup::*;

    fn facts() -> CallFacts {
        CallFacts {
            at_secs: NOW,
            direction: Direction::Incoming,
            phone: PhoneNumber::Known("+7 903 123-45-67".into()),
        }
    }

    #[test]
    fn the_comment_reads_on_its_own_and_the_result_leads() {
        let text = compose_comment(
            Lang::En,
            &facts(),
            MSK,
            Some("Reached"),
            "  Wants the price list.\nCall Anna.  ",
            None,
        );
        assert_eq!(
            text,
            "Reached — 2026-12-01 14:48, Incoming call from +7 903 123-45-67\nWants the price list.\nCall Anna."
        );
        let tomorrow = deadline(&Callback::TomorrowMorning, NOW, MSK).unwrap();
        let ru = compose_comment(Lang::Ru, &facts(), MSK, None, "", tomorrow);
        assert_eq!(
            ru,
            "01.12.2026 14:48, Входящий звонок с +7 903 123-45-67\nПерезвонить: 02.12.2026 09:00"
        );
        let mut f = facts();
        f.direction = Direction::Outgoing;
        f.phone = PhoneNumber::Hidden;
        assert!(
            compose_comment(Lang::Ru, &f, 0, Some(" "), "x", None)
                .starts_with("01.12.2026 11:48, Исходящий звонок со скрытого номера")
        );
        f.phone = PhoneNumber::Unknown;
        f.direction = Direction::Callback;
        assert_eq!(
            compose_comment(Lang::En, &f, 0, None, "", None),
            "2026-12-01 11:48, Callback"
        );
        // Markup stays text.
        assert!(
            compose_comment(Lang::En, &facts(), 0, None, "<b>x</b>", None).ends_with("\n<b>x</b>")
        );
        assert_eq!(
            todo_title(Lang::En, Some(" Klaus Weber ")),
            "Call back: Klaus Weber"
        );
        assert_eq!(todo_title(Lang::Ru, None), "Перезвонить");
    }
}
