//! "The newest wins": a counter every new request bumps, and the ticket an answer carries. An
//! answer is applied only while its ticket is still the current one, so a slower answer for an
//! older event (a previous client, an earlier "Next") is dropped.

/// The counter: [`Generation::advance`] for every new request, [`Generation::is_current`] before
/// applying its answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generation(u64);

/// What a request remembers of the generation it was made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl Generation {
    pub fn new() -> Generation {
        Generation(0)
    }

    /// A new request: every ticket handed out before is stale from now on.
    pub fn advance(&mut self) -> Ticket {
        self.0 = self.0.wrapping_add(1);
        Ticket(self.0)
    }

    /// The ticket of the newest request (for work that joins it rather than superseding it).
    pub fn current(&self) -> Ticket {
        Ticket(self.0)
    }

    /// Whether an answer made with `ticket` may still be applied.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        self.0 == ticket.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_ticket_is_current() {
        let mut g = Generation::new();
        let first = g.advance();
        assert!(g.is_current(first));
        let second = g.advance();
        assert!(!g.is_current(first));
        assert!(g.is_current(second));
        assert_eq!(g.current(), second);
    }

    #[test]
    fn joining_the_current_request_does_not_supersede_it() {
        let mut g = Generation::new();
        let running = g.advance();
        let joined = g.current();
        assert!(g.is_current(running) && g.is_current(joined));
    }

    #[test]
    fn the_counter_wraps_instead_of_overflowing() {
        let mut g = Generation(u64::MAX);
        let t = g.advance();
        assert!(g.is_current(t));
        assert_eq!(t, Ticket(0));
    }
}
