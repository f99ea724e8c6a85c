//! Coalescing refreshes: every event asks for one, but a burst of events (ten "Next" clicks in
//! a second) must cost at most two requests — the first at once, so a single event is never
//! delayed, and one more for the newest state when the burst is over.
//!
//! Rules: a refresh starts at once unless one is running or one started less than `gap_ms`
//! ago. Asking while one runs marks a follow-up; asking inside the gap arms one timer; asking
//! while the timer is armed merges into it. The follow-up reads the newest state when it starts,
//! so nothing asked for is lost.

/// When to send the refresh just asked for ([`Coalescer::ask`], [`Coalescer::finish`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenToSend {
    /// Start a refresh now (and call [`Coalescer::finish`] when it is done).
    Now,
    /// Arm a timer; call [`Coalescer::fire`] after this many ms.
    Later(u64),
    /// Nothing: a running or armed refresh covers this request.
    Merged,
}

/// The coalescing state of one kind of refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalescer {
    gap_ms: f64,
    last_start: Option<f64>,
    running: bool,
    follow_up: bool,
    armed: bool,
}

impl Coalescer {
    pub fn new(gap_ms: f64) -> Coalescer {
        Coalescer {
            gap_ms,
            last_start: None,
            running: false,
            follow_up: false,
            armed: false,
        }
    }

    /// A refresh is wanted at `now_ms`.
    pub fn ask(&mut self, now_ms: f64) -> WhenToSend {
        if self.armed {
            return WhenToSend::Merged;
        }
        if self.running {
            self.follow_up = true;
            return WhenToSend::Merged;
        }
        self.start_or_arm(now_ms)
    }

    fn start_or_arm(&mut self, now_ms: f64) -> WhenToSend {
        match self.last_start {
            Some(t) if now_ms - t < self.gap_ms => {
                self.armed = true;
                WhenToSend::Later((t + self.gap_ms - now_ms).ceil().max(1.0) as u64)
            }
            _ => {
                self.running = true;
                self.last_start = Some(now_ms);
                WhenToSend::Now
            }
        }
    }

    /// The armed timer fired: true when the caller should start the refresh now.
    pub fn fire(&mut self, now_ms: f64) -> bool {
        if !self.armed {
            return false;
        }
        self.armed = false;
        if self.running {
            self.follow_up = true;
            return false;
        }
        self.running = true;
        self.last_start = Some(now_ms);
        true
    }

    /// The running refresh ended (answered, failed, or became stale).
    pub fn finish(&mut self, now_ms: f64) -> WhenToSend {
        self.running = false;
        if !self.follow_up || self.armed {
            return WhenToSend::Merged;
        }
        self.follow_up = false;
        self.start_or_arm(now_ms)
    }

    /// Whether a refresh is running or about to.
    pub fn busy(&self) -> bool {
        self.running || self.armed || self.follow_up
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a coalescer through events at the given times with refreshes that each take
    /// `takes_ms`; returns the start times of the refreshes.
    fn run(events: &[f64], gap_ms: f64, takes_ms: f64) -> Vec<f64> {
        let mut c = Coalescer::new(gap_ms);
        let mut starts = Vec::new();
        let mut running_until: Option<f64> = None;
        let mut timer: Option<f64> = None;
        let mut next_event = 0;
        let mut now;
        loop {
            // The next thing to happen: an event, the end of the running refresh, or the timer.
            let candidates = [events.get(next_event).copied(), running_until, timer];
            let Some(t) = candidates.iter().flatten().copied().reduce(f64::min) else {
                break;
            };
            now = t;
            let go = if running_until == Some(now) {
                running_until = None;
                c.finish(now)
            } else if timer == Some(now) {
                timer = None;
                if c.fire(now) {
                    WhenToSend::Now
                } else {
                    WhenToSend::Merged
                }
            } else {
                next_event += 1;
                c.ask(now)
            };
            match go {
                WhenToSend::Now => {
                    starts.push(now);
                    running_until = Some(now + takes_ms);
                }
                WhenToSend::Later(ms) => timer = Some(now + ms as f64),
                WhenToSend::Merged => {}
            }
        }
        assert!(!c.busy());
        starts
    }

    #[test]
    fn a_single_event_starts_at_once() {
        assert_eq!(run(&[0.0], 1000.0, 120.0), vec![0.0]);
    }

    #[test]
    fn ten_switches_in_a_second_cost_two_refreshes() {
        let events: Vec<f64> = (0..10).map(|i| i as f64 * 100.0).collect();
        for takes in [20.0, 120.0, 400.0, 1500.0] {
            let starts = run(&events, 1000.0, takes);
            assert_eq!(starts.len(), 2, "takes {takes}: {starts:?}");
            // The last refresh starts after the last event, so it reads the newest client.
            assert!(*starts.last().unwrap() >= 900.0);
        }
    }

    #[test]
    fn events_far_apart_are_not_delayed() {
        assert_eq!(
            run(&[0.0, 2000.0, 5000.0], 1000.0, 120.0),
            vec![0.0, 2000.0, 5000.0]
        );
    }

    #[test]
    fn an_event_inside_the_gap_waits_for_it_to_end() {
        assert_eq!(run(&[0.0, 300.0], 1000.0, 100.0), vec![0.0, 1000.0]);
    }

    #[test]
    fn an_event_during_a_long_refresh_follows_it() {
        // The refresh takes 3 s; the event at 0.5 s is served right after it ends.
        assert_eq!(run(&[0.0, 500.0], 1000.0, 3000.0), vec![0.0, 3000.0]);
    }

    #[test]
    fn a_stray_timer_does_nothing() {
        let mut c = Coalescer::new(1000.0);
        assert!(!c.fire(5.0));
        assert_eq!(c.finish(5.0), WhenToSend::Merged);
    }
}
