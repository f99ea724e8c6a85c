//! The campaign's writes outside campaign mode: adding or removing the client the lists view
//! was built for, and a new list. Nothing is sent unless the read it is built from is provably the
//! whole list; an outcome that is unknown is read back, never sent again.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{CampaignState, error_text, items_of, pagers, reads_of};
use callcard_core::campaign::flow;
use callcard_core::campaign::{self, CallList, Intent, ListRead, Refusal};
use callcard_core::i18n::{Text, tr};
use callcard_core::model::EntityRef;
use callcard_core::rest::limiter::Priority;

/// Why a write was not made.
enum Failure {
    Refused(Refusal),
    /// A request failed: its readable text.
    Error(&'static str),
}

impl CampaignState {
    /// Adds (`add`) or removes the client the lists view was built for in list `id`. Nothing is
    /// sent unless the read is provably the whole list (see [`ListRead::complete`]), the list
    /// has not changed since it was shown, and the list and client are of one kind; one write
    /// at a time. After the write the lists are read again and anything but the intended change
    /// is reported (never restored). A timed-out write is checked by a read, never re-sent.
    pub fn change(self, id: u64, add: bool) {
        if self.ui.with_untracked(|u| u.busy) {
            return;
        }
        let Some(list) = self
            .ui
            .with_untracked(|u| u.lists.iter().find(|l| l.id == id).cloned())
        else {
            return;
        };
        let Some((client, shown)) = self.inner.with_value(|i| {
            i.shown.as_ref().map(|s| {
                let read = s
                    .reads
                    .iter()
                    .find(|(l, _)| *l == id)
                    .map(|(_, r)| r.clone());
                (s.client, read)
            })
        }) else {
            return;
        };
        let Some(shown) = shown else { return };
        self.set_busy(true, None);
        spawn_local(async move {
            let lang = self.lang();
            let now = self.status().get_untracked();
            if now.entity != Some(client) {
                // Bound to the client the rows were shown for: a switched card is not it.
                let r = Refusal::ClientChanged;
                self.reload_with_note(Some((r.code(), tr(lang, r.text_key()))))
                    .await;
                return;
            }
            let note = match self.write(&list, client, &shown, add).await {
                Ok(sent) => {
                    // Read again (the view's own read) and compare with what was sent.
                    let g = self.next_generation();
                    let view = self.lists_view(&now).await;
                    let after = self.inner.with_value(|i| {
                        i.shown.as_ref().and_then(|s| {
                            s.reads
                                .iter()
                                .find(|(l, _)| *l == id)
                                .map(|(_, r)| r.clone())
                        })
                    });
                    if self.current(g) {
                        self.set_view(view);
                    }
                    match after {
                        Some(r) if !campaign::compare_after_write(&sent, &r).is_clean() => {
                            Some(("others", tr(lang, Text::ListChangedByOthers)))
                        }
                        _ => None,
                    }
                }
                Err(Failure::Refused(Refusal::ChangedSinceShown)) => {
                    let r = Refusal::ChangedSinceShown;
                    self.reload_with_note(Some((r.code(), tr(lang, r.text_key()))))
                        .await;
                    return;
                }
                Err(Failure::Refused(r)) => Some((r.code(), tr(lang, r.text_key()))),
                Err(Failure::Error(text)) => Some(("error", text)),
            };
            self.set_busy(false, note);
        });
    }

    /// Rebuilds the lists view for the card's client now, then shows `note`.
    async fn reload_with_note(&self, note: Option<(&'static str, &'static str)>) {
        let g = self.next_generation();
        let status = self.status().get_untracked();
        let view = self.lists_view(&status).await;
        if self.current(g) {
            self.set_view(view);
        }
        self.set_busy(false, note);
    }

