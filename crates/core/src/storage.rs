//! What the card keeps in the browser, and under which names: pure rules, host-tested.
//!
//! Every key names, in clear, the namespace (the real card or the demo), the portal and the
//! user: `callcard/portal.bitrix24.ru/u5/users`. Storage in the portal's cross-site frame is
//! partitioned per top-level site, but the demo and a real card on the same host share it, and
//! so do two users of one browser profile — hence the three parts. Until the user is known
//! (the first start on a browser, before `user.current` answered) nothing is read or written
//! under a key: the caches live in memory only.
//!
//! Cached entries carry the moment they were first fetched; rewriting an entry (a user name
//! learned later) keeps that moment, so a cache is never trusted past its time to live.

use serde_json::{Value, json};

use crate::client::Person;

/// Whose data a key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    demo: bool,
    portal: String,
    user: Option<u64>,
}

impl Scope {
    /// The real card on `portal` (its `DOMAIN`, e.g. `portal.bitrix24.ru`), user not known yet.
    pub fn portal(portal: &str) -> Scope {
        Scope {
            demo: false,
            portal: clean_portal(portal),
            user: None,
        }
    }

    /// The demo portal: a namespace of its own, so a real card never reads the demo's data.
    pub fn demo() -> Scope {
        Scope {
            demo: true,
            portal: "demo".into(),
            user: None,
        }
    }

    /// The same scope for user `id` (0 is nobody and leaves it unknown).
    pub fn with_user(mut self, id: u64) -> Scope {
        self.user = (id > 0).then_some(id);
        self
    }

    pub fn user(&self) -> Option<u64> {
        self.user
    }

    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The portal's host as the key names it (`portal.bitrix24.ru`; `demo` for the demo).
    pub fn portal_host(&self) -> &str {
        &self.portal
    }

    /// The key for `name`, or `None` while the user is unknown (memory only until then).
    pub fn key(&self, name: &str) -> Option<String> {
        let user = self.user?;
        let ns = if self.demo {
            "callcard-demo"
        } else {
            "callcard"
        };
        Some(format!("{ns}/{}/u{user}/{name}", self.portal))
    }
}

/// A portal's `DOMAIN` as a key part: lowercase, without a default port; anything that is not a
/// host name character becomes `_` (a key must not be split by a `/` from the outside).
fn clean_portal(domain: &str) -> String {
    let d = domain.trim().to_ascii_lowercase();
    let d = d
        .strip_suffix(":443")
        .or_else(|| d.strip_suffix(":80"))
        .unwrap_or(&d);
    let cleaned: String = d
        .chars()
        .take(253)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "unknown".into()
    } else {
        cleaned
    }
}

/// The portal part of the frame's `window.name` (`DOMAIN|PROTOCOL|APP_SID`).
pub fn portal_of_frame_name(name: &str) -> Option<&str> {
    name.split('|').next().filter(|d| !d.trim().is_empty())
}

/// The `userOption` that remembers who the user is, so that the next start can read its caches
/// before any request (the portal hands the user's options to the frame with its init data).
pub const USER_OPTION: &str = "callcard_user";

/// The `userOption` that keeps the connected moment of the current call when session storage
/// is refused: `"<CALL_ID> <unix ms>"`.
pub const CONNECTED_OPTION: &str = "callcard_connected";

/// Reads [`USER_OPTION`].
pub fn decode_user_option(v: &str) -> Option<u64> {
    v.trim().parse::<u64>().ok().filter(|id| *id > 0)
}

/// `"<CALL_ID> <ms>"` for [`CONNECTED_OPTION`].
pub fn encode_connected(call_id: &str, at_ms: u64) -> String {
    format!("{call_id} {at_ms}")
}

/// The connected moment kept for `call_id`, if the option is about that call.
pub fn decode_connected(v: &str, call_id: &str) -> Option<u64> {
    let (id, at) = v.trim().rsplit_once(' ')?;
    (id == call_id).then(|| at.parse::<u64>().ok()).flatten()
}

/// A cached entry's first-fetch moment, if it is still fresh at `now_ms`.
pub fn fresh_since(entry: &Value, now_ms: f64, ttl_ms: f64) -> Option<f64> {
    let at = entry.get("at")?.as_f64()?;
    (at <= now_ms && now_ms - at < ttl_ms).then_some(at)
}

/// When an entry rewritten at `now_ms` counts from: the previous entry's moment while that is
/// fresh (a rewrite never extends the time to live), else now.
pub fn stamp_for_rewrite(previous: Option<&Value>, now_ms: f64, ttl_ms: f64) -> f64 {
    previous
        .and_then(|p| fresh_since(p, now_ms, ttl_ms))
        .unwrap_or(now_ms)
}

/// Users' names change rarely: kept an hour.
pub const USER_CACHE_TTL_MS: f64 = 60.0 * 60.0 * 1000.0;

