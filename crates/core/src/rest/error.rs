//! What a REST call can answer, and what each failure means for the operator.

use serde_json::Value;
use thiserror::Error;

use crate::model::value::{DecodeError, value_u64};

/// A successful answer: `result` plus the paging and timing envelope.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestAnswer {
    pub result: Value,
    /// `next`: the `start` of the following page, when there is one.
    pub next: Option<u64>,
    /// `total`: absent with `start=-1`.
    pub total: Option<u64>,
    /// The `time` object, as sent (fields vary by method).
    pub time: Option<Value>,
}

impl RestAnswer {
    /// Reads a whole response body `{result, next, total, time}`.
    pub fn from_body(body: &Value) -> RestAnswer {
        RestAnswer {
            result: body.get("result").cloned().unwrap_or(Value::Null),
            next: body.get("next").and_then(|v| value_u64(v).ok().flatten()),
            total: body.get("total").and_then(|v| value_u64(v).ok().flatten()),
            time: body.get("time").cloned(),
        }
    }
}

/// Why a REST call did not give a result.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RestError {
    /// The portal answered with an error body.
    #[error("{code} ({status})")]
    Api {
        status: u16,
        code: String,
        description: String,
    },
    /// No answer in time. The classic library never calls back on HTTP 5xx, so this is also how
    /// a 503 storm or a dropped connection looks from inside the frame.
    #[error("no answer from {method} within {after_ms} ms")]
    Timeout { method: String, after_ms: u32 },
    /// The library itself failed (missing, threw synchronously).
    #[error("the Bitrix24 library failed: {0}")]
    Library(String),
    /// The answer arrived but could not be read.
    #[error("unreadable answer: {0}")]
    Decode(#[from] DecodeError),
    /// Nobody wants the answer any more (a newer event asked for newer data): not retried.
    #[error("superseded by a newer request")]
    Superseded,
}

/// What the card does about an error, and what it tells the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Too many requests: wait and retry.
    RateLimited,
    /// The method spent its server-time budget: wait until the window resets.
    OperationLimit,
    /// The token expired: refresh once, then retry.
    Auth,
    /// The user or app may not see this: never retry.
    AccessDenied,
    /// The item is gone or never existed.
    NotFound,
    /// The request itself was wrong: a bug on our side, never retry.
    Argument,
    /// The portal failed or did not answer: retry with backoff.
    Unavailable,
}

impl ErrorClass {
    /// The class's name, for log lines (no `Debug` formatting in the build).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::RateLimited => "RateLimited",
            ErrorClass::OperationLimit => "OperationLimit",
            ErrorClass::Auth => "Auth",
            ErrorClass::AccessDenied => "AccessDenied",
            ErrorClass::NotFound => "NotFound",
            ErrorClass::Argument => "Argument",
            ErrorClass::Unavailable => "Unavailable",
        }
    }
}

impl RestError {
    /// The machine code, when the portal sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            RestError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Classifies by code first, then by HTTP status.
    pub fn class(&self) -> ErrorClass {
        match self {
            RestError::Timeout { .. } | RestError::Library(_) => ErrorClass::Unavailable,
            RestError::Decode(_) | RestError::Superseded => ErrorClass::Unavailable,
            RestError::Api { status, code, .. } => classify(*status, code),
        }
    }

    /// Reads an error body `{error, error_description}` with its HTTP status.
    pub fn from_body(status: u16, body: &Value) -> RestError {
        let code = match body.get("error") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("HTTP_{status}"),
        };
        let description = body
            .get("error_description")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        RestError::Api {
            status,
            code,
            description,
        }
    }
}

