//! What the demo portal simulates, read from the page URL (`?scenario=hidden&lang=ru&seed=7`).
//!
//! The URL is typed by hand and shared as links, so every value is read leniently: anything
//! unknown or malformed falls back to its default instead of failing the demo.

use callcard_core::rest::query::decode_component;

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
    /// An incoming call from a known client's number that the portal did not bind to them.
    Unbound,
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
            Scenario::Unbound,
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
            Scenario::Unbound => "unbound",
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
    /// Errors, hangs and token expiry the simulated portal injects (`fail=`, `stall=`, `expire=`).
    pub faults: Faults,
    /// `stats=denied`: the operator lacks the "Call statistics — View" permission, so
    /// `voximplant.statistic.get` answers 403 `ACCESS_DENIED` (inside a `batch`: that command's
    /// `result_error`, the rest of the batch runs). `stats=allowed`, any other value or none: the
    /// statistics can be read.
    pub stats_denied: bool,
    /// Participants of the campaign's call list (`calllist_size=N`, 1..=10000); in the
    /// `campaign` scenario generated contacts fill it up, elsewhere the CRM's own contacts cap it.
    pub calllist_size: u32,
    /// `markup=1`: names, titles, posts and activity subjects carry HTML and `javascript:`
    /// payloads, to show that CRM text stays text.
    pub markup: bool,
    /// `calllist_hidden=N` (0..=50): N members of every call list are unreadable to the card's
    /// user; they stay in the list and `items.get` leaves them out after cutting the page, as
    /// the portal does for members the user may not read. The user is then no administrator.
    pub calllist_hidden: u32,
    /// `calllist_concurrent=1`: another user changes a list (adds or removes a member) on the
    /// first read of it after the card has read it to the end, once per list.
    pub calllist_concurrent: bool,
    /// `autoclose=N` (1..=600 s, default 65): how long the card stays after a call before the
    /// portal closes it, unless the app holds it (`disableAutoClose`).
    pub autoclose_s: u32,
}

/// The portal's delay before it closes the card after a call.
pub const DEFAULT_AUTOCLOSE_S: u32 = 65;

/// The latency of a typical cloud portal answer, so the demo shows loading states honestly.
pub const DEFAULT_LATENCY_MS: u32 = 150;
/// The longest latency accepted: longer would look like a hang, not a slow portal.
pub const MAX_LATENCY_MS: u32 = 10_000;
/// The seed of the showcase call (a contact with a company and two deals).
pub const DEFAULT_SEED: u64 = 1;
/// The campaign list's size unless `calllist_size=` says otherwise.
pub const DEFAULT_CALLLIST_SIZE: u32 = 24;
/// The largest campaign list the demo builds (enough for a benchmark).
pub const MAX_CALLLIST_SIZE: u32 = 10_000;
/// The most hidden members per list `calllist_hidden=` asks for.
pub const MAX_CALLLIST_HIDDEN: u32 = 50;

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            scenario: Scenario::Incoming,
            lang: "en".into(),
            theme: None,
            latency_ms: DEFAULT_LATENCY_MS,
            seed: DEFAULT_SEED,
            placement: DemoPlacement::CallCard,
            faults: Faults::default(),
            stats_denied: false,
            calllist_size: DEFAULT_CALLLIST_SIZE,
            markup: false,
            calllist_hidden: 0,
            calllist_concurrent: false,
            autoclose_s: DEFAULT_AUTOCLOSE_S,
        }
    }
}

