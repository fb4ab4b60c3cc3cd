//! Joining the shards of one board (`cvmatch index build --shard K/N`, one per machine or
//! process) into the index a single build of the whole board gives: the jobs back in the
//! input's order, each distinct requirement line stored once.
//!
//! Refused with [`Error::Index`]: shards of another model or other weights than the first,
//! other line settings, a different N or board size, a slice given twice, a slice missing,
//! or jobs that do not make up the whole board exactly once.

use crate::error::{Error, Result};
use crate::index::build::{BuildOptions, IndexBuilder};
use crate::index::{JobIndex, Shard};

/// Merges the `n` shards of a board (any order) into one index of the whole board.
pub fn merge(shards: &[JobIndex]) -> Result<JobIndex> {
    let first = shards
        .first()
        .ok_or_else(|| Error::Index("nothing to merge: no shard given".into()))?;
    let n = first.shard.n;
    let board = first.shard.board_jobs as usize;
    let mut seen: Vec<Option<usize>> = vec![None; (n as usize).min(shards.len() + 1)];
    if (n as usize) > shards.len() {
        // Name the first missing slice below.
        seen.resize(n as usize, None);
    }
    for (i, s) in shards.iter().enumerate() {
        s.identity.check(&first.identity).map_err(|e| {
            Error::Index(format!("shard {} of the list cannot be merged: {e}", i + 1))
        })?;
        if s.dim() != first.dim()
            || s.line_bits() != first.line_bits()
            || s.line_rotated() != first.line_rotated()
        {
            return Err(Error::Index(format!(
                "shard {} of the list has other settings (dimension {}, line vectors {:?}, \
                 rotated {:?}) than the first (dimension {}, line vectors {:?}, rotated {:?}); \
                 build every shard with the same options",
                i + 1,
                s.dim(),
                s.line_bits(),
                s.line_rotated(),
                first.dim(),
                first.line_bits(),
                first.line_rotated()
            )));
        }
        if s.shard.n != n || s.shard.board_jobs as usize != board {
            return Err(Error::Index(format!(
                "shard {} of the list is slice {}/{} of a {}-job board, the first is of {} \
                 slices of a {}-job board: shards of different builds",
                i + 1,
                s.shard.k,
                s.shard.n,
                s.shard.board_jobs,
                n,
                board
            )));
        }
        let k = s.shard.k as usize;
        match seen.get_mut(k) {
            Some(Some(j)) => {
                return Err(Error::Index(format!(
                    "slice {k}/{n} is given twice (shards {} and {} of the list)",
                    *j + 1,
                    i + 1
                )))
            }
            Some(slot) => *slot = Some(i),
            None => {
                return Err(Error::Index(format!(
                    "slice {k}/{n} is given but only {} shards are",
                    shards.len()
                )))
            }
        }
    }
    if let Some(k) = seen.iter().position(Option::is_none) {
        return Err(Error::Index(format!(
            "slice {k}/{n} is missing: merge needs all {n} shards of the board"
        )));
    }
    let total: usize = shards.iter().map(JobIndex::len).sum();
    if total != board {
        return Err(Error::Index(format!(
            "the shards hold {total} jobs, their board {board}"
        )));
    }
    // Where each board position comes from: (shard, job).
    let mut at: Vec<Option<(usize, usize)>> = vec![None; board];
    for (si, s) in shards.iter().enumerate() {
        for (ji, &p) in s.positions.iter().enumerate() {
            match at.get_mut(p as usize) {
                Some(slot @ None) => *slot = Some((si, ji)),
                _ => {
                    return Err(Error::Index(format!(
                        "board position {p} is held twice or is out of range"
                    )))
                }
            }
        }
    }
    let options = BuildOptions {
        line_vectors: first.has_line_vectors(),
        line_bits: first.line_bits().unwrap_or(8),
        ..BuildOptions::default()
    };
    let mut builder = IndexBuilder::with_options(first.identity.clone(), first.dim(), &options);
    builder.set_line_rotation(first.line_rotated().unwrap_or(false));
    for (position, slot) in at.into_iter().enumerate() {
        let (si, ji) =
            slot.ok_or_else(|| Error::Index(format!("board position {position} is in no shard")))?;
        let s = &shards[si];
        builder.push_from(s, ji, s.jobs[ji].clone(), position as u32)?;
    }
    Ok(builder.finish_shard(Shard::whole(board)))
}
