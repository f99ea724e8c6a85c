//! Client-side rate limiting: a leaky bucket that mirrors the portal's own (Bitrix24 limits
//! each app per portal with a leaky bucket of its own: a burst, then a steady drain), with
//! a reserve that background work leaves to what the operator is waiting for. (The queueing
//! itself is the REST client's: `rest::client` waits for a slot, background after interactive.)
//!
//! Everything is driven by an explicit virtual clock (`now_ms`): no timers and no `Instant`, so
//! the behaviour is the same on the host, in tests and in the browser, and every wait is exact.
//!
//! Why a bucket of our own when the portal already has one: the portal answers an overflow with
//! HTTP 503, and the classic library (`BX24.callMethod`) *throws* on 5xx and never calls back. A request that
//! overflows the server bucket therefore looks like a hang. Not overflowing it is the only
//! reliable way to get answers.

/// Tolerance for float drift in the bucket level (a thousandth of a request).
const EPS: f64 = 1e-9;

/// Two 503s within this window count as "repeated" and lower the drain rate.
pub const RATE_LIMIT_WINDOW_MS: f64 = 30_000.0;
/// Each repeated 503 multiplies the effective drain by this factor...
pub const LOWER_FACTOR: f64 = 0.75;
/// ...but never below this share of the configured drain (the bucket must keep moving).
pub const MIN_DRAIN_SHARE: f64 = 0.75;
/// After this many successes in a row the effective drain climbs back by [`RESTORE_STEP_SHARE`].
pub const RESTORE_EVERY: u32 = 10;
/// One restore step, as a share of the configured drain.
pub const RESTORE_STEP_SHARE: f64 = 0.1;
/// Share of the burst that background requests leave free, so that a background sweep can never
/// make the operator's next click wait for the whole bucket to drain.
pub const BACKGROUND_RESERVE_SHARE: f64 = 0.1;

/// The portal's bucket: `burst` requests may be sent at once; the counter drains by
/// `drain_per_sec` (the documented figures: a burst of 50 and 2 per second on standard plans,
/// [`LimiterConfig::standard`]; more on enterprise ones, [`LimiterConfig::enterprise`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterConfig {
    pub burst: f64,
    pub drain_per_sec: f64,
}

impl LimiterConfig {
    /// All plans except Enterprise: X = 50, Y = 2/s.
    pub fn standard() -> LimiterConfig {
        LimiterConfig {
            burst: 50.0,
            drain_per_sec: 2.0,
        }
    }

    /// Enterprise: X = 250, Y = 5/s.
    pub fn enterprise() -> LimiterConfig {
        LimiterConfig {
            burst: 250.0,
            drain_per_sec: 5.0,
        }
    }
}

impl Default for LimiterConfig {
    fn default() -> LimiterConfig {
        LimiterConfig::standard()
    }
}

/// Which queue a request waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The operator is looking at a spinner (card open, client lookup, a click).
    Interactive,
    /// Prefetch, list sweeps, refreshes nobody is waiting for.
    Background,
}

/// A leaky bucket on a virtual clock. `level` is how many requests the server still remembers.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyBucket {
    config: LimiterConfig,
    level: f64,
    last_ms: f64,
    /// The drain we currently believe in: the configured one, lowered after repeated 503s.
    drain: f64,
    last_rate_limited_ms: Option<f64>,
    successes: u32,
}

impl LeakyBucket {
    /// An empty bucket (a fresh page has sent nothing yet).
    pub fn new(config: LimiterConfig) -> LeakyBucket {
        LeakyBucket {
            config,
            level: 0.0,
            last_ms: f64::NEG_INFINITY,
            drain: config.drain_per_sec,
            last_rate_limited_ms: None,
            successes: 0,
        }
    }

    pub fn config(&self) -> LimiterConfig {
        self.config
    }

    /// The drain rate in use now (requests per second); lower than configured after 503s.
    pub fn drain_per_sec(&self) -> f64 {
        self.drain
    }

    /// How many requests the bucket holds at `now_ms`.
    pub fn level(&mut self, now_ms: f64) -> f64 {
        self.leak(now_ms);
        self.level
    }