impl DemoConfig {
    /// Reads a URL query (`?lang=ru&theme=dark&scenario=hidden&latency=0&seed=7&placement=DEFAULT`;
    /// the leading `?` is optional). Unknown keys are ignored, a repeated key keeps its last value,
    /// and a value that cannot be read leaves that setting at its default. The fault keys
    /// (`fail`, `stall`, see [`Faults`]) are the exception: they repeat and add up, and a
    /// malformed one is skipped. `stats=denied` takes the call-statistics permission away
    /// (see [`DemoConfig::stats_denied`]).
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
                "fail" => cfg.faults.fail.extend(FailRule::parse(&value)),
                "stall" => cfg.faults.stall.extend(parse_method(&value)),
                "expire" => cfg.faults.expire = parse_expire(&value),
                "stats" => cfg.stats_denied = value.trim().eq_ignore_ascii_case("denied"),
                "calllist_size" => {
                    cfg.calllist_size = parse_calllist_size(&value).unwrap_or(DEFAULT_CALLLIST_SIZE)
                }
                "markup" => cfg.markup = matches!(value.trim(), "1" | "true" | "yes"),
                "calllist_hidden" => {
                    cfg.calllist_hidden = value
                        .trim()
                        .parse::<u32>()
                        .map_or(0, |n| n.min(MAX_CALLLIST_HIDDEN))
                }
                "autoclose" => {
                    cfg.autoclose_s = value
                        .trim()
                        .parse::<u32>()
                        .map_or(DEFAULT_AUTOCLOSE_S, |n| n.clamp(1, 600))
                }
                "calllist_concurrent" => {
                    cfg.calllist_concurrent = matches!(value.trim(), "1" | "true" | "yes")
                }
                _ => {}
            }
        }
        cfg
    }
}

/// The fault presets of the demo panel: `(id, query part)`. Each is a URL the reader can copy.
pub const FAULT_PRESETS: &[(&str, &str)] = &[
    ("none", ""),
    ("storm", "fail=QUERY_LIMIT_EXCEEDED:0.5"),
    ("expired", "expire=4"),
    ("stall", "stall=batch"),
    ("denied", "fail=ACCESS_DENIED:1:crm.item.list"),
    ("operating", "fail=OPERATION_TIME_LIMIT:0.3"),
];

/// `query` with its fault keys (`fail`, `stall`, `expire`) replaced by `faults` (a query part
/// such as `fail=QUERY_LIMIT_EXCEEDED:0.5`; empty for none). Other keys keep their order.
pub fn with_faults(query: &str, faults: &str) -> String {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split_once('=').map_or(*p, |(k, _)| k);
            !matches!(key, "fail" | "stall" | "expire")
        })
        .collect();
    if !faults.is_empty() {
        parts.push(faults);
    }
    format!("?{}", parts.join("&"))
}

/// One `fail=CODE:ratio[:method]` rule: answer with the error `code` in `ratio` of the requests
/// it applies to (every request, or only `method`'s).
#[derive(Debug, Clone, PartialEq)]
pub struct FailRule {
    /// The Bitrix24 error code, in its documented spelling (`QUERY_LIMIT_EXCEEDED`,
    /// `expired_token`); an unknown code is kept as given.
    pub code: String,
    /// The share of matching requests that fail, `0.0..=1.0`.
    pub ratio: f64,
    /// Lower-case method name; `None` for every method (also written `*`).
    pub method: Option<String>,
}

impl FailRule {
    /// Reads `CODE:ratio` or `CODE:ratio:method`. The ratio is clamped to `0..=1`; a rule whose
    /// code, ratio or method cannot be read is `None`.
    pub fn parse(s: &str) -> Option<FailRule> {
        let mut parts = s.trim().splitn(3, ':');
        let code = canonical_code(parts.next()?.trim())?;
        // serde_json's number parser (via parse_decimal), not str::parse: this runs in the card
        // too, and one float parser in the WebAssembly is enough.
        let ratio: f64 = callcard_core::model::value::parse_decimal(parts.next()?)?;
        if ratio.is_nan() {
            return None;
        }
        let method = match parts.next() {
            None => None,
            Some(m) => match parse_method(m)? {
                m if m == "*" => None,
                m => Some(m),
            },
        };
        Some(FailRule {
            code,
            ratio: ratio.clamp(0.0, 1.0),
            method,
        })
    }

    /// The HTTP status the rule's error comes with.
    pub fn status(&self) -> u16 {
        Faults::status_of(&self.code)
    }

    /// Whether the rule applies to a (lower-case) method.
    pub fn applies_to(&self, method: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
    }

    fn to_query(&self) -> String {
        match &self.method {
            Some(m) => format!("fail={}:{}:{m}", self.code, self.ratio),
            None => format!("fail={}:{}", self.code, self.ratio),
        }
    }
}