/// The error table: documented codes first (the REST error codes and the
/// `crm.calllist.*` ones),
/// then the HTTP status for anything unknown.
pub fn classify(status: u16, code: &str) -> ErrorClass {
    match code {
        "QUERY_LIMIT_EXCEEDED" => ErrorClass::RateLimited,
        "OPERATION_TIME_LIMIT" => ErrorClass::OperationLimit,
        "expired_token" | "invalid_token" => ErrorClass::Auth,
        "NO_AUTH_FOUND"
        | "insufficient_scope"
        | "ACCESS_DENIED"
        | "INVALID_CREDENTIALS"
        | "user_access_error"
        | "WRONG_AUTH_TYPE"
        | "ACCESS_ERROR"
        | "INVALID_REQUEST"
        | "PAYMENT_REQUIRED" => ErrorClass::AccessDenied,
        "NOT_FOUND" | "ERROR_ENTITY_NOT_FOUND" | "LIST_ID_ERROR" | "ERROR_PLACEMENT_NOT_FOUND" => {
            ErrorClass::NotFound
        }
        "ERROR_ARGUMENT"
        | "ERROR_CORE"
        | "100"
        | "ERROR_BATCH_LENGTH_EXCEEDED"
        | "ERROR_BATCH_METHOD_NOT_ALLOWED"
        | "ENTITY_TYPE_ERROR"
        | "ENTITIES_ERROR"
        | "ENTITY_ERROR"
        | "WEBFORM_ERROR"
        | "STATUS_ERROR"
        | "ERROR_PLACEMENT_USER_MODE"
        | "ERROR_MANIFEST_IS_NOT_AVAILABLE" => ErrorClass::Argument,
        "OVERLOAD_LIMIT"
        | "INTERNAL_SERVER_ERROR"
        | "ERROR_UNEXPECTED_ANSWER"
        | "PORTAL_DELETED" => ErrorClass::Unavailable,
        _ => match status {
            401 => ErrorClass::Auth,
            403 => ErrorClass::AccessDenied,
            404 => ErrorClass::NotFound,
            429 => ErrorClass::OperationLimit,
            500..=599 | 0 => ErrorClass::Unavailable,
            _ => ErrorClass::Argument,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_codes_have_classes() {
        let cases = [
            (503, "QUERY_LIMIT_EXCEEDED", ErrorClass::RateLimited),
            (429, "OPERATION_TIME_LIMIT", ErrorClass::OperationLimit),
            (503, "OVERLOAD_LIMIT", ErrorClass::Unavailable),
            (401, "expired_token", ErrorClass::Auth),
            (401, "invalid_token", ErrorClass::Auth),
            (401, "NO_AUTH_FOUND", ErrorClass::AccessDenied),
            (403, "insufficient_scope", ErrorClass::AccessDenied),
            (403, "ACCESS_DENIED", ErrorClass::AccessDenied),
            (403, "WRONG_AUTH_TYPE", ErrorClass::AccessDenied),
            (400, "ERROR_BATCH_LENGTH_EXCEEDED", ErrorClass::Argument),
            (405, "ERROR_BATCH_METHOD_NOT_ALLOWED", ErrorClass::Argument),
            (500, "INTERNAL_SERVER_ERROR", ErrorClass::Unavailable),
            (400, "NOT_FOUND", ErrorClass::NotFound),
            (400, "ERROR_ARGUMENT", ErrorClass::Argument),
            (403, "ACCESS_ERROR", ErrorClass::AccessDenied),
            (400, "LIST_ID_ERROR", ErrorClass::NotFound),
            (502, "SOMETHING_NEW", ErrorClass::Unavailable),
            (403, "SOMETHING_NEW", ErrorClass::AccessDenied),
        ];
        for (status, code, class) in cases {
            assert_eq!(classify(status, code), class, "{code}");
        }
        assert_eq!(
            RestError::Timeout {
                method: "x".into(),
                after_ms: 1
            }
            .class(),
            ErrorClass::Unavailable
        );
    }

    #[test]
    fn error_body_and_answer_envelope() {
        let e = RestError::from_body(
            400,
            &json!({"error": "ERROR_ARGUMENT", "error_description": "ID is not found"}),
        );
        assert_eq!(e.code(), Some("ERROR_ARGUMENT"));
        let e = RestError::from_body(502, &json!("<html>"));
        assert_eq!(e.code(), Some("HTTP_502"));
        let a = RestAnswer::from_body(
            &json!({"result": [1], "next": 50, "total": "120", "time": {"operating": 0.1}}),
        );
        assert_eq!((a.next, a.total), (Some(50), Some(120)));
    }

    #[test]
    fn display_never_contains_the_description() {
        // Descriptions are "not for end users" and may echo request data; the display is code + status only.
        let e = RestError::Api {
            status: 400,
            code: "ERROR_CORE".into(),
            description: "auth=secret-token".into(),
        };
        assert!(!e.to_string().contains("secret"));
    }
}
