//! The call on the demo card, as the demo panel drives it: answer, hang up, redial, switch the
//! client, "Next" in a campaign, and the card's auto-close; each returns the events the card
//! sends the app.

use serde_json::{Value, json};

use crate::config::Scenario;
use crate::crm::Caller;
use crate::history::EndedCall;
use crate::sim::{Sim, SimEvent};
use crate::timeline::CloseStep;
use callcard_core::call::{CallState, Direction};
use callcard_core::model::entity::EntityKind;

fn close_events(steps: Vec<CloseStep>) -> Vec<SimEvent> {
    steps
        .into_iter()
        .map(|s| match s {
            CloseStep::BeforeClose => SimEvent::BeforeClose,
            CloseStep::Closed => SimEvent::Closed,
        })
        .collect()
}

impl Sim {
    /// The ringing call is taken: `connecting → connected`, and the call gets its CRM activity.
    /// In the `failed` scenario the line is busy instead: `→ idle` with SIP code 486.
    pub fn answer(&mut self) -> Vec<SimEvent> {
        if self.state != CallState::Connecting {
            return Vec::new();
        }
        if self.scenario == Scenario::Failed {
            self.file_call("486");
            return self.set_state(CallState::Idle, Some("486"));
        }
        self.activity_id = Some(self.next_activity_id);
        self.next_activity_id += 1;
        self.answered_ms = Some(self.now_ms);
        self.set_state(CallState::Connected, None)
    }

    /// Ends the call (ringing or talking); nothing happens when it is already over. The call
    /// goes into the client's history: answered (`200`) after a talk, missed (`304`) or
    /// cancelled (`603-S`) when an incoming or outgoing call is dropped while ringing.
    pub fn hangup(&mut self) -> Vec<SimEvent> {
        if self.state == CallState::Idle {
            return Vec::new();
        }
        let code = match (self.state, self.direction) {
            (CallState::Connected, _) => "200",
            (_, Direction::Incoming | Direction::IncomingTransfer) => "304",
            _ => "603-S",
        };
        self.file_call(code);
        self.autoclose.call_ended(self.now_ms);
        self.set_state(CallState::Idle, None)
    }

    /// `disableAutoClose` (`enabled == false`) / `enableAutoClose` from the card's app.
    pub fn auto_close(&mut self, enabled: bool) -> Vec<SimEvent> {
        let steps = self.autoclose.command(enabled, self.now_ms);
        close_events(steps)
    }

    /// Runs the auto-close countdown to the sim's clock.
    pub fn tick(&mut self) -> Vec<SimEvent> {
        let steps = self.autoclose.tick(self.now_ms);
        close_events(steps)
    }

    /// The auto-close as the demo panel shows it: `{held, closed, closesAt}` (ms or null).
    pub fn auto_close_state(&self) -> Value {
        json!({"held": self.autoclose.held(self.now_ms), "closed": self.autoclose.closed(),
               "closesAt": self.autoclose.due()})
    }

    /// Files the current call in the caller's history as it ends with `code`. A call that never
    /// connected gets its activity now (the card never showed one), dated now and lasting 0 s.
    fn file_call(&mut self, code: &'static str) {
        let Some(party) = self.entity() else {
            return;
        };
        let activity_id = self.activity_id.unwrap_or_else(|| {
            self.next_activity_id += 1;
            self.next_activity_id - 1
        });
        let start_ms = self.answered_ms.take().unwrap_or(self.now_ms);
        let call = EndedCall {
            activity_id,
            party,
            bindings: self.current_bindings(),
            direction: self.direction,
            call_id: self.call_id.clone(),
            code,
            start_secs: (start_ms / 1000.0).floor() as i64,
            duration_secs: ((self.now_ms - start_ms).max(0.0) / 1000.0) as u64,
            user_id: 1,
        };
        self.history.record_call(&self.crm, self.now_ms, call);
    }

