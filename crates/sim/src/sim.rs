//! A deterministic Bitrix24 portal in memory: one call in the call card plus a small CRM that
//! answers REST in the real shapes (envelope, `time`, paging, batch, errors).
//!
//! Everything is pure Rust so the demo's behaviour is tested on the host; the browser wrapper
//! only adds latency and delivers [`SimEvent`]s. The same [`DemoConfig`] always produces the same
//! portal: names come from fixed tables, and the seed drives a small PRNG for phone numbers,
//! amounts, dates, responsibles and which client the call starts with.
//!
//! This module holds the portal's state ([`Sim`]) and what it reports on its own (`getStatus`,
//! the placement options, the request log). What changes it lives beside it, each file adding
//! to `Sim` and depending on this one, never the other way round: the call's controls in
//! `call.rs`, injected faults in `faults.rs`, one REST request in `dispatch.rs`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::answer::object;
use crate::bilingual::Pick;
use crate::calllist::{CallLists, Setup};
use crate::config::{DemoConfig, DemoPlacement, Faults, Scenario};
use crate::crm::{Caller, Crm, Record};
use crate::dates::DEFAULT_NOW_MS;
use crate::history::History;
use crate::placements::Binding;
use crate::random::Rng;
use crate::timeline::{AutoClose, Timeline};
use callcard_core::call::{CallState, Direction};
use callcard_core::i18n::Lang;
use callcard_core::model::entity::{EntityKind, EntityRef};

/// What the call card tells the app on its own, as the browser wrapper delivers it.
#[derive(Debug, Clone, PartialEq)]
pub enum SimEvent {
    /// `CallCard::CallStateChanged`: `"idle"`, `"connecting"` or `"connected"`, and the SIP code
    /// of an unsuccessful end (which the real bridge usually drops; the wrapper decides).
    StateChanged {
        state: String,
        failed_code: Option<String>,
    },
    /// `CallCard::EntityChanged`: `{PHONE_NUMBER, CRM_ENTITY_TYPE, CRM_ENTITY_ID}` with an integer
    /// id and `"unknown"` for a client without a number.
    EntityChanged(Value),
    /// `CallCard::BeforeClose`: the portal is about to close the card (or was kept from it).
    BeforeClose,
    /// The portal closed the card (no event reaches a real app: its frame is gone).
    Closed,
}

/// The latest instant `set_now_ms` accepts (9999-12-31T23:59:59Z), so dates stay four-digit.
const MAX_NOW_MS: f64 = 253_402_300_799_000.0;

/// The simulated portal: one call card and its CRM.
#[derive(Debug, Clone)]
pub struct Sim {
    pub(crate) lang: Lang,
    pub(crate) lang_code: String,
    pub(crate) scenario: Scenario,
    pub(crate) placement: DemoPlacement,
    pub(crate) crm: Crm,
    /// Continues after the CRM is generated; draws call ids.
    pub(crate) rng: Rng,
    pub(crate) now_ms: f64,
    pub(crate) call_id: String,
    pub(crate) direction: Direction,
    pub(crate) state: CallState,
    pub(crate) activity_id: Option<u64>,
    pub(crate) next_activity_id: u64,
    pub(crate) caller: Caller,
    pub(crate) bindings: Vec<Binding>,
    /// Seconds of server time each method has used (the `operating` of its `time`).
    pub(crate) operating: BTreeMap<String, f64>,
    pub(crate) request_log: Vec<String>,
    /// What the URL asked the portal to get wrong.
    pub(crate) faults: Faults,
    /// Draws the fault decisions: seeded from the config's seed but separate from `rng`, so
    /// injecting faults never changes the generated portal or its call ids.
    pub(crate) fault_rng: Rng,
    /// Requests since the access token was issued or last refreshed (for `expire=N`).
    pub(crate) since_refresh: u64,
    pub(crate) fault_log: Vec<(String, Injected)>,
    /// The clients' activities and call statistics (`crm.activity.list`, `voximplant.statistic.get`).
    pub(crate) history: History,
    /// When the current call was answered (the sim's clock), for its duration and start time.
    pub(crate) answered_ms: Option<f64>,
    /// The user's call lists and their activities (`calllist.rs`).
    pub(crate) calllists: CallLists,
    /// Timeline comments written from the card and the seeded ones (`timeline.rs`).
    pub(crate) timeline: Timeline,
    /// The card's auto-close after a call (`disableAutoClose`/`enableAutoClose`).
    pub(crate) autoclose: AutoClose,
}