    /// Lets the bucket drain up to `now_ms`. A clock that goes backwards is ignored rather than
    /// refilling the bucket.
    fn leak(&mut self, now_ms: f64) {
        if self.last_ms.is_finite() && now_ms > self.last_ms {
            self.level = (self.level - (now_ms - self.last_ms) * self.drain / 1000.0).max(0.0);
        }
        if !self.last_ms.is_finite() || now_ms > self.last_ms {
            self.last_ms = now_ms;
        }
    }

    /// An interactive request: Ok consumes one slot; Err is the exact wait in ms until one fits.
    pub fn acquire(&mut self, now_ms: f64) -> Result<(), u64> {
        self.acquire_for(now_ms, Priority::Interactive)
    }

    /// Like [`acquire`](Self::acquire), but background requests stop short of the top of the
    /// bucket ([`BACKGROUND_RESERVE_SHARE`]), keeping room for interactive ones.
    pub fn acquire_for(&mut self, now_ms: f64, priority: Priority) -> Result<(), u64> {
        self.leak(now_ms);
        let ceiling = match priority {
            Priority::Interactive => self.config.burst,
            Priority::Background => self.config.burst * (1.0 - BACKGROUND_RESERVE_SHARE),
        };
        let excess = self.level + 1.0 - ceiling;
        if excess <= EPS {
            self.level += 1.0;
            Ok(())
        } else {
            Err(((excess * 1000.0 / self.drain) - EPS).ceil().max(1.0) as u64)
        }
    }

    /// A 503 `QUERY_LIMIT_EXCEEDED`: the server's bucket is fuller than ours thinks (other tabs,
    /// other apps on the same IP share it). Ours is treated as full; a second 503 within
    /// [`RATE_LIMIT_WINDOW_MS`] means our drain estimate is too optimistic, so it is lowered.
    pub fn on_rate_limited(&mut self, now_ms: f64) {
        self.leak(now_ms);
        self.level = self.level.max(self.config.burst);
        if let Some(prev) = self.last_rate_limited_ms
            && now_ms - prev <= RATE_LIMIT_WINDOW_MS
        {
            let floor = self.config.drain_per_sec * MIN_DRAIN_SHARE;
            self.drain = (self.drain * LOWER_FACTOR).max(floor);
        }
        self.last_rate_limited_ms = Some(now_ms);
        self.successes = 0;
    }

    /// A request went through: after [`RESTORE_EVERY`] in a row the drain climbs back one step,
    /// so a lowered rate recovers gradually instead of snapping back into another 503 storm.
    pub fn on_success(&mut self, now_ms: f64) {
        self.leak(now_ms);
        self.successes += 1;
        if self.successes >= RESTORE_EVERY {
            self.successes = 0;
            let step = self.config.drain_per_sec * RESTORE_STEP_SHARE;
            self.drain = (self.drain + step).min(self.config.drain_per_sec);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends as fast as the bucket allows; returns the send times.
    fn drive(bucket: &mut LeakyBucket, until_ms: f64) -> Vec<f64> {
        let mut now = 0.0;
        let mut sent = Vec::new();
        while now <= until_ms {
            match bucket.acquire(now) {
                Ok(()) => sent.push(now),
                Err(wait) => now += wait as f64,
            }
        }
        sent
    }

    #[test]
    fn burst_of_fifty_then_one_every_500_ms() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        for i in 0..50 {
            assert_eq!(b.acquire(0.0), Ok(()), "request {i} of the burst");
        }
        assert_eq!(b.acquire(0.0), Err(500));
        assert_eq!(b.acquire(499.0), Err(1));
        assert_eq!(b.acquire(500.0), Ok(()));
        assert_eq!(b.acquire(500.0), Err(500));
        assert_eq!(b.acquire(1000.0), Ok(()));
    }

    #[test]
    fn sustained_rate_over_a_minute_never_exceeds_drain_plus_burst() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        let sent = drive(&mut b, 60_000.0);
        // 50 at t=0, then one per 500 ms for 60 s.
        assert_eq!(sent.len(), 50 + 120);
        for (i, &t) in sent.iter().enumerate() {
            let window: Vec<_> = sent.iter().filter(|&&s| s > t - 1000.0 && s <= t).collect();
            // Once the initial burst is out of the window, at most 2 per second.
            if t >= 1000.0 {
                assert!(
                    window.len() <= 2,
                    "{} sends in the second before {t}",
                    window.len()
                );
            }
            let allowed = 50.0 + t / 1000.0 * 2.0;
            assert!((i + 1) as f64 <= allowed + EPS, "send {i} at {t}");
        }
    }

