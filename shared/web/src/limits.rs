//! Rate limits per source address for public endpoints (the complaint intake): a keyed GCRA
//! limiter (governor) held by the service, answering 429 with `Retry-After` beyond its quota.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// `per_hour` requests from one address per hour, in a burst of up to that many.
#[derive(Clone)]
pub struct PerAddress {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    code: &'static str,
}

impl PerAddress {
    pub fn per_hour(per_hour: u32, code: &'static str) -> Self {
        let n = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(Quota::per_hour(n))),
            code,
        }
    }

    /// Takes one request from the caller's address, or refuses with 429 and how long to wait.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(ip) = req.peer_addr().map(|a| a.ip()) else {
            return Ok(());
        };
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs().max(1);
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                self.code,
                format!("too many requests from your address; try again in {secs} seconds"),
            )
            .with_retry_after(secs)
        })
    }
}

/// The limits a service holds, shared by its workers.
#[derive(Clone)]
pub struct Limits {
    /// New complaints from one address (`complaints.intake_per_hour`).
    pub complaint_intake: PerAddress,
}

impl Limits {
    pub fn from_settings(settings: &frt_cases::config::Settings) -> Self {
        Self {
            complaint_intake: PerAddress::per_hour(
                settings.complaints.intake_per_hour,
                "complaint.too_many_complaints",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn an_address_over_its_quota_waits_and_others_do_not() {
        let limit = PerAddress::per_hour(2, "test.too_many");
        let a = TestRequest::default()
            .peer_addr("10.0.0.1:1000".parse().expect("addr"))
            .to_http_request();
        let b = TestRequest::default()
            .peer_addr("10.0.0.2:1000".parse().expect("addr"))
            .to_http_request();
        assert!(limit.check(&a).is_ok());
        assert!(limit.check(&a).is_ok());
        let refused = limit.check(&a).expect_err("third within the hour");
        assert_eq!(refused.status().as_u16(), 429);
        assert_eq!(refused.code(), "test.too_many");
        assert!(limit.check(&b).is_ok());
    }
}
