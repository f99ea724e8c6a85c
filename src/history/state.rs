//! The history in the browser: its first page arrives in the card's refresh batch (planned and
//! decoded by `callcard_core::refresh`, kept in the card's data beside the client it belongs
//! to, since the last-contact line reads it too); this context reads it again when a call has
//! ended or a note was saved, and appends "show more" pages. Each read is dropped if the card
//! moved to another client meanwhile.
//!
//! A context of its own ([`HistoryState`], provided by `App`) holding a narrow handle of what it
//! needs from the card ([`HistoryNeeds`]); it follows the call through [`CallFollower`].

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::store::{CallFollower, Freshness};
use callcard_core::call::CallStatus;
use callcard_core::generation::Ticket;
use callcard_core::model::EntityRef;
use callcard_core::refresh::{self, CardData};
use callcard_core::rest::batch::Batch;
use callcard_core::rest::client::RestClient;
use callcard_core::rest::limiter::Priority;
use callcard_core::rest::{BatchAnswer, RestError};

/// After a call ends the portal files its activity; the history is read again this much later.
const HISTORY_AFTER_CALL_MS: u32 = 1_200;

/// What the history needs from the card: the narrowest handle (no store).
#[derive(Clone)]
pub struct HistoryNeeds {
    /// The call the card shows (read only): whose history.
    pub status: ReadSignal<CallStatus>,
    /// The card's data, whose `history` part this context replaces or extends (nothing else).
    pub data: RwSignal<Option<CardData>>,
    /// The frame's one REST client.
    pub client: Rc<RestClient>,
    /// Whether the card still shows what a read was asked for.
    pub fresh: Freshness,
    /// New pages may name users the card does not know yet: it looks them up.
    pub learned: Rc<dyn Fn()>,
    /// A "show more" that failed: the card's error banner says why.
    pub failed: Rc<dyn Fn(RestError)>,
    /// After the reload that follows a call's end, the features that follow a refresh follow it
    /// too (the campaign's progress).
    pub after_reload: Rc<dyn Fn()>,
}

/// The history's state: a small `Copy` handle, provided as a context of its own by `App`.
#[derive(Clone, Copy)]
pub struct HistoryState {
    /// "Show more" is loading (views read it through [`HistoryState::busy`]).
    busy: RwSignal<bool>,
    needs: StoredValue<HistoryNeeds, LocalStorage>,
}

/// The history provided by `App`.
pub fn use_history() -> HistoryState {
    expect_context::<HistoryState>()
}

impl HistoryState {
    pub fn new(needs: HistoryNeeds) -> HistoryState {
        HistoryState {
            busy: RwSignal::new(false),
            needs: StoredValue::new_local(needs),
        }
    }

    /// What the card gave (none once the card is gone: a late answer touches nothing).
    fn needs(&self) -> Option<HistoryNeeds> {
        self.needs.try_get_value()
    }

    /// Whether "show more" is loading (tracked).
    pub fn busy(&self) -> bool {
        self.busy.get()
    }

    /// Whether "show more" is loading (untracked).
    pub fn busy_now(&self) -> bool {
        self.busy.get_untracked()
    }

    /// The history again now (a note or a to-do was saved): it shows without a refresh.
    pub fn reload_now(self) {
        spawn_local(async move {
            self.reload().await;
        });
    }

    /// What a read needs now: the card's handle, its generation and the client shown (none
    /// once the card is gone, or without a client).
    fn asking(&self) -> Option<(HistoryNeeds, Ticket, EntityRef)> {
        let n = self.needs()?;
        let generation = n.fresh.current()?;
        let entity = n.status.get_untracked().entity?;
        Some((n, generation, entity))
    }

    /// One batch for the history, given up once the card shows another client; `None` then.
    async fn read(
        n: &HistoryNeeds,
        batch: &Batch,
        generation: Ticket,
    ) -> Option<Result<BatchAnswer, RestError>> {
        let fresh = n.fresh;
        let got = n
            .client
            .batch_while(batch, Priority::Interactive, &|| {
                fresh.is_current(generation)
            })
            .await;
        fresh.is_current(generation).then_some(got)
    }

    /// The first page of the history again, in place.
    async fn reload(self) {
        let Some((n, generation, entity)) = self.asking() else {
            return;
        };
        let batch = refresh::history_batch(entity);
        if let Some(Ok(answer)) = Self::read(&n, &batch, generation).await {
            let history = refresh::decode_history(&answer);
            n.data.update(|d| {
                if let Some(d) = d {
                    d.history = Some(history);
                }
            });
            (n.learned)();
        }
    }

    /// "Show more": the next history page, appended; dropped if the client changed meanwhile.
    pub fn more(self) {
        let Some((n, generation, entity)) = self.asking() else {
            return;
        };
        let (cursor, comment_start) = n
            .data
            .with_untracked(|d| {
                d.as_ref()
                    .and_then(|d| d.history.as_ref())
                    .and_then(|h| h.as_ref().ok())
                    .map(|t| (t.next_cursor(), t.next_comment_start()))
            })
            .unwrap_or_default();
        let batch = refresh::more_batch(entity, cursor, comment_start);
        if batch.is_empty() || self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            let got = Self::read(&n, &batch, generation).await;
            self.busy.try_set(false);
            let Some(got) = got else {
                return;
            };
            let got = got.and_then(|answer| {
                let page = match cursor {
                    Some(_) => Some(refresh::decode_history_page(&answer)?),
                    None => None,
                };
                Ok((page, refresh::decode_comment_page(&answer)))
            });
            match got {
                Ok((page, comments)) => {
                    n.data.update(|d| {
                        if let Some(Some(Ok(t))) = d.as_mut().map(|d| d.history.as_mut()) {
                            if let Some((page, stats)) = page {
                                t.append_page(page, stats);
                            }
                            if comment_start.is_some() {
                                t.take_comments(comments);
                            }
                        }
                    });
                    (n.learned)();
                }
                Err(RestError::Superseded) => {}
                Err(e) => (n.failed)(e),
            }
        });
    }
}

/// The history follows the call: once a call is over (answered or not), its activity joins the
/// history, read again a moment later.
impl CallFollower for HistoryState {
    fn call_over(&self) {
        let this = *self;
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(HISTORY_AFTER_CALL_MS).await;
            this.reload().await;
            if let Some(n) = this.needs() {
                (n.after_reload)();
            }
        });
    }
}
