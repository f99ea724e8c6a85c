//! Test fixtures the wrap-up's test modules share: the portal's zone, a moment, a contact, call facts.

use crate::rest::batch::BatchAnswer;
use crate::rest::{RestAnswer, RestError};
use serde_json::Value;

pub(crate) const MSK: i32 = 180;
/// 2026-12-01 11:48:42 UTC (14:48:42 in Moscow).
pub(crate) const NOW: i64 = 1_796_125_722;

pub(crate) fn answer(
    results: Vec<(&str, Value)>,
    errors: Vec<(&str, RestError)>,
) -> Result<BatchAnswer, RestError> {
    Ok(BatchAnswer {
        results: results
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    RestAnswer {
                        result: v,
                        next: None,
                        total: None,
                        time: None,
                    },
                )
            })
            .collect(),
        errors: errors
            .into_iter()
            .map(|(k, e)| (k.to_string(), e))
            .collect(),
    })
}
