//! The open-file limit (`RLIMIT_NOFILE`): every client connection is a file descriptor, and the
//! usual soft limit of 1,024 is what one client exhausted to stop the relay answering anyone.
//! At start the relay raises its soft limit to the hard limit (no privilege needed), and the
//! connection cap ([`crate::conn_limits`]) stays below whatever the limit then is. To go higher,
//! raise the hard limit: `LimitNOFILE=` in a systemd unit, `--ulimit nofile=N:N` for Docker,
//! `ulimit -Hn` in a shell.

/// Raises the soft limit to the hard one; returns (before, after), `None` where there is no such
/// limit or it cannot be read.
pub fn raise() -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        let (before, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
        let after = rlimit::increase_nofile_limit(u64::MAX).ok()?;
        Some((before, after))
    }
    #[cfg(not(unix))]
    None
}

/// The soft limit now in force, when there is one.
pub fn current() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::getrlimit(rlimit::Resource::NOFILE)
            .ok()
            .map(|(soft, _)| soft)
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_limit_can_be_read() {
        #[cfg(unix)]
        assert!(super::current().is_some_and(|n| n > 0));
    }
}
