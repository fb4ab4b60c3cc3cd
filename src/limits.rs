//! Every documented limit on what cvmatch accepts, defined once (the table in
//! `docs/limits.md` lists them with the error each gives).
//!
//! Inputs over a limit are refused with [`crate::Error::TooLarge`] (code `too_large`), or,
//! where the input stays usable, truncated with a note in the report (the line limits of
//! matching). Other modules import these constants rather than repeating the numbers; the
//! text and document size limits live beside the code that reads text (issue 12) and may be
//! re-exported here.

/// Jobs in one `rank` request (resumes in one `rankCandidates` request): each is embedded
/// and scored, so the request's cost grows with the count. Larger sets go through a
/// precomputed index (`cvmatch index build`, `rankIndex`).
pub const MAX_JOBS_PER_REQUEST: usize = 2_000;

/// Requirement lines of one job compared line by line (the rest still counts in the
/// document vector; the report notes the cut).
pub const MAX_REQUIREMENT_LINES: usize = 80;

/// Resume lines compared with requirements (a 200 KB text has thousands; the document
/// vector still covers the whole text; the report notes the cut).
pub const MAX_EVIDENCE_LINES: usize = 400;

/// Longest line of `cvmatch embed`'s JSON Lines input, in bytes (the default of
/// `--max-line-bytes`); a longer line is refused before it is held in memory whole.
pub const MAX_INPUT_LINE_BYTES: usize = 1 << 20;

/// Largest `manifest.json` accepted.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Largest job index (`.cvx`) the worker downloads (wasm32 memory is 4 GiB and the index
/// is parsed from one copy).
pub const MAX_INDEX_BYTES: u64 = 1 << 30;

/// Largest `<index>.sha256` listing read beside an index.
pub const MAX_INDEX_LISTING_BYTES: u64 = 4096;

/// `top` is clamped to the number of candidates (never an error, never an allocation of
/// `top` entries).
pub fn clamp_top(top: usize, candidates: usize) -> usize {
    top.min(candidates)
}

/// Refuses more than [`MAX_JOBS_PER_REQUEST`] documents in one ranking request.
pub fn check_jobs_per_request(count: usize, what: &str) -> crate::Result<()> {
    crate::ensure!(
        count <= MAX_JOBS_PER_REQUEST,
        too_large,
        format!("{what} per request"),
        MAX_JOBS_PER_REQUEST,
        count
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_over_the_limit_are_too_large() {
        assert!(check_jobs_per_request(MAX_JOBS_PER_REQUEST, "jobs").is_ok());
        let e = check_jobs_per_request(MAX_JOBS_PER_REQUEST + 1, "jobs").unwrap_err();
        assert_eq!(e.code(), "too_large");
        assert!(e.to_string().contains("jobs per request"), "{e}");
    }

    #[test]
    fn top_is_clamped() {
        assert_eq!(clamp_top(1_000_000_000, 3), 3);
        assert_eq!(clamp_top(2, 3), 2);
    }
}
