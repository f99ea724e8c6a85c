//! Texts the generated CRM is written in, one per language: `[english, russian]`, picked by
//! the core's [`Lang`].

use callcard_core::i18n::Lang;

/// A text in both languages: `[english, russian]`.
pub(crate) type Text = [&'static str; 2];

/// Picks the text of a language.
pub(crate) trait Pick {
    fn pick(self, text: Text) -> &'static str;
}

impl Pick for Lang {
    fn pick(self, text: Text) -> &'static str {
        match self {
            Lang::En => text[0],
            Lang::Ru => text[1],
        }
    }
}
