//! Waiting for Bitrix24 inside its frame: what the page says while the portal's library loads
//! and `BX24.init` answers. Pure (host-tested); the browser side is `portal::start`.
//!
//! Inside a Bitrix24 frame the card never falls back to the demo: a slow portal is waited for as
//! long as it takes (an `init` that answers after 30 s still opens the real card), and only a
//! library that cannot start is an error, with Retry.

use crate::i18n::Lang;

/// When the page says what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTiming {
    /// "Waiting for Bitrix24…" appears after this long (a fast start does not flicker).
    pub show_after_ms: u32,
    /// … and adds that the portal has not answered yet after this long.
    pub still_after_ms: u32,
    /// No library at all after this long: an error with Retry (the wait goes on behind it).
    pub give_up_ms: u32,
}

impl Default for WaitTiming {
    fn default() -> Self {
        WaitTiming {
            show_after_ms: 1_000,
            still_after_ms: 10_000,
            give_up_ms: 15_000,
        }
    }
}

/// What `window.BX24` and the library's `<script>` say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// Not there yet (still loading, or no script at all).
    Absent,
    /// `BX24` is an object: its `init` can be called.
    Present,
    /// `BX24 === null`: the library ran and threw "Unable to initialize Bitrix24 JS library!"
    /// (it found no `DOMAIN|PROTOCOL|APP_SID` in `window.name`).
    Null,
    /// The library's `<script>` fired `error` (network, blocked, 4xx/5xx).
    LoadFailed,
}

/// Why the card cannot reach the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No library after [`WaitTiming::give_up_ms`].
    NotLoaded,
    /// The library's script failed to load.
    LoadError,
    /// The library threw while starting (`BX24 = null`).
    LibraryThrew,
    /// `BX24.init` itself threw.
    InitThrew,
}

impl Failure {
    /// The `data-reason` of the `portal-failed` hook.
    pub fn code(self) -> &'static str {
        match self {
            Failure::NotLoaded => "not-loaded",
            Failure::LoadError => "load-error",
            Failure::LibraryThrew => "library-threw",
            Failure::InitThrew => "init-threw",
        }
    }
}

/// What the page shows at one moment of the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The boot placeholder as it is ("Loading the call card…").
    Quiet,
    /// "Waiting for Bitrix24…".
    Waiting,
    /// "Waiting for Bitrix24…", and that the portal has not answered yet.
    StillWaiting,
    /// A readable error with Retry.
    Failed(Failure),
}

/// The view `elapsed_ms` into the wait (since the start or the last Retry), with the library in
/// state `lib` and `init_threw` when `BX24.init` threw. A slow `init` is never an error.
pub fn view(elapsed_ms: u32, lib: Library, init_threw: bool, t: &WaitTiming) -> View {
    let waiting = if elapsed_ms < t.show_after_ms {
        View::Quiet
    } else if elapsed_ms < t.still_after_ms {
        View::Waiting
    } else {
        View::StillWaiting
    };
    match lib {
        Library::Present if init_threw => View::Failed(Failure::InitThrew),
        Library::Present => waiting,
        Library::Null => View::Failed(Failure::LibraryThrew),
        Library::LoadFailed => View::Failed(Failure::LoadError),
        Library::Absent if elapsed_ms >= t.give_up_ms => View::Failed(Failure::NotLoaded),
        Library::Absent => waiting,
    }
}

/// The language of the page before the portal has said it: the `LANG` parameter the portal puts
/// in the handler URL (`?DOMAIN=…&LANG=ru&…`), else the browser's language (`ru-RU`).
pub fn start_lang(query: &str, browser_lang: &str) -> Lang {
    let from_query = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("LANG="))
        .filter(|v| !v.is_empty());
    let code = from_query.unwrap_or(browser_lang);
    Lang::from_bitrix(code.split(['-', '_']).next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: WaitTiming = WaitTiming {
        show_after_ms: 1_000,
        still_after_ms: 10_000,
        give_up_ms: 15_000,
    };

    #[test]
    fn a_fast_start_shows_nothing_then_waiting_appears_after_a_second() {
        for lib in [Library::Absent, Library::Present] {
            assert_eq!(view(0, lib, false, &TIMING), View::Quiet);
            assert_eq!(view(999, lib, false, &TIMING), View::Quiet);
            assert_eq!(view(1_000, lib, false, &TIMING), View::Waiting);
            assert_eq!(view(9_999, lib, false, &TIMING), View::Waiting);
            assert_eq!(view(10_000, lib, false, &TIMING), View::StillWaiting);
        }
    }

    #[test]
    fn a_slow_init_is_waited_for_forever_never_an_error() {
        for ms in [15_000, 30_000, 600_000, u32::MAX] {
            assert_eq!(
                view(ms, Library::Present, false, &TIMING),
                View::StillWaiting,
                "{ms}"
            );
        }
    }

    #[test]
    fn no_library_is_an_error_only_after_the_give_up_time() {
        assert_eq!(
            view(14_999, Library::Absent, false, &TIMING),
            View::StillWaiting
        );
        assert_eq!(
            view(15_000, Library::Absent, false, &TIMING),
            View::Failed(Failure::NotLoaded)
        );
        // A library that arrives late is waited for again.
        assert_eq!(
            view(40_000, Library::Present, false, &TIMING),
            View::StillWaiting
        );
    }

    #[test]
    fn a_library_that_failed_is_an_error_at_once() {
        assert_eq!(
            view(0, Library::LoadFailed, false, &TIMING),
            View::Failed(Failure::LoadError)
        );
        assert_eq!(
            view(0, Library::Null, false, &TIMING),
            View::Failed(Failure::LibraryThrew)
        );
        assert_eq!(
            view(0, Library::Present, true, &TIMING),
            View::Failed(Failure::InitThrew)
        );
        let codes: Vec<_> = [
            Failure::NotLoaded,
            Failure::LoadError,
            Failure::LibraryThrew,
            Failure::InitThrew,
        ]
        .iter()
        .map(|f| f.code())
        .collect();
        assert_eq!(
            codes,
            ["not-loaded", "load-error", "library-threw", "init-threw"]
        );
    }

    #[test]
    fn the_language_comes_from_lang_then_the_browser() {
        let q = "?DOMAIN=p.bitrix24.ru&PROTOCOL=1&LANG=ru&APP_SID=x";
        assert_eq!(start_lang(q, "en-US"), Lang::Ru);
        assert_eq!(start_lang("?DOMAIN=a&LANG=en", "ru-RU"), Lang::En);
        assert_eq!(start_lang("?LANG=ua", "en"), Lang::Ru);
        assert_eq!(start_lang("?LANG=de", "ru"), Lang::En);
        assert_eq!(start_lang("", "ru-RU"), Lang::Ru);
        assert_eq!(start_lang("?LANG=", "ru_RU"), Lang::Ru);
        assert_eq!(start_lang("?XLANG=ru", "en-GB"), Lang::En);
        assert_eq!(start_lang("", ""), Lang::En);
    }
}