    /// The write itself: checks, the update, and the read-back after a timeout. Returns the set
    /// sent. `shown` is the read the view was built from.
    async fn write(
        &self,
        list: &CallList,
        client: EntityRef,
        shown: &ListRead,
        add: bool,
    ) -> Result<Vec<u64>, Failure> {
        let lang = self.lang();
        let admin = self.portal().is_admin();
        let intent = Intent { client, add };
        // What the view was built from must already be provably whole: else no request at all.
        let before = shown.complete(admin).map_err(Failure::Refused)?;
        campaign::plan_update(list, &before, intent).map_err(Failure::Refused)?;
        // A fresh read: the set is built from the list as it is now, and it must be the list
        // that was shown (another operator may have changed it meanwhile).
        let fresh = self
            .load_more(pagers(&[list.id]), false)
            .await
            .map(|v| reads_of(v).pop().map(|(_, r)| r).unwrap_or_default())
            .map_err(|e| Failure::Error(error_text(&e, lang)))?;
        if campaign::changed_between(shown, &fresh) {
            return Err(Failure::Refused(Refusal::ChangedSinceShown));
        }
        let complete = fresh.complete(admin).map_err(Failure::Refused)?;
        let wanted = campaign::plan_update(list, &complete, intent).map_err(Failure::Refused)?;
        let (m, p) = campaign::update_params(list, &wanted, list.webform_id)
            .map_err(|r| Failure::Error(tr(lang, campaign::error_text_key(r.code()))))?;
        match self.client().call(m, &p, Priority::Interactive).await {
            Ok(_) => Ok(wanted),
            Err(e) if flow::read_back_needed(&e) => {
                // The outcome is unknown: read the list back and compare.
                let now = self
                    .load_more(pagers(&[list.id]), false)
                    .await
                    .map(|v| reads_of(v).pop().map(|(_, r)| r).unwrap_or_default())
                    .map_err(|_| Failure::Error(error_text(&e, lang)))?;
                if campaign::took_effect_update(&wanted, &now.items) {
                    Ok(wanted)
                } else {
                    Err(Failure::Error(error_text(&e, lang)))
                }
            }
            Err(e) => Err(Failure::Error(error_text(&e, lang))),
        }
    }

    /// A new list from the client and the contacts/companies among its bindings.
    pub fn create(self) {
        if self.ui.with_untracked(|u| u.busy) {
            return;
        }
        let status = self.status().get_untracked();
        let Some(client) = status.entity else { return };
        let lang = self.lang();
        let plan = match campaign::add_params(client, &status.other_bindings()) {
            Ok(p) => p,
            Err(r) => {
                self.set_busy(
                    false,
                    Some(("error", tr(lang, campaign::error_text_key(r.code())))),
                );
                return;
            }
        };
        self.set_busy(true, None);
        spawn_local(async move {
            let newest_before = self
                .ui
                .with_untracked(|u| u.lists.iter().map(|l| l.id).max());
            let (m, p) = plan.command.clone();
            let got = self.client().call(m, &p, Priority::Interactive).await;
            let note = match got {
                Ok(a) => campaign::decode_added(&a.result)
                    .map(|_| None)
                    .unwrap_or(None),
                Err(e) if flow::read_back_needed(&e) => {
                    // Unknown outcome: look for the list before saying anything.
                    self.forget_me();
                    let found = match self.ensure_base().await {
                        Ok(()) => {
                            let lists = self.lists_now();
                            let ids = flow::lists_after(&lists, newest_before);
                            let items = self.load_more(pagers(&ids), true).await;
                            match (items.map(items_of), self.me()) {
                                (Ok(items), Some(me)) => campaign::took_effect_add(
                                    &lists,
                                    &items,
                                    plan.kind,
                                    me,
                                    &plan.entities,
                                    newest_before,
                                ),
                                _ => None,
                            }
                        }
                        Err(_) => None,
                    };
                    found.map_or(Some(("error", error_text(&e, lang))), |_| None)
                }
                Err(e) => Some(("error", error_text(&e, lang))),
            };
            self.set_busy(false, note);
            // The new list joins the user's lists.
            self.forget_me();
            self.load_lists();
        });
    }
}
