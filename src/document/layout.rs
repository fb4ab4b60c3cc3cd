//! Positioned text items → lines in reading order.
//!
//! Per page: items on one baseline form a cluster; a cluster splits into segments at wide
//! horizontal gaps; a vertical gap in the segments' x-projection that runs down the page
//! (few segments cross it, and those are full-width lines such as the name at the top) is a
//! column gutter, and the columns are read one after the other between the full-width lines.
//! A side column that is mostly dates is not a column of its own: its dates stay on their
//! entries' lines. Sorting is `n log n`; everything else is linear.

use super::noise::{is_icon_font, strip_private_use};
use super::{Dropped, TextItem};

/// One line of a page, after layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The line's text (glyphs removed, words separated by single spaces).
    pub text: String,
    /// Page, from 1.
    pub page: u32,
    /// Left edge.
    pub x0: f32,
    /// Right edge.
    pub x1: f32,
    /// Baseline (upwards).
    pub y: f32,
    /// Font size (the largest on the line).
    pub size: f32,
    /// Whether all of the line is bold.
    pub bold: bool,
    /// Right edge of the column the line is in (the largest right edge of its lines).
    pub column_right: f32,
    /// Column block of the page (lines of one block are read together).
    pub block: u32,
    /// A line of a side column of entry metadata (dates, places): an item of its own that
    /// does not interrupt the item it stands beside.
    pub side: bool,
    /// The line began with an icon or private-use glyph (that starts a new item).
    pub glyph_start: bool,
    /// Width of the line's first word.
    pub first_word: f32,
    /// The line was put together from pieces with a wide gap between them (a table row, an
    /// entry with its date at the right margin): never a wrapped line of prose.
    pub gapped: bool,
    /// Rank of its baseline from the page's top (0) and from its bottom (0).
    pub from_top: usize,
    /// See `from_top`.
    pub from_bottom: usize,
}

/// A run of text pieces on one baseline with no wide gap inside.
#[derive(Debug, Clone)]
struct Segment {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    bold: bool,
    glyph_start: bool,
    first_word: Option<f32>,
    cluster: usize,
}

/// One cleaned item.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    bold: bool,
    glyph: bool,
    page: u32,
}

/// A gap wider than this many font sizes splits a baseline into segments.
const SEGMENT_GAP: f32 = 1.5;
/// A gap wider than this many font sizes between pieces is a space.
const SPACE_GAP: f32 = 0.08;
/// Baselines closer than this many font sizes are one line.
const BASELINE_TOLERANCE: f32 = 0.4;
/// At most this share of a page's segments may cross a column gutter.
const MAX_CROSSING: f32 = 0.15;
/// The block of a side column of entry metadata.
const SIDE_BLOCK: u32 = u32::MAX;
/// A narrow side is entry metadata when at least this share of its segments are dates.
const DATE_SIDE: f32 = 0.3;

/// Lines of all pages in reading order; icon glyphs are counted in `dropped`.
pub fn lines(items: &[TextItem], dropped: &mut Dropped) -> Vec<Line> {
    let mut pieces: Vec<Piece> = Vec::with_capacity(items.len());
    for item in items {
        if let Some(p) = clean(item, dropped) {
            pieces.push(p);
        }
    }
    // Stable sort by page keeps the items' order within a page for equal keys.
    pieces.sort_by_key(|p| p.page);
    let mut out = Vec::new();
    let mut start = 0;
    while start < pieces.len() {
        let page = pieces[start].page;
        let end = start + pieces[start..].partition_point(|p| p.page == page);
        out.extend(page_lines(&mut pieces[start..end], page));
        start = end;
    }
    out
}

