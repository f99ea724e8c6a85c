//! What the demo portal simulates, read from the page URL (`?scenario=hidden&lang=ru&seed=7`).
//!
//! The URL is typed by hand and shared as links, so every value is read leniently: anything
//! unknown or malformed falls back to its default instead of failing the demo.

use crate::rest::query::decode_component;

/// The call the demo starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// A known contact is calling in; the card rings.
    Incoming,
    /// The operator calls a company.
    Outgoing,
    /// An incoming call from a number that is not in the CRM.
    Unknown,
    /// An incoming call with the number hidden.
    Hidden,
    /// An outgoing call to a contact that fails with "busy" when it would connect.
    Failed,
    /// A campaign ("обзвон"): an outgoing call in call-list mode.
    Campaign,
}

impl Scenario {
    /// Every scenario, in the order the demo controls list them.
    pub fn all() -> &'static [Scenario] {
        &[
            Scenario::Incoming,
            Scenario::Outgoing,
            Scenario::Unknown,
            Scenario::Hidden,
            Scenario::Failed,
            Scenario::Campaign,
        ]
    }

    /// The URL word for the scenario.
    pub fn as_str(&self) -> &'static str {
        match self {
            Scenario::Incoming => "incoming",
            Scenario::Outgoing => "outgoing",
            Scenario::Unknown => "unknown",
            Scenario::Hidden => "hidden",
            Scenario::Failed => "failed",
            Scenario::Campaign => "campaign",
        }
    }

    /// Reads a URL word, ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Scenario> {
        let s = s.trim();
        Scenario::all()
            .iter()
            .copied()
            .find(|sc| sc.as_str().eq_ignore_ascii_case(s))
    }
}

/// Which page of the app the demo opens, as Bitrix24 names the placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoPlacement {
    /// The tab inside the telephony call card.
    CallCard,
    /// The app's own page (install / settings), opened from the app menu.
    Default,
}

impl DemoPlacement {
    /// The placement code Bitrix24 passes as `PLACEMENT`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DemoPlacement::CallCard => "CALL_CARD",
            DemoPlacement::Default => "DEFAULT",
        }
    }

    /// Reads a placement code, ignoring case (`call_card`, `CALL_CARD`, `default`).
    pub fn parse(s: &str) -> Option<DemoPlacement> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CALL_CARD" | "CALLCARD" => Some(DemoPlacement::CallCard),
            "DEFAULT" => Some(DemoPlacement::Default),
            _ => None,
        }
    }
}

/// The demo's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    pub scenario: Scenario,
    /// The Bitrix24 language code as given (`en`, `ru`, `ua`, `de`…), lower-cased.
    pub lang: String,
    /// `"light"`, `"dark"`, or `None` to follow the system.
    pub theme: Option<String>,
    /// Simulated network latency of every portal answer, 0..=10000 ms.
    pub latency_ms: u32,
    /// Varies the generated CRM; the same seed always gives the same portal.
    pub seed: u64,
    pub placement: DemoPlacement,
}

/// The latency of a typical cloud portal answer, so the demo shows loading states honestly.
pub const DEFAULT_LATENCY_MS: u32 = 150;
/// The longest latency accepted: longer would look like a hang, not a slow portal.
pub const MAX_LATENCY_MS: u32 = 10_000;
/// The seed of the showcase call (a contact with a company and two deals).
pub const DEFAULT_SEED: u64 = 1;

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            scenario: Scenario::Incoming,
            lang: "en".into(),
            theme: None,
            latency_ms: DEFAULT_LATENCY_MS,
            seed: DEFAULT_SEED,
            placement: DemoPlacement::CallCard,
        }
    }
}

impl DemoConfig {
    /// Reads a URL query (`?lang=ru&theme=dark&scenario=hidden&latency=0&seed=7&placement=DEFAULT`;
    /// the leading `?` is optional). Unknown keys are ignored, a repeated key keeps its last value,
    /// and a value that cannot be read leaves that setting at its default.
    pub fn from_query(query: &str) -> DemoConfig {
        let mut cfg = DemoConfig::default();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode_component(value);
            match decode_component(key).trim().to_ascii_lowercase().as_str() {
                "scenario" => cfg.scenario = Scenario::parse(&value).unwrap_or(Scenario::Incoming),
                "lang" => cfg.lang = parse_lang(&value).unwrap_or_else(|| "en".into()),
                "theme" => cfg.theme = parse_theme(&value),
                "latency" => cfg.latency_ms = parse_latency(&value).unwrap_or(DEFAULT_LATENCY_MS),
                "seed" => cfg.seed = value.trim().parse().unwrap_or(DEFAULT_SEED),
                "placement" => {
                    cfg.placement = DemoPlacement::parse(&value).unwrap_or(DemoPlacement::CallCard)
                }
                _ => {}
            }
        }
        cfg
    }
}

/// A plausible language code (`ru`, `en`, `pt_br`, `zh-tw`), lower-cased; anything else is
/// refused so that arbitrary URL text never reaches the page as a language.
fn parse_lang(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let plausible = (2..=8).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
    plausible.then_some(s)
}