    /// Calls the same client again: a new outgoing call with its own `CALL_ID` and no activity
    /// yet. Only possible once the previous call is over.
    pub fn redial(&mut self) -> Vec<SimEvent> {
        if self.state != CallState::Idle {
            return Vec::new();
        }
        self.call_id = self.new_call_id();
        self.direction = Direction::Outgoing;
        self.activity_id = None;
        self.answered_ms = None;
        self.autoclose.call_started();
        self.set_state(CallState::Connecting, None)
    }

    /// The card loads the next client of a fixed rotation — every contact, company and lead,
    /// then a number that is not in the CRM — as it does on "Next" in a campaign.
    pub fn switch_client(&mut self) -> Vec<SimEvent> {
        let mut rotation: Vec<Caller> =
            [EntityKind::Contact, EntityKind::Company, EntityKind::Lead]
                .iter()
                .flat_map(|kind| self.crm.of_kind(*kind).map(|r| Caller::Client(r.entity)))
                .collect();
        rotation.push(Caller::Stranger);
        let next = rotation
            .iter()
            .position(|c| *c == self.caller)
            .map_or(0, |i| (i + 1) % rotation.len());
        self.caller = rotation[next];
        vec![self.entity_changed()]
    }

    /// "Next" in a campaign (`scenario=campaign`): the current client's item gets the call's
    /// outcome (from the seed: mostly `SUCCESS`, sometimes the custom `CALLBACK` or
    /// `WRONG_NUMBER`), and the card moves to the next `IN_WORK` item of the campaign list and
    /// starts an outgoing call to it, as the native card does: `EntityChanged`, then a new call
    /// (`CALL_ID`, no activity) that is `connecting`. At the end of the list the card stays and
    /// nothing is emitted; while the operator is talking there is no "Next" (nothing happens).
    pub fn next_in_campaign(&mut self) -> Vec<SimEvent> {
        if self.scenario != Scenario::Campaign || self.state == CallState::Connected {
            return Vec::new();
        }
        let Some(next) = self.calllists.advance(self.entity()) else {
            return Vec::new();
        };
        self.caller = Caller::Client(next);
        self.call_id = self.new_call_id();
        self.direction = Direction::Outgoing;
        self.activity_id = None;
        self.autoclose.call_started();
        let mut events = vec![self.entity_changed()];
        events.extend(self.set_state(CallState::Connecting, None));
        events
    }