fn clean(item: &TextItem, dropped: &mut Dropped) -> Option<Piece> {
    let size = if item.size > 0.0 {
        item.size
    } else if item.height > 0.0 {
        item.height
    } else {
        10.0
    };
    if !(item.x.is_finite() && item.y.is_finite() && size.is_finite()) {
        return None;
    }
    let (text, had_glyph) = strip_private_use(&unligature(&item.text));
    let icon = is_icon_font(&item.font_name);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if icon || (had_glyph && text.is_empty()) {
        dropped.glyphs += 1;
        return Some(Piece {
            text: String::new(),
            x0: item.x,
            x1: item.x + item.width.max(0.0),
            y: item.y,
            size,
            bold: item.bold,
            glyph: true,
            page: item.page.max(1),
        });
    }
    if text.is_empty() {
        return None;
    }
    if had_glyph {
        dropped.glyphs += 1;
    }
    let width = if item.width > 0.0 && item.width.is_finite() {
        item.width
    } else {
        0.5 * size * text.chars().count() as f32
    };
    Some(Piece {
        x0: item.x,
        x1: item.x + width,
        y: item.y,
        size,
        bold: item.bold,
        glyph: had_glyph && item.text.trim_start().starts_with(is_private_use_char),
        page: item.page.max(1),
        text,
    })
}

/// Typographic ligatures (ﬁ, ﬂ, ﬀ, …) as their letters, so that words match.
fn unligature(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| ('\u{FB00}'..='\u{FB06}').contains(&c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_private_use_char(c: char) -> bool {
    super::noise::is_private_use(c)
}

/// The lines of one page, in reading order.
fn page_lines(pieces: &mut [Piece], page: u32) -> Vec<Line> {
    pieces.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    // Baseline clusters, referenced to their first (highest) piece.
    let mut clusters: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=pieces.len() {
        let split = i == pieces.len() || {
            let tol = BASELINE_TOLERANCE * pieces[start].size.min(pieces[i].size);
            pieces[start].y - pieces[i].y > tol
        };
        if split {
            clusters.push((start, i));
            start = i;
        }
    }
    let mut segments = Vec::new();
    for (ci, &(s, e)) in clusters.iter().enumerate() {
        let cluster = &mut pieces[s..e];
        cluster.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        split_segments(cluster, ci, &mut segments);
    }
    let n_clusters = clusters.len();
    let order = reading_order(&segments);
    build_lines(&segments, &order, page, n_clusters)
}

fn split_segments(cluster: &[Piece], ci: usize, out: &mut Vec<Segment>) {
    let mut cur: Option<Segment> = None;
    for p in cluster {
        if let Some(seg) = cur.as_mut() {
            let gap = p.x0 - seg.x1;
            if gap <= SEGMENT_GAP * p.size.max(seg.size) {
                if !p.text.is_empty() {
                    if gap > SPACE_GAP * p.size && !seg.text.is_empty() && !seg.text.ends_with(' ')
                    {
                        if seg.first_word.is_none() {
                            seg.first_word = Some(seg.x1 - seg.x0);
                        }
                        seg.text.push(' ');
                    }
                    seg.text.push_str(&p.text);
                    seg.bold &= p.bold;
                }
                seg.x1 = seg.x1.max(p.x1);
                seg.size = seg.size.max(p.size);
                continue;
            }
            out.push(cur.take().expect("checked above"));
        }
        cur = Some(Segment {
            first_word: first_word_in(&p.text, p.x1 - p.x0),
            text: p.text.clone(),
            x0: p.x0,
            x1: p.x1,
            y: p.y,
            size: p.size,
            bold: p.bold || p.text.is_empty(),
            glyph_start: p.glyph,
            cluster: ci,
        });
    }
    out.extend(cur);
    // A segment of glyphs only carries its mark to the next segment of its cluster.
    let mut carry = false;
    out.retain_mut(|s| {
        if s.text.is_empty() {
            carry = true;
            return false;
        }
        s.glyph_start |= std::mem::take(&mut carry);
        true
    });
}

/// Width of the first word of a run of `width`, proportionally to its characters.
fn first_word_in(text: &str, width: f32) -> Option<f32> {
    let chars = text.chars().count().max(1) as f32;
    text.find(' ')
        .map(|b| width * text[..b].chars().count() as f32 / chars)
}

/// True when a segment reads as a date or a date range ("2019 – 2021", "Jan 2020 – present").
pub fn is_date_like(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words = lower.split_whitespace().count();
    if words > 7 {
        return false;
    }
    let has_year = lower
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit) && (w[0] == b'1' || w[0] == b'2'));
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .any(|m| lower.contains(m));
    let duration = ["month", "year", "present", "current", "now"]
        .iter()
        .any(|m| lower.contains(m));
    has_year || ((month || duration) && words <= 4)
}