/// What became of one REST request ([`Sim::rest_outcome`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// HTTP 200: the body with `result`, `time` and, for lists, `total`/`next`.
    Answer(Value),
    /// An HTTP error status and the body `{error, error_description}`. 5xx errors are answered
    /// too, with their body: it is the browser wrapper that emulates BX24.js, which throws on a
    /// 5xx and never calls the callback back (the classic library's behaviour).
    Error(u16, Value),
    /// The request hangs: no answer ever comes (`stall=`).
    NeverAnswers,
}

/// A fault the demo injected, as [`Sim::fault_log`] records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Injected {
    /// The whole request failed (`fail=` or `expire=`; `expired_token` for the latter).
    Error { status: u16, code: String },
    /// One command of a batch failed with a business error; the rest of the batch ran.
    InBatch {
        key: String,
        status: u16,
        code: String,
    },
    /// The request never answers (`stall=`).
    NeverAnswers,
}

impl Sim {
    /// A portal for `cfg`: the CRM, the scenario's call (ringing), and the app's registrations
    /// (the `CALL_CARD` tab is bound, except on the install page where the app starts unbound).
    pub fn new(cfg: &DemoConfig) -> Sim {
        let lang = Lang::from_bitrix(&cfg.lang);
        let mut rng = Rng(cfg.seed);
        let mut crm = Crm::generate(lang, &mut rng);
        if cfg.markup {
            crm.poison_with_markup();
        }
        let caller = crm.first_caller(cfg.scenario, cfg.seed);
        let ids = |kind| crm.of_kind(kind).map(|r| r.entity.id).collect::<Vec<_>>();
        let with_phone: Vec<u64> = crm
            .of_kind(EntityKind::Contact)
            .filter(|r| r.phone.is_some())
            .map(|r| r.entity.id)
            .collect();
        let (calllists, campaign_contacts) = CallLists::generate(&Setup {
            ru: lang == Lang::Ru,
            seed: cfg.seed,
            size: cfg.calllist_size as usize,
            fill: cfg.scenario == Scenario::Campaign,
            client: match caller {
                Caller::Client(e) => Some(e),
                _ => None,
            },
            contacts: &with_phone,
            companies: &ids(EntityKind::Company),
            deals: &ids(EntityKind::Deal),
            today: (DEFAULT_NOW_MS / 1000.0) as i64,
            hidden: cfg.calllist_hidden as usize,
            concurrent: cfg.calllist_concurrent,
        });
        for (entity, fields, phone) in campaign_contacts {
            crm.records.push(Record {
                entity,
                fields,
                phone,
            });
        }
        let direction = match cfg.scenario {
            Scenario::Incoming | Scenario::Unknown | Scenario::Hidden | Scenario::Unbound => {
                Direction::Incoming
            }
            Scenario::Outgoing | Scenario::Failed | Scenario::Campaign => Direction::Outgoing,
        };
        let next_activity_id = rng.between(12_000, 12_999);
        let bindings = match cfg.placement {
            DemoPlacement::CallCard => vec![Binding::call_card(lang)],
            DemoPlacement::Default => Vec::new(),
        };
        let mut sim = Sim {
            lang,
            lang_code: cfg.lang.clone(),
            scenario: cfg.scenario,
            placement: cfg.placement,
            crm,
            rng,
            now_ms: DEFAULT_NOW_MS,
            call_id: String::new(),
            direction,
            state: CallState::Connecting,
            activity_id: None,
            next_activity_id,
            caller,
            bindings,
            operating: BTreeMap::new(),
            request_log: Vec::new(),
            faults: cfg.faults.clone(),
            fault_rng: Rng(cfg.seed ^ 0xFA17_5EED_FA17_5EED),
            since_refresh: 0,
            fault_log: Vec::new(),
            history: History::new(lang, cfg.seed, cfg.stats_denied).with_markup(cfg.markup),
            answered_ms: None,
            calllists,
            timeline: Timeline::new(lang),
            autoclose: AutoClose::new(cfg.autoclose_s),
        };
        sim.call_id = sim.new_call_id();
        sim
    }