fn parse_theme(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    matches!(s.as_str(), "light" | "dark").then_some(s)
}

/// Milliseconds, clamped to `0..=MAX_LATENCY_MS`: a negative or huge number still says what the
/// user meant ("none" / "as slow as possible"); text that is not a number is `None`.
fn parse_latency(s: &str) -> Option<u32> {
    let s = s.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(0);
    }
    // Too many digits for u64 is still "a lot".
    let ms = digits.parse::<u64>().unwrap_or(u64::MAX);
    Some(ms.min(u64::from(MAX_LATENCY_MS)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_gives_the_defaults() {
        for q in ["", "?", "&&", "?&"] {
            let cfg = DemoConfig::from_query(q);
            assert_eq!(cfg, DemoConfig::default(), "{q:?}");
        }
        let d = DemoConfig::default();
        assert_eq!(d.scenario, Scenario::Incoming);
        assert_eq!(d.lang, "en");
        assert_eq!(d.theme, None);
        assert_eq!(d.latency_ms, 150);
        assert_eq!(d.seed, 1);
        assert_eq!(d.placement, DemoPlacement::CallCard);
    }

    #[test]
    fn reads_every_setting() {
        let cfg = DemoConfig::from_query(
            "?lang=ru&theme=dark&scenario=hidden&latency=0&seed=7&placement=DEFAULT",
        );
        assert_eq!(
            cfg,
            DemoConfig {
                scenario: Scenario::Hidden,
                lang: "ru".into(),
                theme: Some("dark".into()),
                latency_ms: 0,
                seed: 7,
                placement: DemoPlacement::Default,
            }
        );
        // The leading '?' is optional and case does not matter.
        let cfg =
            DemoConfig::from_query("LANG=UA&Theme=Light&scenario=CAMPAIGN&placement=call_card");
        assert_eq!(cfg.lang, "ua");
        assert_eq!(cfg.theme.as_deref(), Some("light"));
        assert_eq!(cfg.scenario, Scenario::Campaign);
        assert_eq!(cfg.placement, DemoPlacement::CallCard);
    }

    #[test]
    fn values_are_percent_decoded() {
        let cfg = DemoConfig::from_query("lang=%72%75&scenario=+failed+&se%65d=42");
        assert_eq!(cfg.lang, "ru");
        assert_eq!(cfg.scenario, Scenario::Failed);
        assert_eq!(cfg.seed, 42);
    }

    #[test]
    fn invalid_values_fall_back_to_defaults() {
        let cfg = DemoConfig::from_query(
            "scenario=exploding&lang=<script>&theme=purple&latency=fast&seed=-3&placement=LEFT_MENU&unknown=1",
        );
        assert_eq!(cfg, DemoConfig::default());
        // A later valid value wins over an earlier one; a later invalid one resets to the default.
        assert_eq!(DemoConfig::from_query("seed=5&seed=9").seed, 9);
        assert_eq!(DemoConfig::from_query("seed=5&seed=x").seed, 1);
        assert_eq!(DemoConfig::from_query("lang=").lang, "en");
        assert_eq!(DemoConfig::from_query("lang=r").lang, "en");
        assert_eq!(DemoConfig::from_query("lang=pt_BR").lang, "pt_br");
    }

    #[test]
    fn latency_is_clamped() {
        let latency = |q: &str| DemoConfig::from_query(q).latency_ms;
        assert_eq!(latency("latency=20000"), 10_000);
        assert_eq!(latency("latency=99999999999999999999999"), 10_000);
        assert_eq!(latency("latency=-5"), 0);
        assert_eq!(latency("latency=+300"), 300);
        assert_eq!(latency("latency=10000"), 10_000);
        assert_eq!(latency("latency=1.5"), 150);
        assert_eq!(latency("latency="), 150);
        assert_eq!(latency("latency=-"), 150);
    }

    #[test]
    fn garbage_never_panics() {
        for q in [
            "=",
            "==",
            "%",
            "%%%=%",
            "a=%zz",
            "?latency=%FF%FE",
            "scenario",
            "=incoming",
            "\u{0}=\u{0}",
        ] {
            let _ = DemoConfig::from_query(q);
        }
    }

    #[test]
    fn scenario_words_round_trip() {
        assert_eq!(Scenario::all().len(), 6);
        for s in Scenario::all() {
            assert_eq!(Scenario::parse(s.as_str()), Some(*s));
            assert_eq!(Scenario::parse(&s.as_str().to_ascii_uppercase()), Some(*s));
        }
        assert_eq!(Scenario::parse(""), None);
        assert_eq!(Scenario::parse("ringing"), None);
    }

    #[test]
    fn placement_codes() {
        for p in [DemoPlacement::CallCard, DemoPlacement::Default] {
            assert_eq!(DemoPlacement::parse(p.as_str()), Some(p));
        }
        assert_eq!(
            DemoPlacement::parse("default"),
            Some(DemoPlacement::Default)
        );
        assert_eq!(DemoPlacement::parse("CRM_DEAL_DETAIL_TAB"), None);
    }
}