/// Order of segments: `(segment index, block)`, with lines of one block read together.
fn reading_order(segs: &[Segment]) -> Vec<(usize, u32)> {
    let plain = || (0..segs.len()).map(|i| (i, 0)).collect();
    let n = segs.len();
    if n < 6 {
        return plain();
    }
    let Some((a, b)) = find_gutter(segs) else {
        return plain();
    };
    let side = |s: &Segment| {
        if s.x1 <= a {
            0u8
        } else if s.x0 >= b {
            1
        } else {
            2
        }
    };
    // A narrow side of short pieces, many of them dates ("Sept 2018 – May 2023", "Berlin",
    // "4 months"), is the entries' metadata, not a column: it is read in place, line by
    // line beside its entries, as lines of their own (block 1).
    let (min_x, max_x) = segs
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), s| (a.min(s.x0), b.max(s.x1)));
    for want in [0u8, 1] {
        let (mut count, mut dates, mut words, mut lo, mut hi) =
            (0usize, 0usize, 0usize, f32::MAX, f32::MIN);
        for s in segs.iter().filter(|s| side(s) == want) {
            count += 1;
            dates += usize::from(is_date_like(&s.text));
            words += s.text.split_whitespace().count();
            lo = lo.min(s.x0);
            hi = hi.max(s.x1);
        }
        let narrow = hi - lo <= 0.35 * (max_x - min_x);
        if count > 0 && narrow && dates as f32 >= DATE_SIDE * count as f32 && words <= 5 * count {
            return segs
                .iter()
                .enumerate()
                .map(|(i, s)| (i, if side(s) == want { SIDE_BLOCK } else { 0 }))
                .collect();
        }
    }
    // Crossers cut the page into bands; in each band, left then right, then the crosser.
    let mut crossers: Vec<usize> = segs
        .iter()
        .filter(|s| side(s) == 2)
        .map(|s| s.cluster)
        .collect();
    crossers.sort_unstable();
    crossers.dedup();
    let mut keyed: Vec<((usize, u8, usize), usize)> = segs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let band = crossers.partition_point(|&c| c < s.cluster);
            ((band, side(s), s.cluster), i)
        })
        .collect();
    keyed.sort_by_key(|&(k, i)| (k, i));
    keyed
        .into_iter()
        .map(|((band, side, _), i)| (i, (band as u32) * 3 + side as u32))
        .collect()
}