    /// Sets the clock used for `time` objects and new calls' ids. Non-finite values are ignored;
    /// the rest is kept within 1970..=9999.
    pub fn set_now_ms(&mut self, unix_ms: f64) {
        if unix_ms.is_finite() {
            self.now_ms = unix_ms.clamp(0.0, MAX_NOW_MS);
        }
    }

    /// `"CALL_CARD"`, or `"DEFAULT"` for the app's own page.
    pub fn placement(&self) -> &'static str {
        self.placement.as_str()
    }

    /// What `BX24.placement.call('getStatus')` answers, with real types: integer ids, a boolean
    /// `CALL_LIST_MODE`, `CRM_ACTIVITY_ID` `""` until the call has an activity, no
    /// `PHONE_NUMBER` when the number is unknown and no `CRM_BINDINGS` when there are none.
    pub fn status(&self) -> Value {
        let entity = self.entity();
        let mut s = object(json!({
            "CALL_ID": self.call_id,
            "LINE_NUMBER": self.lang.pick(["+1 555 0100", "+7 495 000-00-00"]),
            "LINE_NAME": self.lang.pick(["Sales line", "Отдел продаж"]),
            "CRM_ENTITY_TYPE": entity.map(|e| e.kind.name()).unwrap_or_default(),
            "CRM_ENTITY_ID": entity.map_or(0, |e| e.id),
            "CRM_ACTIVITY_ID": self.activity_id.map_or(json!(""), |id| json!(id)),
            "CALL_DIRECTION": self.direction.as_str(),
            "CALL_STATE": self.state.as_str(),
            "CALL_LIST_MODE": self.scenario == Scenario::Campaign,
        }));
        if let Some(phone) = self.phone() {
            s.insert("PHONE_NUMBER".into(), phone.into());
        }
        let bindings = self.current_bindings();
        if !bindings.is_empty() {
            let list: Vec<Value> = bindings
                .iter()
                .map(|b| json!({"ENTITY_TYPE": b.kind.name(), "ENTITY_ID": b.id}))
                .collect();
            s.insert("CRM_BINDINGS".into(), Value::Array(list));
        }
        Value::Object(s)
    }

    /// The `PLACEMENT_OPTIONS` the tab would be POSTed now: the same call as [`Sim::status`] with
    /// every value a string (`"17"`, `"false"`, `"undefined"` for no activity) plus `URI`.
    /// The app's own page (`DEFAULT`) gets no options at all: `{}`.
    pub fn placement_options(&self) -> Value {
        if self.placement == DemoPlacement::Default {
            return json!({});
        }
        let mut o = Map::new();
        for (key, value) in object(self.status()) {
            let text = match value {
                Value::String(s) => Value::String(s),
                Value::Array(bindings) => Value::Array(
                    bindings
                        .into_iter()
                        .map(|b| json!({"ENTITY_TYPE": b["ENTITY_TYPE"], "ENTITY_ID": b["ENTITY_ID"].to_string()}))
                        .collect(),
                ),
                other => Value::String(other.to_string()),
            };
            o.insert(key, text);
        }
        if self.activity_id.is_none() {
            o.insert("CRM_ACTIVITY_ID".into(), "undefined".into());
        }
        let uri = self
            .entity()
            .map_or_else(|| "/stream/".to_string(), |e| e.kind.details_path(e.id));
        o.insert("URI".into(), uri.into());
        Value::Object(o)
    }

    /// How many REST requests the app has made.
    pub fn request_count(&self) -> u64 {
        self.request_log.len() as u64
    }

    /// Each call list's true size `(id, members)`, members the card may not read included.
    pub fn call_list_sizes(&self) -> Vec<(u64, usize)> {
        self.calllists.sizes()
    }

    /// The methods of those requests, in order (lower-case; a batch is logged as `batch`).
    pub fn request_log(&self) -> &[String] {
        &self.request_log
    }

    pub(crate) fn entity(&self) -> Option<EntityRef> {
        match self.caller {
            Caller::Client(e) => Some(e),
            Caller::Unbound(_) | Caller::Stranger | Caller::Hidden => None,
        }
    }

    /// `PHONE_NUMBER`: the client's first number, the stranger's, `"hidden"`, or none.
    pub(crate) fn phone(&self) -> Option<String> {
        match self.caller {
            Caller::Client(e) | Caller::Unbound(e) => self.crm.get(e).and_then(|r| r.phone.clone()),
            Caller::Stranger => Some(self.crm.stranger.clone()),
            Caller::Hidden => Some("hidden".into()),
        }
    }

    pub(crate) fn current_bindings(&self) -> Vec<EntityRef> {
        self.entity()
            .map(|e| self.crm.bindings(e))
            .unwrap_or_default()
    }

    pub(crate) fn set_state(
        &mut self,
        state: CallState,
        failed_code: Option<&str>,
    ) -> Vec<SimEvent> {
        self.state = state;
        vec![SimEvent::StateChanged {
            state: state.as_str().into(),
            failed_code: failed_code.map(str::to_string),
        }]
    }

    /// `externalCall.<32 hex>.<unix seconds>`, the form `telephony.externalCall.register` uses.
    pub(crate) fn new_call_id(&mut self) -> String {
        let (a, b) = (self.rng.next_u64(), self.rng.next_u64());
        format!(
            "externalCall.{a:016x}{b:016x}.{}",
            (self.now_ms / 1000.0).floor() as i64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use crate::{DemoConfig, Sim};

    use callcard_core::call::{PhoneNumber, decode_call_status, decode_placement_options_text};
    use callcard_core::model::entity::{EntityKind, EntityRef};
    use serde_json::json;

    #[test]
    fn every_scenario_decodes_and_options_agree_with_status() {
        for scenario in Scenario::all() {
            let s = sim(&format!("scenario={}", scenario.as_str()));
            let status = decoded(&s);
            let options = decode_call_status(&s.placement_options()).expect("options decode");
            // The POST arrives as JSON text; both readings must give the same call.
            let text = decode_placement_options_text(&s.placement_options().to_string())
                .expect("text decodes");
            assert_eq!(options, text, "{scenario:?}");
            assert_eq!(status, options, "{scenario:?}: status and options disagree");

            let (direction, kind, phone_known) = match scenario {
                Scenario::Incoming => (Direction::Incoming, Some(EntityKind::Contact), true),
                Scenario::Outgoing => (Direction::Outgoing, Some(EntityKind::Company), true),
                Scenario::Unknown => (Direction::Incoming, None, true),
                Scenario::Hidden => (Direction::Incoming, None, false),
                Scenario::Failed => (Direction::Outgoing, Some(EntityKind::Contact), true),
                Scenario::Campaign => (Direction::Outgoing, Some(EntityKind::Contact), true),
                Scenario::Unbound => (Direction::Incoming, None, true),
            };
            assert_eq!(status.direction, direction, "{scenario:?}");
            assert_eq!(status.state, CallState::Connecting, "{scenario:?}");
            assert_eq!(status.entity.map(|e| e.kind), kind, "{scenario:?}");
            assert_eq!(
                status.call_list_mode,
                *scenario == Scenario::Campaign,
                "{scenario:?}"
            );
            assert_eq!(status.activity_id, None);
            assert!(
                status
                    .call_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("externalCall."))
            );
            assert!(status.line().is_some());
            match (&status.phone, phone_known) {
                (PhoneNumber::Known(n), true) => assert!(
                    n.starts_with('+') && n[1..].bytes().all(|b| b.is_ascii_digit()),
                    "{n}"
                ),
                (PhoneNumber::Hidden, false) => {}
                other => panic!("{scenario:?}: unexpected phone {other:?}"),
            }
            match status.entity {
                Some(e) => {
                    assert!(status.bindings.contains(&e));
                    assert!(
                        status.bindings.len() >= 2,
                        "{scenario:?}: a known client has deals"
                    );
                }
                None => assert!(status.bindings.is_empty()),
            }
        }
    }

    #[test]
    fn default_seed_is_the_showcase_call() {
        let mut s = Sim::new(&DemoConfig::default());
        let status = decoded(&s);
        assert_eq!(status.direction, Direction::Incoming);
        let contact = status.entity.expect("a client");
        assert_eq!(contact.kind, EntityKind::Contact);
        let c = item(&mut s, EntityKind::Contact, contact.id);
        assert!(!c["post"].as_str().unwrap_or("").is_empty());
        let company = c["companyId"].as_u64().unwrap();
        assert!(company > 0);
        let others = status.other_bindings();
        let deals: Vec<EntityRef> = others
            .iter()
            .copied()
            .filter(|b| b.kind == EntityKind::Deal)
            .collect();
        assert_eq!(deals.len(), 2);
        assert_eq!(others.len(), 3);
        assert!(others.contains(&EntityRef::new(EntityKind::Company, company)));
        for d in &deals {
            assert_eq!(
                item(&mut s, EntityKind::Deal, d.id)["contactId"],
                json!(contact.id)
            );
        }
        let responsible = c["assignedById"].as_u64().unwrap();
        let users = ok(&mut s, "user.get", json!({"ID": responsible}))["result"].clone();
        assert_eq!(users.as_array().map(Vec::len), Some(1));
        assert_eq!(users[0]["ID"], json!(responsible.to_string()));
    }

    #[test]
    fn status_has_real_types_and_options_have_strings() {
        let mut s = sim("");
        let v = s.status();
        assert!(v["CRM_ENTITY_ID"].is_u64());
        assert!(v["CALL_LIST_MODE"].is_boolean());
        assert_eq!(v["CRM_ACTIVITY_ID"], json!(""));
        assert!(v["CRM_BINDINGS"][0]["ENTITY_ID"].is_u64());

        let o = s.placement_options();
        for (key, value) in o.as_object().unwrap() {
            if key == "CRM_BINDINGS" {
                for b in value.as_array().unwrap() {
                    assert!(b["ENTITY_ID"].is_string() && b["ENTITY_TYPE"].is_string());
                }
            } else {
                assert!(value.is_string(), "{key} is not a string: {value}");
            }
        }
        assert_eq!(o["CRM_ACTIVITY_ID"], "undefined");
        assert_eq!(o["CALL_LIST_MODE"], "false");
        assert_eq!(o["CRM_ENTITY_ID"], json!(v["CRM_ENTITY_ID"].to_string()));
        assert_eq!(
            o["URI"],
            json!(format!("/crm/contact/details/{}/", v["CRM_ENTITY_ID"]))
        );

        s.answer();
        let activity = s.status()["CRM_ACTIVITY_ID"]
            .as_u64()
            .expect("an activity once connected");
        assert_eq!(
            s.placement_options()["CRM_ACTIVITY_ID"],
            json!(activity.to_string())
        );
        assert_eq!(decoded(&s).activity_id, Some(activity));

        assert_eq!(
            sim("scenario=campaign").placement_options()["CALL_LIST_MODE"],
            "true"
        );
        assert_eq!(
            sim("scenario=campaign").status()["CALL_LIST_MODE"],
            json!(true)
        );
    }

    #[test]
    fn unknown_and_hidden_callers() {
        let s = sim("scenario=unknown");
        let v = s.status();
        assert_eq!(v["CRM_ENTITY_TYPE"], "");
        assert_eq!(v["CRM_ENTITY_ID"], 0);
        assert!(v.get("CRM_BINDINGS").is_none());
        assert!(s.placement_options().get("CRM_BINDINGS").is_none());
        assert_eq!(s.placement_options()["CRM_ENTITY_ID"], "0");
        let number = v["PHONE_NUMBER"].as_str().expect("the number is known");
        assert!(
            s.crm
                .records
                .iter()
                .all(|r| r.phone.as_deref() != Some(number)),
            "the stranger is in the CRM"
        );

        let v = sim("scenario=hidden").status();
        assert_eq!(v["PHONE_NUMBER"], "hidden");
        assert_eq!(v["CRM_ENTITY_ID"], 0);
        assert!(v.get("CRM_BINDINGS").is_none());
    }

    #[test]
    fn install_page_placement() {
        let s = sim("placement=DEFAULT");
        assert_eq!(s.placement(), "DEFAULT");
        assert_eq!(s.placement_options(), json!({}));
        assert_eq!(sim("").placement(), "CALL_CARD");
    }
}