/// The faults the demo portal injects, from the URL: `fail=CODE:ratio[:method]` (repeatable),
/// `stall=method` (repeatable; `stall=*` for every call) and `expire=N`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    /// Checked in order for every request; the first that fires decides the answer.
    pub fail: Vec<FailRule>,
    /// Lower-case methods whose requests never get an answer; `"*"` is every method.
    pub stall: Vec<String>,
    /// The access token expires after this many requests (counted again from each refresh);
    /// every later request gets 401 `expired_token` until the app refreshes it.
    pub expire: Option<u64>,
}

/// The documented REST error codes (general and call-list ones) with their HTTP status and a description.
const KNOWN_CODES: &[(&str, u16, &str)] = &[
    ("QUERY_LIMIT_EXCEEDED", 503, "Too many requests"),
    (
        "OVERLOAD_LIMIT",
        503,
        "REST API is blocked due to overload.",
    ),
    (
        "OPERATION_TIME_LIMIT",
        429,
        "Method is blocked due to operation time limit.",
    ),
    (
        "expired_token",
        401,
        "The access token provided has expired.",
    ),
    (
        "invalid_token",
        401,
        "The access token provided is invalid.",
    ),
    ("NO_AUTH_FOUND", 401, "Wrong authorization data"),
    (
        "insufficient_scope",
        403,
        "The request requires higher privileges than provided by the access token",
    ),
    (
        "ACCESS_DENIED",
        403,
        "REST API is available only on commercial plans",
    ),
    ("INVALID_CREDENTIALS", 403, "Invalid request credentials"),
    (
        "user_access_error",
        403,
        "The user does not have access to the application.",
    ),
    (
        "WRONG_AUTH_TYPE",
        403,
        "Current authorization type is denied for this method",
    ),
    ("ACCESS_ERROR", 403, "Access Denied"),
    ("INTERNAL_SERVER_ERROR", 500, "Internal server error"),
    (
        "ERROR_UNEXPECTED_ANSWER",
        500,
        "Server returned an unexpected response.",
    ),
    ("PORTAL_DELETED", 500, "Portal was deleted"),
    ("ERROR_METHOD_NOT_FOUND", 404, "Method not found!"),
    (
        "ERROR_MANIFEST_IS_NOT_AVAILABLE",
        404,
        "Manifest is not available",
    ),
    (
        "ERROR_BATCH_METHOD_NOT_ALLOWED",
        405,
        "Method is not allowed for batch usage",
    ),
    (
        "ERROR_BATCH_LENGTH_EXCEEDED",
        400,
        "Max batch length exceeded",
    ),
    ("INVALID_REQUEST", 400, "Https required."),
    // The portal answers "not found" with 400, as the simulation's own `crm.item.get` does.
    ("NOT_FOUND", 400, "Not found"),
    ("ERROR_ENTITY_NOT_FOUND", 400, "Entity not found"),
    ("ERROR_ARGUMENT", 400, "Argument is null or empty"),
    ("ERROR_CORE", 400, "Core error"),
    ("LIST_ID_ERROR", 400, "Incorrect list id or access denied"),
    ("ENTITIES_ERROR", 400, "Entities is not array"),
    ("ENTITY_TYPE_ERROR", 400, "Incorrect entity type"),
    ("ENTITY_ERROR", 400, "Incorrect entities id"),
    ("WEBFORM_ERROR", 400, "Incorrect webform id"),
    ("STATUS_ERROR", 400, "Incorrect status"),
];

impl Faults {
    /// Whether anything is injected at all.
    pub fn is_empty(&self) -> bool {
        self.fail.is_empty() && self.stall.is_empty() && self.expire.is_none()
    }

    /// The HTTP status of an error code (documented codes, any case); 400 for anything else.
    pub fn status_of(code: &str) -> u16 {
        known_code(code).map_or(400, |(_, status, _)| status)
    }

    /// The `error_description` the demo sends with an injected code.
    pub fn description_of(code: &str) -> String {
        match known_code(code) {
            Some((_, _, description)) => description.to_string(),
            None => format!("Injected by the demo portal (fail={code})"),
        }
    }