    /// `CallCard::EntityChanged` for the client now on the card.
    fn entity_changed(&self) -> SimEvent {
        let entity = self.entity();
        SimEvent::EntityChanged(json!({
            "PHONE_NUMBER": self.phone().unwrap_or_else(|| "unknown".into()),
            "CRM_ENTITY_TYPE": entity.map(|e| e.kind.name()).unwrap_or_default(),
            "CRM_ENTITY_ID": entity.map_or(0, |e| e.id),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimEvent;
    use crate::crm_tables::*;
    use crate::testing::*;

    use callcard_core::call::{
        CallEvent, PhoneNumber, decode_entity_changed, decode_state_changed,
    };
    use callcard_core::model::entity::{EntityKind, EntityRef};
    use serde_json::json;

    #[test]
    fn call_state_machine() {
        let mut s = sim("");
        assert!(s.redial().is_empty(), "cannot redial while ringing");
        assert_eq!(s.answer(), state_event("connected", None));
        assert_eq!(decoded(&s).state, CallState::Connected);
        let activity = decoded(&s).activity_id.expect("activity");
        assert!(s.answer().is_empty(), "answer is a no-op once connected");
        assert!(s.redial().is_empty(), "cannot redial while talking");

        let first_call = decoded(&s).call_id;
        assert_eq!(s.hangup(), state_event("idle", None));
        assert_eq!(decoded(&s).state, CallState::Idle);
        assert_eq!(
            decoded(&s).activity_id,
            Some(activity),
            "the ended call keeps its activity"
        );
        assert!(s.hangup().is_empty());
        assert!(s.answer().is_empty());

        assert_eq!(s.redial(), state_event("connecting", None));
        let again = decoded(&s);
        assert_eq!(again.state, CallState::Connecting);
        assert_eq!(
            again.direction,
            Direction::Outgoing,
            "a redial is an outgoing call"
        );
        assert_ne!(again.call_id, first_call);
        assert_eq!(again.activity_id, None);
        assert_eq!(s.answer(), state_event("connected", None));
        assert_ne!(
            decoded(&s).activity_id,
            Some(activity),
            "a new call gets a new activity"
        );

        // A ringing call can be dropped too.
        let mut s = sim("scenario=outgoing");
        assert_eq!(s.hangup(), state_event("idle", None));
    }

    #[test]
    fn failed_scenario_ends_busy() {
        let mut s = sim("scenario=failed");
        let events = s.answer();
        assert_eq!(events, state_event("idle", Some("486")));
        let SimEvent::StateChanged { state, failed_code } = &events[0] else {
            panic!("{events:?}")
        };
        let decoded_event = decode_state_changed(
            &json!(state),
            failed_code
                .as_ref()
                .map(|c| json!({"failedCode": c}))
                .as_ref(),
        );
        assert_eq!(
            decoded_event,
            Ok(CallEvent::StateChanged {
                state: CallState::Idle,
                failed_code: Some("486".into())
            })
        );
        assert_eq!(decoded(&s).state, CallState::Idle);
        assert_eq!(decoded(&s).activity_id, None);
        assert_eq!(s.redial(), state_event("connecting", None));
        assert_eq!(s.answer(), state_event("idle", Some("486")), "still busy");
    }

    #[test]
    fn switch_client_rotates_through_every_kind_of_client() {
        let mut s = sim("");
        let start = decoded(&s).entity;
        let rotation = CONTACTS.len() + COMPANIES.len() + LEADS.len() + 1;
        let mut seen = Vec::new();
        let mut unknown_number_seen = false;
        for _ in 0..rotation {
            let events = s.switch_client();
            assert_eq!(events.len(), 1);
            let SimEvent::EntityChanged(v) = &events[0] else {
                panic!("{events:?}")
            };
            assert!(
                v["CRM_ENTITY_ID"].is_u64(),
                "the event carries an integer id: {v}"
            );
            let Ok(CallEvent::EntityChanged(change)) = decode_entity_changed(v) else {
                panic!("{v}")
            };
            let status = decoded(&s);
            assert_eq!(status.entity, change.entity);
            match change.entity {
                Some(e) => {
                    assert_eq!(status.bindings, s.crm.bindings(e));
                    assert_eq!(status.bindings.last(), Some(&e));
                }
                None => assert!(status.bindings.is_empty()),
            }
            if change.phone == PhoneNumber::Unknown {
                unknown_number_seen = true;
                assert_eq!(v["PHONE_NUMBER"], "unknown");
                assert!(
                    s.status().get("PHONE_NUMBER").is_none(),
                    "getStatus leaves the key out"
                );
            } else {
                assert_eq!(change.phone, status.phone);
            }
            seen.push(change.entity);
        }
        for kind in [EntityKind::Contact, EntityKind::Company, EntityKind::Lead] {
            assert!(
                seen.iter().flatten().any(|e| e.kind == kind),
                "{kind:?} never shown"
            );
        }
        assert!(seen.contains(&None), "the unknown number never came");
        assert!(unknown_number_seen, "no client without a number");
        assert_eq!(decoded(&s).entity, start, "the rotation wraps around");

        // A switched-to contact brings its own deals and company.
        let mut s = sim("");
        s.switch_client();
        let status = decoded(&s);
        let contact = status.entity.unwrap();
        let company = item(&mut s, EntityKind::Contact, contact.id)["companyId"]
            .as_u64()
            .unwrap();
        assert!(
            status
                .bindings
                .contains(&EntityRef::new(EntityKind::Company, company))
        );
        assert!(status.bindings.iter().any(|b| b.kind == EntityKind::Deal));
    }
}
