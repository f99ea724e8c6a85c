//! The app's port to Bitrix24: one [`Portal`] interface, two implementations — the real portal
//! (the app's `frame::bx24`) and the simulated demo portal (the app's `frame::demo_portal`
//! over the `callcard-sim` crate).

use std::rc::Rc;

use serde_json::Value;
use thiserror::Error;

use crate::call::{CallEvent, CallStatus};
use crate::model::DecodeError;
use crate::rest::transport::Transport;
use crate::rest::{RestAnswer, RestError};

pub mod wait;

pub use crate::rest::transport::Fut;

/// Where `CallCard::*` events are delivered.
pub type EventSink = Rc<dyn Fn(CallEvent)>;

/// Where the app was opened: `CALL_CARD`, or `DEFAULT` (the app's own page, install/settings).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub name: String,
    /// `PLACEMENT_OPTIONS` as the library parsed it (values are strings).
    pub options: Value,
}

impl Placement {
    pub fn is_call_card(&self) -> bool {
        self.name == "CALL_CARD"
    }
}

/// Why a placement command failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PortalError {
    #[error("the call card did not answer within {0} ms")]
    Timeout(u32),
    #[error("the Bitrix24 library failed: {0}")]
    Library(String),
    #[error("the call card refused: {0}")]
    Refused(String),
    #[error("unreadable call status: {0}")]
    Decode(DecodeError),
}

impl PortalError {
    /// A line for the console: the kind and a code, never a library message (which may quote a
    /// request with its `auth=` token).
    pub fn describe_for_log(&self) -> String {
        match self {
            PortalError::Timeout(ms) => format!("no answer within {ms} ms"),
            PortalError::Library(_) => "library failure".into(),
            PortalError::Refused(code) => {
                let safe: String = code
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'))
                    .take(48)
                    .collect();
                format!("refused: {safe}")
            }
            PortalError::Decode(_) => "unreadable call status".into(),
        }
    }
}

/// Everything the app needs from a portal. Implemented by the real `BX24` wrapper and the demo.
/// Every portal is the REST client's [`Transport`] (the impl below): [`Portal::call`] and
/// [`Portal::refresh_auth`].
pub trait Portal: Transport {
    /// The placement snapshot taken when the tab opened.
    fn placement(&self) -> Placement;
    /// The portal's language code (`ru`, `en`, `ua`, …).
    fn lang(&self) -> String;
    /// Whether the current user administers the portal.
    fn is_admin(&self) -> bool;
    /// `getStatus`: the live call.
    fn get_status(&self) -> Fut<'_, Result<CallStatus, PortalError>>;
    /// Delivers `CallCard::*` events to `sink`. Binds each event once, however often it is called.
    fn subscribe(&self, sink: EventSink);
    /// One REST request.
    fn call(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>>;
    /// Asks the portal for a fresh access token (`BX24.refreshAuth`). The token itself never
    /// leaves the library.
    fn refresh_auth(&self) -> Fut<'_, Result<(), PortalError>>;
    /// `disableAutoClose` / `enableAutoClose`.
    fn set_auto_close(&self, enabled: bool) -> Fut<'_, Result<(), PortalError>>;
    /// Lets the frame follow the content's height.
    fn fit_window(&self);
    /// Opens a portal path in the slider.
    fn open_path(&self, path: &str);
    /// Ends the installation (a no-op outside it).
    fn install_finish(&self);
    /// Whether this is the demo portal (its kept values live in a namespace of their own).
    fn is_demo(&self) -> bool {
        false
    }
    /// A per-user option kept by the portal.
    fn user_option(&self, name: &str) -> Option<String>;
    fn set_user_option(&self, name: &str, value: &str);
    /// An app option (`BX24.appOption.get`): the app's settings, the same for every user.
    fn app_option(&self, _name: &str) -> Option<String> {
        None
    }
    /// `BX24.appOption.set` (administrators only; the portal ignores anyone else): resolves
    /// when the portal confirms.
    fn set_app_option(&self, _name: &str, _value: &str) -> Fut<'_, Result<(), PortalError>> {
        Box::pin(async { Err(PortalError::Refused("appOption".into())) })
    }
}

/// The REST client's view of a portal: its request and its token refresh.
impl<P: Portal + ?Sized> Transport for P {
    fn send(&self, method: &str, params: &Value) -> Fut<'_, Result<RestAnswer, RestError>> {
        self.call(method, params)
    }

    fn renew_token(&self) -> Fut<'_, Result<(), String>> {
        Box::pin(async move { self.refresh_auth().await.map_err(|e| e.describe_for_log()) })
    }
}