    /// Whether a (lower-case) method's requests never get an answer.
    pub fn stalls(&self, method: &str) -> bool {
        self.stall.iter().any(|m| m == "*" || m == method)
    }

    /// The faults as URL query parameters (`fail=…&stall=…&expire=…`, no leading `?`; empty when
    /// there are none), for the demo panel's links. [`DemoConfig::from_query`] reads it back.
    pub fn to_query(&self) -> String {
        let fail = self.fail.iter().map(FailRule::to_query);
        let stall = self.stall.iter().map(|m| format!("stall={m}"));
        let expire = self.expire.map(|n| format!("expire={n}"));
        fail.chain(stall)
            .chain(expire)
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn known_code(code: &str) -> Option<(&'static str, u16, &'static str)> {
    KNOWN_CODES
        .iter()
        .copied()
        .find(|(known, _, _)| known.eq_ignore_ascii_case(code))
}

/// A documented code in its documented spelling, or an unknown but plausible one as given
/// (letters, digits, `_`, at most 64): URL text never reaches an error body unchecked.
fn canonical_code(code: &str) -> Option<String> {
    if let Some((known, _, _)) = known_code(code) {
        return Some(known.to_string());
    }
    let plausible = (1..=64).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plausible.then(|| code.to_string())
}

/// A REST method name (`crm.item.get`), lower-cased, or `*`.
fn parse_method(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let plausible = s == "*"
        || ((1..=100).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'));
    plausible.then_some(s)
}

/// `calllist_size=N`, clamped to `1..=MAX_CALLLIST_SIZE`; text that is not a whole number is `None`.
fn parse_calllist_size(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = s.parse::<u64>().unwrap_or(u64::MAX);
    Some(n.clamp(1, u64::from(MAX_CALLLIST_SIZE)) as u32)
}

/// `expire=N` with N ≥ 1; anything else (0 included: a token that can never be used) is `None`.
fn parse_expire(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok().filter(|&n| n > 0)
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
        assert!(!d.stats_denied);
    }

    #[test]
    fn statistics_permission() {
        assert!(DemoConfig::from_query("stats=denied").stats_denied);
        assert!(DemoConfig::from_query("STATS=%20Denied%20").stats_denied);
        assert!(!DemoConfig::from_query("stats=allowed").stats_denied);
        assert!(!DemoConfig::from_query("stats=denied&stats=yes").stats_denied);
        assert!(!DemoConfig::from_query("stats").stats_denied);
    }

    #[test]
    fn calllist_size_is_clamped() {
        let size = |q: &str| DemoConfig::from_query(q).calllist_size;
        assert_eq!(size(""), DEFAULT_CALLLIST_SIZE);
        assert_eq!(size("calllist_size=10000"), 10_000);
        assert_eq!(size("calllist_size=%2010%20"), 10);
        assert_eq!(
            size("calllist_size=99999999999999999999999"),
            MAX_CALLLIST_SIZE
        );
        assert_eq!(size("calllist_size=0"), 1);
        for bad in ["x", "-5", "1.5", "", "1e4"] {
            assert_eq!(
                size(&format!("calllist_size={bad}")),
                DEFAULT_CALLLIST_SIZE,
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_every_setting() {
        let cfg = DemoConfig::from_query(
            "?lang=ru&theme=dark&scenario=hidden&latency=0&seed=7&placement=DEFAULT&calllist_size=500&markup=1",
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
                faults: Faults::default(),
                stats_denied: false,
                calllist_size: 500,
                markup: true,
                calllist_hidden: 0,
                calllist_concurrent: false,
                autoclose_s: DEFAULT_AUTOCLOSE_S,
            }
        );
        assert_eq!(DemoConfig::from_query("autoclose=5").autoclose_s, 5);
        assert_eq!(DemoConfig::from_query("autoclose=0").autoclose_s, 1);
        assert_eq!(DemoConfig::from_query("autoclose=x").autoclose_s, 65);
        let cfg = DemoConfig::from_query("calllist_hidden=2&calllist_concurrent=1");
        assert_eq!((cfg.calllist_hidden, cfg.calllist_concurrent), (2, true));
        let cfg = DemoConfig::from_query("calllist_hidden=9999&calllist_concurrent=0");
        assert_eq!((cfg.calllist_hidden, cfg.calllist_concurrent), (50, false));
        for bad in ["", "-1", "two", "1.5"] {
            let cfg =
                DemoConfig::from_query(&format!("calllist_hidden={bad}&calllist_concurrent={bad}"));
            assert_eq!(
                (cfg.calllist_hidden, cfg.calllist_concurrent),
                (0, false),
                "{bad}"
            );
        }
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
        assert_eq!(Scenario::all().len(), 7);
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

    fn rule(code: &str, ratio: f64, method: Option<&str>) -> FailRule {
        FailRule {
            code: code.into(),
            ratio,
            method: method.map(str::to_string),
        }
    }

    #[test]
    fn faults_default_to_none() {
        assert!(DemoConfig::default().faults.is_empty());
        assert!(DemoConfig::from_query("seed=3&lang=ru").faults.is_empty());
        assert_eq!(Faults::default().to_query(), "");
    }

    #[test]
    fn fail_rules_repeat_and_target_methods() {
        let f = DemoConfig::from_query(
            "fail=QUERY_LIMIT_EXCEEDED:0.5&fail=access_denied:1:CRM.Item.Get&fail=MY_CODE:0.25:*&seed=2",
        )
        .faults;
        assert_eq!(
            f.fail,
            vec![
                rule("QUERY_LIMIT_EXCEEDED", 0.5, None),
                rule("ACCESS_DENIED", 1.0, Some("crm.item.get")),
                rule("MY_CODE", 0.25, None),
            ]
        );
        assert_eq!(f.fail[0].status(), 503);
        assert_eq!(f.fail[1].status(), 403);
        assert_eq!(f.fail[2].status(), 400, "unknown codes are accepted as 400");
        assert!(f.fail[1].applies_to("crm.item.get") && !f.fail[1].applies_to("crm.item.list"));
        assert!(f.fail[0].applies_to("batch"));
        // Percent-encoded colons work too.
        let f = DemoConfig::from_query("fail=expired_token%3A0.1%3Auser.current").faults;
        assert_eq!(
            f.fail,
            vec![rule("expired_token", 0.1, Some("user.current"))]
        );
    }

    #[test]
    fn fail_ratio_is_clamped() {
        let ratio = |q: &str| DemoConfig::from_query(q).faults.fail[0].ratio;
        assert_eq!(ratio("fail=OVERLOAD_LIMIT:7"), 1.0);
        assert_eq!(ratio("fail=OVERLOAD_LIMIT:-0.5"), 0.0);
        assert!(
            DemoConfig::from_query("fail=OVERLOAD_LIMIT:inf")
                .faults
                .fail
                .is_empty(),
            "not a number"
        );
        assert_eq!(ratio("fail=OVERLOAD_LIMIT: 0.3 "), 0.3);
        assert_eq!(ratio("fail=OVERLOAD_LIMIT:1e-1"), 0.1);
    }

    #[test]
    fn stall_and_expire() {
        let f =
            DemoConfig::from_query("stall=crm.item.get&stall=*&expire=5&stall=&stall=a b").faults;
        assert_eq!(f.stall, ["crm.item.get", "*"]);
        assert_eq!(f.expire, Some(5));
        assert!(f.stalls("crm.item.get") && f.stalls("user.get"));
        let f = DemoConfig::from_query("stall=User.Current").faults;
        assert!(f.stalls("user.current") && !f.stalls("user.get"));
        assert_eq!(
            DemoConfig::from_query("expire=5&expire=9").faults.expire,
            Some(9)
        );
        for bad in ["expire=0", "expire=-1", "expire=x", "expire=", "expire=1.5"] {
            assert_eq!(DemoConfig::from_query(bad).faults.expire, None, "{bad}");
        }
    }

    #[test]
    fn malformed_fault_parts_are_skipped() {
        for q in [
            "fail=",
            "fail=:",
            "fail=QUERY_LIMIT_EXCEEDED",
            "fail=QUERY_LIMIT_EXCEEDED:",
            "fail=QUERY_LIMIT_EXCEEDED:half",
            "fail=QUERY_LIMIT_EXCEEDED:NaN",
            "fail=:0.5",
            "fail=<script>:1",
            "fail=QUERY_LIMIT_EXCEEDED:1:crm item",
            "fail=QUERY_LIMIT_EXCEEDED:1:",
            "fail=%FF:1",
            "stall=",
            "stall=%00",
            "stall=1abc",
            "expire=99999999999999999999999",
        ] {
            assert!(DemoConfig::from_query(q).faults.is_empty(), "{q}");
        }
        // The valid rules around a bad one survive it.
        let f = DemoConfig::from_query("fail=A:1&fail=bad&fail=B:0").faults;
        assert_eq!(f.fail, vec![rule("A", 1.0, None), rule("B", 0.0, None)]);
        for q in [
            "fail=::::",
            "fail=%:%:%",
            "stall=*:*",
            "expire=\u{0}",
            "fail=a:1:*:*",
        ] {
            let _ = DemoConfig::from_query(q);
        }
    }

    #[test]
    fn status_table() {
        for (code, status) in [
            ("QUERY_LIMIT_EXCEEDED", 503),
            ("OVERLOAD_LIMIT", 503),
            ("OPERATION_TIME_LIMIT", 429),
            ("expired_token", 401),
            ("invalid_token", 401),
            ("NO_AUTH_FOUND", 401),
            ("insufficient_scope", 403),
            ("ACCESS_DENIED", 403),
            ("INVALID_CREDENTIALS", 403),
            ("user_access_error", 403),
            ("WRONG_AUTH_TYPE", 403),
            ("ACCESS_ERROR", 403),
            ("INTERNAL_SERVER_ERROR", 500),
            ("ERROR_UNEXPECTED_ANSWER", 500),
            ("NOT_FOUND", 400),
            ("ERROR_ARGUMENT", 400),
            ("LIST_ID_ERROR", 400),
            ("ERROR_METHOD_NOT_FOUND", 404),
            ("ERROR_BATCH_METHOD_NOT_ALLOWED", 405),
            ("SOMETHING_NEW", 400),
        ] {
            assert_eq!(Faults::status_of(code), status, "{code}");
        }
        assert_eq!(Faults::status_of("EXPIRED_TOKEN"), 401);
        assert!(Faults::description_of("SOMETHING_NEW").contains("SOMETHING_NEW"));
    }

    #[test]
    fn faults_round_trip_through_the_query() {
        let faults = Faults {
            fail: vec![
                rule("QUERY_LIMIT_EXCEEDED", 0.5, None),
                rule("ACCESS_DENIED", 1.0, Some("crm.item.get")),
                rule("OPERATION_TIME_LIMIT", 0.0, None),
            ],
            stall: vec!["user.current".into(), "*".into()],
            expire: Some(12),
        };
        let q = faults.to_query();
        assert_eq!(
            q,
            "fail=QUERY_LIMIT_EXCEEDED:0.5&fail=ACCESS_DENIED:1:crm.item.get&fail=OPERATION_TIME_LIMIT:0\
             &stall=user.current&stall=*&expire=12"
        );
        assert_eq!(DemoConfig::from_query(&q).faults, faults);
        assert_eq!(DemoConfig::from_query(&format!("seed=4&{q}")).seed, 4);
    }

    #[test]
    fn fault_presets_replace_only_the_fault_keys() {
        assert_eq!(
            with_faults(
                "?scenario=campaign&fail=X:1&lang=ru&stall=batch&expire=3",
                "expire=4"
            ),
            "?scenario=campaign&lang=ru&expire=4"
        );
        assert_eq!(with_faults("lang=en", ""), "?lang=en");
        for (_, q) in FAULT_PRESETS {
            let cfg = DemoConfig::from_query(&with_faults("", q));
            assert_eq!(cfg.faults.is_empty(), q.is_empty(), "{q}");
        }
    }
}
