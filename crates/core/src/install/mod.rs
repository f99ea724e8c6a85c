//! The install and settings page's rules: whether the call-card tab is registered, the command
//! that registers or removes it, and what a read-back after a write of unknown outcome means.
//! The page itself (`src/install/page.rs` in the app) only sends and shows.

use serde_json::{Value, json};

/// The placement the app registers.
pub const PLACEMENT: &str = "CALL_CARD";

/// Whether `placement.get`'s answer lists a `CALL_CARD` binding (either key case).
pub fn has_call_card(result: &Value) -> bool {
    result.as_array().is_some_and(|a| {
        a.iter().any(|p| {
            p.get("placement")
                .or_else(|| p.get("PLACEMENT"))
                .and_then(Value::as_str)
                == Some(PLACEMENT)
        })
    })
}

/// The REST command that registers (`bind`) or removes the tab for `handler`, the page's own
/// address: the tab is titled in Russian and English, as the portal shows it in either language.
pub fn toggle_command(bind: bool, handler: &str) -> (&'static str, Value) {
    if bind {
        (
            "placement.bind",
            json!({"PLACEMENT": PLACEMENT, "HANDLER": handler, "TITLE": "Client",
                "LANG_ALL": {"en": {"TITLE": "Client"}, "ru": {"TITLE": "Клиент"}}}),
        )
    } else {
        (
            "placement.unbind",
            json!({"PLACEMENT": PLACEMENT, "HANDLER": handler}),
        )
    }
}

/// After a bind or unbind whose outcome is unknown, the read-back says what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBack {
    /// The tab is as the write wanted: the write took effect.
    Done,
    /// The tab is as it was (`registered` now): the write did not happen; say the error.
    NotDone { registered: bool },
    /// The read-back failed too: nothing is known; say the write's error, change nothing.
    Unknown,
}

/// What a read-back (`Ok(registered)` or a failed read) means for a write that wanted `bind`.
pub fn read_back(wanted_bind: bool, read: Result<bool, ()>) -> ReadBack {
    match read {
        Ok(registered) if registered == wanted_bind => ReadBack::Done,
        Ok(registered) => ReadBack::NotDone { registered },
        Err(()) => ReadBack::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_card_binding_is_found_in_either_key_case_and_nothing_else_counts() {
        assert!(has_call_card(&json!([{"placement": "CALL_CARD"}])));
        assert!(has_call_card(
            &json!([{"PLACEMENT": "CRM_DEAL_DETAIL_TAB"}, {"PLACEMENT": "CALL_CARD"}])
        ));
        assert!(!has_call_card(
            &json!([{"placement": "CRM_DEAL_DETAIL_TAB"}])
        ));
        assert!(!has_call_card(&json!([])));
        assert!(!has_call_card(&json!({"placement": "CALL_CARD"})));
        assert!(!has_call_card(
            &json!([{"placement": 5}, "CALL_CARD", null])
        ));
        assert!(!has_call_card(&json!("undefined")));
    }

    #[test]
    fn the_toggle_binds_with_both_titles_and_unbinds_only_this_handler() {
        let (m, p) = toggle_command(true, "https://app.example/callcard/");
        assert_eq!(m, "placement.bind");
        assert_eq!(p["PLACEMENT"], "CALL_CARD");
        assert_eq!(p["HANDLER"], "https://app.example/callcard/");
        assert_eq!(p["LANG_ALL"]["ru"]["TITLE"], "Клиент");
        assert_eq!(p["LANG_ALL"]["en"]["TITLE"], "Client");
        let (m, p) = toggle_command(false, "https://app.example/callcard/");
        assert_eq!(m, "placement.unbind");
        assert_eq!(
            p,
            json!({"PLACEMENT": "CALL_CARD", "HANDLER": "https://app.example/callcard/"})
        );
    }

    #[test]
    fn a_read_back_decides_whether_an_unknown_write_happened() {
        assert_eq!(read_back(true, Ok(true)), ReadBack::Done);
        assert_eq!(read_back(false, Ok(false)), ReadBack::Done);
        assert_eq!(
            read_back(true, Ok(false)),
            ReadBack::NotDone { registered: false }
        );
        assert_eq!(
            read_back(false, Ok(true)),
            ReadBack::NotDone { registered: true }
        );
        assert_eq!(read_back(true, Err(())), ReadBack::Unknown);
    }
}