/// The widest x-interval crossed by at most [`MAX_CROSSING`] of the segments, with enough
/// text entirely on each side; `None` on a one-column page.
fn find_gutter(segs: &[Segment]) -> Option<(f32, f32)> {
    let n = segs.len();
    let mut edges: Vec<(f32, i32)> = Vec::with_capacity(2 * n);
    for s in segs {
        edges.push((s.x0, 1));
        edges.push((s.x1, -1));
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut sizes: Vec<f32> = segs.iter().map(|s| s.size).collect();
    sizes.sort_by(f32::total_cmp);
    let min_gap = sizes[n / 2].max(4.0);
    let max_cross = (MAX_CROSSING * n as f32).floor() as i32;
    let min_side = (n / 10).max(3);
    // starts_after[w]: segments that start after edge w (a suffix count, for linear time).
    let mut starts_after = vec![0usize; edges.len() + 1];
    for w in (0..edges.len()).rev() {
        starts_after[w] = starts_after[w + 1] + usize::from(edges[w].1 > 0);
    }
    let (mut cover, mut ends, mut best) = (0i32, 0usize, None::<(i32, f32, f32, f32)>);
    for w in 0..edges.len() {
        cover += edges[w].1;
        if edges[w].1 < 0 {
            ends += 1;
        }
        let Some(next) = edges.get(w + 1) else { break };
        let (a, b) = (edges[w].0, next.0);
        if b - a < min_gap || cover > max_cross || ends < min_side {
            continue;
        }
        if starts_after[w + 1] < min_side {
            continue;
        }
        let better = match best {
            None => true,
            Some((c, width, _, _)) => cover < c || (cover == c && b - a > width),
        };
        if better {
            best = Some((cover, b - a, a, b));
        }
    }
    best.map(|(_, _, a, b)| (a, b))
}

fn build_lines(segs: &[Segment], order: &[(usize, u32)], page: u32, clusters: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut last: Option<(u32, usize)> = None;
    for &(i, block) in order {
        let s = &segs[i];
        if last == Some((block, s.cluster)) {
            if let Some(line) = lines.last_mut() {
                line.text.push(' ');
                line.text.push_str(&s.text);
                line.x1 = line.x1.max(s.x1);
                line.size = line.size.max(s.size);
                line.bold &= s.bold;
                line.gapped = true;
                continue;
            }
        }
        last = Some((block, s.cluster));
        lines.push(Line {
            text: s.text.clone(),
            page,
            x0: s.x0,
            x1: s.x1,
            y: s.y,
            size: s.size,
            bold: s.bold,
            column_right: s.x1,
            block,
            side: block == SIDE_BLOCK,
            glyph_start: s.glyph_start,
            first_word: s.first_word.unwrap_or(s.x1 - s.x0),
            gapped: false,
            from_top: s.cluster,
            from_bottom: clusters.saturating_sub(s.cluster + 1),
        });
    }
    // The right edge of a line's column: the largest right edge of the lines of its block
    // within six lines of it (local, so a narrower entry column beside a date column, under
    // a full-width paragraph, gets its own edge). Linear: a fixed window.
    let rights: Vec<f32> = (0..lines.len())
        .map(|i| {
            let lo = i.saturating_sub(6);
            let hi = (i + 7).min(lines.len());
            lines[lo..hi]
                .iter()
                .filter(|l| l.block == lines[i].block)
                .fold(lines[i].x1, |r, l| r.max(l.x1))
        })
        .collect();
    for (l, r) in lines.iter_mut().zip(rights) {
        l.column_right = r;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str, x: f32, y: f32, page: u32) -> TextItem {
        TextItem {
            text: text.into(),
            x,
            y,
            width: 5.0 * text.chars().count() as f32,
            height: 10.0,
            font_name: String::new(),
            bold: false,
            size: 10.0,
            page,
        }
    }

    #[test]
    fn baselines_and_spaces() {
        let items = [
            item("world", 66.0, 700.0, 1),
            item("Hello", 36.0, 700.5, 1),
            item("Next line", 36.0, 686.0, 1),
        ];
        let got: Vec<String> = lines(&items, &mut Dropped::default())
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(got, ["Hello world", "Next line"]);
    }

    #[test]
    fn two_columns_are_read_one_after_the_other() {
        let mut items = vec![item(
            "Jane Roe, full-width name line of the page",
            36.0,
            780.0,
            1,
        )];
        for k in 0..8 {
            let y = 740.0 - 14.0 * k as f32;
            items.push(item(&format!("left {k}"), 36.0, y, 1));
            items.push(item(&format!("right column text {k}"), 300.0, y, 1));
        }
        let got: Vec<String> = lines(&items, &mut Dropped::default())
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(got[0], "Jane Roe, full-width name line of the page");
        assert_eq!(
            got[1..9],
            (0..8).map(|k| format!("left {k}")).collect::<Vec<_>>()
        );
        assert_eq!(got[9], "right column text 0");
    }

    #[test]
    fn a_side_column_of_dates_stays_on_its_lines() {
        let mut items = Vec::new();
        for k in 0..6 {
            let y = 740.0 - 30.0 * k as f32;
            items.push(item(&format!("201{k} – 202{k}"), 36.0, y, 1));
            items.push(item(&format!("Engineer at Company {k}"), 150.0, y, 1));
            items.push(item("Built things that mattered", 150.0, y - 14.0, 1));
        }
        let got = lines(&items, &mut Dropped::default());
        let texts: Vec<&str> = got.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts[..3],
            [
                "2010 – 2020",
                "Engineer at Company 0",
                "Built things that mattered"
            ]
        );
        assert!(got[0].side && !got[1].side);
    }
}