    #[test]
    fn wait_is_exact_after_partial_drain() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        for _ in 0..50 {
            b.acquire(0.0).unwrap();
        }
        // 10 s later 20 have drained: 20 fit, the 21st waits exactly 500 ms.
        for _ in 0..20 {
            assert_eq!(b.acquire(10_000.0), Ok(()));
        }
        assert_eq!(b.acquire(10_000.0), Err(500));
        assert_eq!(b.acquire(10_250.0), Err(250));
    }

    #[test]
    fn backwards_clock_does_not_refill_or_drain() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        for _ in 0..50 {
            b.acquire(1000.0).unwrap();
        }
        assert_eq!(b.acquire(0.0), Err(500));
        assert_eq!(b.acquire(1500.0), Ok(()));
    }

    #[test]
    fn enterprise_preset_allows_250_then_5_per_second() {
        let mut b = LeakyBucket::new(LimiterConfig::enterprise());
        for _ in 0..250 {
            b.acquire(0.0).unwrap();
        }
        assert_eq!(b.acquire(0.0), Err(200));
        let sent = drive(&mut LeakyBucket::new(LimiterConfig::enterprise()), 10_000.0);
        assert_eq!(sent.len(), 250 + 50);
    }

    #[test]
    fn a_503_fills_our_bucket_even_when_we_thought_it_empty() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        b.acquire(0.0).unwrap();
        b.on_rate_limited(0.0);
        assert_eq!(b.acquire(0.0), Err(500));
        assert_eq!(b.drain_per_sec(), 2.0, "one 503 does not lower the drain");
    }

    #[test]
    fn repeated_503s_lower_the_drain_down_to_a_floor_then_successes_restore_it() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        b.on_rate_limited(0.0);
        b.on_rate_limited(1_000.0);
        assert_eq!(b.drain_per_sec(), 1.5);
        // Lowered drain means longer waits: one request now takes 1000/1.5 ms to fit.
        assert_eq!(b.acquire(1_000.0), Err(667));
        for i in 0..20 {
            b.on_rate_limited(2_000.0 + i as f64);
        }
        assert_eq!(b.drain_per_sec(), 1.5, "floor at three quarters");
        // 503s far apart are not "repeated".
        let mut c = LeakyBucket::new(LimiterConfig::standard());
        c.on_rate_limited(0.0);
        c.on_rate_limited(RATE_LIMIT_WINDOW_MS + 1.0);
        assert_eq!(c.drain_per_sec(), 2.0);
        // Recovery: 10 successes per 0.2/s step, never above the configured rate.
        for _ in 0..9 {
            b.on_success(100_000.0);
        }
        assert_eq!(b.drain_per_sec(), 1.5, "no step before the tenth success");
        b.on_success(100_000.0);
        assert!((b.drain_per_sec() - 1.7).abs() < 1e-9);
        for _ in 0..200 {
            b.on_success(100_000.0);
        }
        assert_eq!(b.drain_per_sec(), 2.0);
    }

    #[test]
    fn a_503_resets_the_success_streak() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        b.on_rate_limited(0.0);
        b.on_rate_limited(1.0);
        for _ in 0..9 {
            b.on_success(2.0);
        }
        b.on_rate_limited(60_000.0);
        b.on_success(60_001.0);
        assert_eq!(b.drain_per_sec(), 1.5);
    }

    #[test]
    fn background_leaves_room_for_interactive() {
        let mut b = LeakyBucket::new(LimiterConfig::standard());
        for _ in 0..45 {
            b.acquire_for(0.0, Priority::Background).unwrap();
        }
        assert_eq!(b.acquire_for(0.0, Priority::Background), Err(500));
        for _ in 0..5 {
            assert_eq!(b.acquire(0.0), Ok(()));
        }
        assert_eq!(b.acquire(0.0), Err(500));
    }
}