/// The users cache entry: who, and since when.
pub fn users_entry(users: &[Person], at_ms: f64) -> Value {
    let list: Vec<Value> = users
        .iter()
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    json!({"at": at_ms as u64, "users": list})
}

/// The users of a cache entry, or none when it is stale or unreadable (rows that do not read
/// are skipped).
pub fn users_from_entry(entry: &Value, now_ms: f64) -> Vec<Person> {
    if fresh_since(entry, now_ms, USER_CACHE_TTL_MS).is_none() {
        return Vec::new();
    }
    entry["users"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| {
                    Some(Person {
                        id: u["id"].as_u64().filter(|id| *id > 0)?,
                        name: u["name"].as_str()?.to_string(),
                        position: None,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_portal_and_user_in_clear_and_the_demo_apart() {
        let real = Scope::portal("Portal.Bitrix24.ru:443").with_user(5);
        assert_eq!(
            real.key("users").as_deref(),
            Some("callcard/portal.bitrix24.ru/u5/users")
        );
        let demo = Scope::demo().with_user(5);
        assert_eq!(
            demo.key("users").as_deref(),
            Some("callcard-demo/demo/u5/users")
        );
        assert_ne!(real.key("stages"), demo.key("stages"));
        // Another user of the same portal, another portal: other keys.
        assert_ne!(
            real.key("users"),
            Scope::portal("portal.bitrix24.ru")
                .with_user(6)
                .key("users")
        );
        assert_ne!(
            real.key("users"),
            Scope::portal("other.bitrix24.ru").with_user(5).key("users")
        );
    }

    #[test]
    fn no_key_until_the_user_is_known() {
        assert_eq!(Scope::portal("p.bitrix24.ru").key("users"), None);
        assert_eq!(
            Scope::portal("p.bitrix24.ru").with_user(0).key("users"),
            None
        );
    }

    #[test]
    fn a_hostile_domain_cannot_reach_another_key() {
        let s = Scope::portal("evil/../u1|x").with_user(2);
        let k = s.key("users").unwrap();
        assert_eq!(k.matches('/').count(), 3, "{k}");
        assert!(
            Scope::portal("")
                .with_user(1)
                .key("a")
                .unwrap()
                .contains("/unknown/")
        );
    }

    #[test]
    fn frame_name_gives_the_portal() {
        assert_eq!(
            portal_of_frame_name("p.bitrix24.ru|1|sid"),
            Some("p.bitrix24.ru")
        );
        assert_eq!(portal_of_frame_name("|1|sid"), None);
    }

    #[test]
    fn a_rewrite_keeps_the_first_fetch_time() {
        let first = users_entry(&[], 1_000.0);
        let hour = USER_CACHE_TTL_MS;
        assert_eq!(stamp_for_rewrite(Some(&first), 5_000.0, hour), 1_000.0);
        // Stale, missing, or from the future: the rewrite starts a new period.
        assert_eq!(
            stamp_for_rewrite(Some(&first), 1_000.0 + hour, hour),
            1_000.0 + hour
        );
        assert_eq!(stamp_for_rewrite(None, 7.0, hour), 7.0);
        assert_eq!(stamp_for_rewrite(Some(&first), 500.0, hour), 500.0);
        assert_eq!(stamp_for_rewrite(Some(&json!("x")), 9.0, hour), 9.0);
    }

    #[test]
    fn users_round_trip_and_expire() {
        let people = vec![
            Person {
                id: 5,
                name: "Maria Lopez".into(),
                position: None,
            },
            Person {
                id: 7,
                name: "<img src=x onerror=alert(1)>".into(),
                position: None,
            },
        ];
        let e = users_entry(&people, 10_000.0);
        assert_eq!(users_from_entry(&e, 10_001.0), people);
        assert!(users_from_entry(&e, 10_000.0 + USER_CACHE_TTL_MS).is_empty());
        let bad = json!({"at": 1, "users": [{"id": "x"}, {"id": 0, "name": "n"}, {"id": 3, "name": "ok"}]});
        assert_eq!(users_from_entry(&bad, 2.0).len(), 1);
        assert!(users_from_entry(&json!([]), 2.0).is_empty());
    }

    #[test]
    fn options_decode_leniently() {
        assert_eq!(decode_user_option(" 17 "), Some(17));
        assert_eq!(decode_user_option("0"), None);
        assert_eq!(decode_user_option("undefined"), None);
        let v = encode_connected("E45D.1774.82 2", 1_700_000_000_123);
        assert_eq!(
            decode_connected(&v, "E45D.1774.82 2"),
            Some(1_700_000_000_123)
        );
        assert_eq!(decode_connected(&v, "other"), None);
        assert_eq!(decode_connected("garbage", "garbage"), None);
        assert_eq!(decode_connected("", ""), None);
    }
}
